// Tài khoản cán bộ (/quan-tri/can-bo): the list with filters, the create form (roles, unit from the unit tree, title,
// signing authority KT./TL./TM. + for whom), the edit form, deactivate/reactivate, a new temporary password (shown once,
// in the answer to the POST, never in a URL) and two-factor off. services/administration/staff-accounts.ts decides.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { isAppError } from '../../../errors.js';
import type { Caller } from '../../../services/access.js';
import {
  AUTHORITY_KINDS, authorityText, createStaffAccount, getStaffAccount, listStaffAccounts, resetStaffPassword, STAFF_ROLES, unitChoices,
  updateStaffAccount, type StaffAccountView,
} from '../../../services/administration/staff-accounts.js';
import { fieldErrors, readPageForm, render } from '../common.js';
import { enc, queryText } from '../staff/shared.js';
import { roleLabel } from './account.js';
import { adminMenu, adminOr, flashText } from './shared.js';

const LIST = '/quan-tri/can-bo';
const NEW = '/quan-tri/can-bo/tao-moi';
const accountUrl = (username: string) => `/quan-tri/can-bo/tai-khoan/${enc(username)}`;

/** What the create/edit form holds, as typed (to show it again with the errors). */
interface StaffForm {
  username: string; fullName: string; title: string; email: string; unitId: string; roles: string[]; authorityKind: string; authorityFor: string;
}

const EMPTY_FORM: StaffForm = { username: '', fullName: '', title: '', email: '', unitId: '', roles: [], authorityKind: '', authorityFor: '' };

function formOf(account: StaffAccountView): StaffForm {
  return {
    username: account.username, fullName: account.fullName, title: account.title, email: account.email ?? '', unitId: account.unitId,
    roles: account.roles, authorityKind: account.authority?.kind ?? '', authorityFor: account.authority?.for ?? '',
  };
}

/** The form's fields (checkboxes repeat `roles`, which readPageForm would cut to the last one). */
async function readStaffForm(request: FastifyRequest): Promise<StaffForm> {
  const { fields } = await readPageForm(request);
  const rawRoles = (request.body as Record<string, unknown> | undefined)?.roles;
  const roles = (Array.isArray(rawRoles) ? rawRoles : [rawRoles]).filter((r): r is string => typeof r === 'string');
  return {
    username: fields.username ?? '', fullName: fields.fullName ?? '', title: fields.title ?? '', email: fields.email ?? '', unitId: fields.unitId ?? '',
    roles, authorityKind: fields.authorityKind ?? '', authorityFor: fields.authorityFor ?? '',
  };
}

/** The service's input: an empty e-mail is none; no kind and no "for" is no authority. */
function inputOf(form: StaffForm) {
  const { username, fullName, title, unitId, roles } = form;
  return {
    username, fullName, title, unitId, roles, email: form.email.trim() || null,
    authority: form.authorityKind || form.authorityFor.trim() ? { kind: form.authorityKind, for: form.authorityFor } : null,
  };
}

/** The service's `authority.kind` errors under the form's own field names. */
const formErrors = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [
  k === 'authority.kind' ? 'authorityKind' : k === 'authority.for' || k === 'authority' ? 'authorityFor' : k.replace(/\..*$/, ''), v,
]));

async function formOptions(ctx: AppContext, form: StaffForm) {
  const units = (await unitChoices(ctx)).map((u) => ({ value: u.id, label: `${'— '.repeat(u.depth)}${u.name}`, selected: u.id === form.unitId }));
  const roles = Object.entries(STAFF_ROLES).map(([value, label]) => ({ value, label, checked: form.roles.includes(value) }));
  const authorityKinds = Object.entries(AUTHORITY_KINDS).map(([value, label]) => ({ value, label, selected: value === form.authorityKind }));
  return { units, roles, authorityKinds };
}

async function showForm(
  ctx: AppContext, request: FastifyRequest, reply: FastifyReply,
  view: { account?: StaffAccountView; form: StaffForm; error?: string; errors?: Record<string, string>; temporaryPassword?: string; flash?: string },
  status = 200,
) {
  const account = view.account;
  return render(request, reply, 'admin-staff-form', {
    title: account ? `Tài khoản ${account.username}` : 'Thêm tài khoản cán bộ', adminMenu: adminMenu(LIST),
    ...view, errors: view.errors ?? {}, ...(await formOptions(ctx, view.form)),
    action: account ? accountUrl(account.username) : NEW,
    accountUrl: account ? accountUrl(account.username) : null,
    authority: account ? authorityText(account.authority) : null,
  }, status);
}

async function editPage(
  ctx: AppContext, request: FastifyRequest, reply: FastifyReply, caller: Caller, username: string,
  extra: { temporaryPassword?: string; flash?: string; error?: string } = {}, status = 200,
) {
  const account = await getStaffAccount(ctx, caller, username);
  return showForm(ctx, request, reply, { account, form: formOf(account), ...extra }, status);
}

/** The notices the staff pages show after a redirect (`?tb=<key>`). */
const STAFF_FLASH: Readonly<Record<string, string>> = {
  'da-luu': 'Đã lưu thay đổi.',
  'da-khoa': 'Đã khóa tài khoản; mọi phiên đăng nhập của tài khoản đã kết thúc.',
  'da-mo-khoa': 'Đã mở lại tài khoản.',
  'da-tat-xac-thuc-hai-lop': 'Đã tắt xác thực hai lớp của tài khoản.',
};

const usernameOf = (request: FastifyRequest) => (request.params as { username: string }).username;

export function staffAccountPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(LIST, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const query = queryText(request);
    const filter = {
      unit: query.unit || undefined, q: query.q || undefined,
      role: query.role && query.role in STAFF_ROLES ? query.role : undefined,
      active: query.active === 'true' || query.active === 'false' ? query.active : undefined,
    };
    const items = (await listStaffAccounts(ctx, request.caller, filter)).map((a) => ({
      ...a, url: accountUrl(a.username), roleLabels: a.roles.map(roleLabel).join('; '), authorityText: authorityText(a.authority),
    }));
    const units = (await unitChoices(ctx)).map((u) => ({ value: u.id, label: `${'— '.repeat(u.depth)}${u.name}`, selected: u.id === filter.unit }));
    const roles = Object.entries(STAFF_ROLES).map(([value, label]) => ({ value, label, selected: value === filter.role }));
    return render(request, reply, 'admin-staff', {
      title: 'Tài khoản cán bộ', adminMenu: adminMenu(LIST), items, units, roles, filter, newUrl: NEW, flash: flashText(request, STAFF_FLASH),
    });
  });

  app.get(NEW, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showForm(ctx, request, reply, { form: EMPTY_FORM });
  });

  app.post(NEW, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const form = await readStaffForm(request);
    try {
      const created = await createStaffAccount(ctx, request.caller, inputOf(form));
      return editPage(ctx, request, reply, request.caller, created.username, {
        temporaryPassword: created.temporaryPassword, flash: `Đã tạo tài khoản ${created.username}.`,
      });
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem || !isAppError(error)) throw error;
      return showForm(ctx, request, reply, { form, error: problem.message, errors: formErrors(problem.fields) }, error.statusCode);
    }
  });

  app.get(`${LIST}/tai-khoan/:username`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return editPage(ctx, request, reply, request.caller, usernameOf(request), { flash: flashText(request, STAFF_FLASH) });
  });

  app.post(`${LIST}/tai-khoan/:username`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const username = usernameOf(request);
    const form = { ...(await readStaffForm(request)), username };
    try {
      const { username: _same, ...changes } = inputOf(form);
      await updateStaffAccount(ctx, request.caller, username, changes);
      return reply.redirect(`${accountUrl(username)}?tb=da-luu`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem || !isAppError(error) || error.code === 'STAFF_NOT_FOUND') throw error;
      const account = await getStaffAccount(ctx, request.caller, username);
      return showForm(ctx, request, reply, { account, form, error: problem.message, errors: formErrors(problem.fields) }, error.statusCode);
    }
  });

  /** The account's one-button acts: each a PATCH-like change, answered on the account's page. */
  // Done: back to the account's page with a fixed notice; refused (the last administrator, …): the page again with
  // the refusal as an error, not as a success notice.
  const acts = [
    ['khoa', { active: false }, 'da-khoa'],
    ['mo-khoa', { active: true }, 'da-mo-khoa'],
    ['tat-xac-thuc-hai-lop', { totp: false }, 'da-tat-xac-thuc-hai-lop'],
  ] as const;
  for (const [path, change, done] of acts) {
    app.post(`${LIST}/tai-khoan/:username/${path}`, { preHandler: app.csrfProtection }, async (request, reply) => {
      if (!(await adminOr(request, reply))) return reply;
      const username = usernameOf(request);
      try {
        await updateStaffAccount(ctx, request.caller, username, change);
      } catch (error) {
        const problem = fieldErrors(error);
        if (!problem || !isAppError(error) || error.code === 'STAFF_NOT_FOUND') throw error;
        return editPage(ctx, request, reply, request.caller, username, { error: problem.message }, error.statusCode);
      }
      return reply.redirect(`${accountUrl(username)}?tb=${done}`, 303);
    });
  }

  app.post(`${LIST}/tai-khoan/:username/cap-lai-mat-khau`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const username = usernameOf(request);
    const { temporaryPassword } = await resetStaffPassword(ctx, request.caller, username);
    return editPage(ctx, request, reply, request.caller, username, {
      temporaryPassword, flash: 'Đã cấp lại mật khẩu tạm; mọi phiên đăng nhập của tài khoản đã kết thúc.',
    });
  });
}
