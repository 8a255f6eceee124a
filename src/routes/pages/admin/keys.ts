// Khóa ký số và ảnh chữ ký/con dấu (/quan-tri/khoa-ky-so): every key with its certificate's status and days left,
// a banner for keys that expire soon or have expired, the signers without a key, the upload forms (a PKCS#12 file,
// a signature or seal image with its preview) and deactivation behind a confirmation page. services/keys/ decides.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { isAppError } from '../../../errors.js';
import { MAX_APPEARANCE_BYTES, MAX_APPEARANCE_PIXELS } from '../../../services/keys/appearance-image.js';
import { certificateDay, expiryWarning, KEY_STATUS_LABELS, type KeyStatus } from '../../../services/keys/certificate-status.js';
import {
  deactivateSigningKey, findSigningKey, listSigningKeys, type KeyView, type SignerChoice,
} from '../../../services/keys/manage-keys.js';
import { registerAppearance, registerSigningKey } from '../../../services/keys/register-key.js';
import type { SigningMode } from '../../../services/keys/signer-keys.js';
import { KEY_UPLOAD_LIMITS } from '../../api/admin/keys.js';
import { render } from '../common.js';
import { enc } from '../staff/shared.js';
import { adminMenu, adminOr, flashText, readUploadForm } from './shared.js';

const PAGE = '/quan-tri/khoa-ky-so';

const MODE_LABELS: Record<SigningMode['kind'], string> = {
  server: 'Lưu trên máy chủ, ký tự động',
  pin: 'Lưu trên máy chủ, mở bằng mã PIN của người ký',
  external: 'Thiết bị ký (USB token)',
  remote: 'Ký số từ xa (xác nhận trên điện thoại)',
};

/** Colours of the status badges (site.css: overdue red, due-soon amber; admin-keys.css: ok, inactive). */
const STATUS_BADGES: Record<KeyStatus, string> = {
  active: 'ok', expiring: 'due-soon', expired: 'overdue', not_yet_valid: 'due-soon', inactive: 'inactive',
};

/** A form's state when it comes back with errors. */
interface FormState { owner: string; errors: Record<string, string>; message: string }

const keyRow = (key: KeyView) => ({
  ...key, statusLabel: KEY_STATUS_LABELS[key.status], badge: STATUS_BADGES[key.status], modeLabel: MODE_LABELS[key.mode],
  deactivateUrl: `${PAGE}/${key.id}/thu-hoi`, previewUrl: key.hasAppearance ? previewUrl(key.owner.ref) : null,
});

const previewUrl = (ref: string) => `/api/admin/appearances/${enc(ref)}/image`;

/** The owner select: leaders, then sealing units, the one sent back selected. */
function ownerOptions(choices: SignerChoice[], selected: string | undefined) {
  return choices.map((c) => ({ value: c.owner.ref, label: c.hasKey ? c.label : `${c.label} — chưa có khóa`, selected: c.owner.ref === selected }));
}

/** The fixed notices after a redirect (`?tb=<key>`); a key's own details come from the database (`&khoa=<id>`). */
const KEYS_FLASH: Readonly<Record<string, string>> = {
  'nap-khoa': 'Đã nạp khóa ký số.',
  'thu-hoi': 'Đã thu hồi khóa ký số. Văn bản cần chữ ký này sẽ chờ đến khi nạp khóa mới.',
  'anh-chu-ky': 'Đã lưu ảnh chữ ký; ảnh sẽ hiện trên các văn bản ký từ nay.',
  'anh-con-dau': 'Đã lưu ảnh con dấu; ảnh sẽ hiện trên các văn bản ký từ nay.',
};

/** The notice with the named key's details read again from the list (never from the link's own words). */
function keysNotice(request: FastifyRequest, items: KeyView[]): string | undefined {
  const notice = flashText(request, KEYS_FLASH);
  const id = (request.query as Record<string, unknown>).khoa;
  const key = typeof id === 'string' ? items.find((k) => k.id === id) : undefined;
  if (!notice || !key) return notice;
  const tb = (request.query as Record<string, unknown>).tb;
  if (tb === 'nap-khoa' && key.active) {
    const done = `Đã nạp khóa ký số cho ${key.commonName ?? key.owner.name} (số hiệu ${key.serial}), hiệu lực đến ${certificateDay(new Date(key.notAfter))}.`;
    const warning = key.status === 'expiring' ? expiryWarning({ status: key.status, daysLeft: key.daysLeft, notAfter: new Date(key.notAfter) }) : null;
    return warning ? `${done} Lưu ý: ${warning}` : done;
  }
  if (tb === 'thu-hoi' && !key.active) {
    return `Đã thu hồi khóa ký số có số hiệu ${key.serial} của ${key.owner.name}. Văn bản cần chữ ký này sẽ chờ đến khi nạp khóa mới.`;
  }
  return notice;
}

async function showKeys(
  ctx: AppContext, request: FastifyRequest, reply: FastifyReply,
  forms: { key?: FormState; appearance?: FormState; remote?: FormState & { holderId: string }; error?: string } = {}, status?: number,
) {
  const overview = await listSigningKeys(ctx, request.caller);
  const keys = overview.items.map(keyRow);
  const due = keys.filter((k) => k.active && (k.status === 'expiring' || k.status === 'expired'));
  const signers = [...overview.signers.staff, ...overview.signers.units];
  return render(request, reply, 'admin-keys', {
    title: 'Khóa ký số, chữ ký và con dấu', adminMenu: adminMenu(PAGE),
    flash: forms.error ? undefined : keysNotice(request, overview.items), error: forms.error,
    warningDays: overview.warningDays,
    expired: due.filter((k) => k.status === 'expired'), expiring: due.filter((k) => k.status === 'expiring'),
    active: keys.filter((k) => k.active), history: keys.filter((k) => !k.active),
    withoutKey: overview.withoutKey,
    keyForm: {
      ...(forms.key ?? { errors: {}, message: '' }),
      staffOptions: ownerOptions(overview.signers.staff, forms.key?.owner), unitOptions: ownerOptions(overview.signers.units, forms.key?.owner),
    },
    appearanceForm: {
      ...(forms.appearance ?? { errors: {}, message: '' }),
      staffOptions: ownerOptions(overview.signers.staff, forms.appearance?.owner), unitOptions: ownerOptions(overview.signers.units, forms.appearance?.owner),
    },
    remoteForm: {
      ...(forms.remote ?? { errors: {}, message: '', holderId: '' }), staffOptions: ownerOptions(overview.signers.staff, forms.remote?.owner),
    },
    appearances: signers.map((c) => ({ ...c, previewUrl: c.hasAppearance ? previewUrl(c.owner.ref) : null })),
    maxImageKb: MAX_APPEARANCE_BYTES / 1024, maxImagePixels: MAX_APPEARANCE_PIXELS,
  }, status ?? (forms.key || forms.appearance || forms.remote ? 422 : 200));
}

/** The owner select's value (`staff:<username>` or `unit:<id>`) as the services' `staff` / `unit`. */
function ownerInput(ref: string | undefined): { staff?: string; unit?: string } {
  const at = ref?.indexOf(':') ?? -1;
  if (!ref || at < 0) return {};
  const [kind, id] = [ref.slice(0, at), ref.slice(at + 1)];
  return kind === 'staff' ? { staff: id } : kind === 'unit' ? { unit: id } : {};
}

/** Field errors keyed the way the form names its inputs (the services say `staff`/`unit` for the owner). */
function formErrors(fields: Record<string, string> | undefined): Record<string, string> {
  const errors = { ...fields };
  const owner = errors.staff ?? errors.unit;
  if (owner) errors.owner = owner;
  return errors;
}

function keyIdParam(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

export function signingKeyPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(PAGE, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showKeys(ctx, request, reply);
  });

  // Multipart: the CSRF token comes in the query (`?_csrf=`), the body is read here.
  app.post(`${PAGE}/khoa`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { fields, files } = await readUploadForm(request, reply, KEY_UPLOAD_LIMITS);
    try {
      const key = await registerSigningKey(ctx, request.caller, {
        ...ownerInput(fields.owner), pkcs12: files.find((f) => f.fieldName === 'pkcs12')?.data, password: fields.password ?? '',
        pin: fields.pin ? fields.pin : undefined,
      });
      return reply.redirect(`${PAGE}?tb=nap-khoa&khoa=${enc(key.keyId)}`, 303);
    } catch (error) {
      if (!isAppError(error) || error.statusCode >= 500) throw error;
      return showKeys(ctx, request, reply, { key: { owner: fields.owner ?? '', errors: formErrors(error.fields), message: error.message } });
    }
  });

  // Remote signing: the official's ID number; the certificate comes from the provider (services/keys/register-key.ts).
  app.post(`${PAGE}/tu-xa`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const fields = (request.body ?? {}) as Record<string, unknown>;
    const owner = typeof fields.owner === 'string' ? fields.owner : '';
    const holderId = typeof fields.remoteHolderId === 'string' ? fields.remoteHolderId.trim() : '';
    try {
      const key = await registerSigningKey(ctx, request.caller, { ...ownerInput(owner), remoteHolderId: holderId });
      return reply.redirect(`${PAGE}?tb=nap-khoa&khoa=${enc(key.keyId)}`, 303);
    } catch (error) {
      // The provider being away is the page's answer too (503), with its message, not an error page.
      if (!isAppError(error) || (error.statusCode >= 500 && !error.code.startsWith('REMOTE_'))) throw error;
      return showKeys(ctx, request, reply, { remote: { owner, holderId, errors: formErrors(error.fields), message: error.message } },
        error.statusCode >= 500 ? error.statusCode : 422);
    }
  });

  app.post(`${PAGE}/anh`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { fields, files } = await readUploadForm(request, reply, KEY_UPLOAD_LIMITS);
    try {
      const saved = await registerAppearance(ctx, request.caller, { ...ownerInput(fields.owner), image: files.find((f) => f.fieldName === 'image')?.data });
      return reply.redirect(`${PAGE}?tb=${saved.owner === 'staff' ? 'anh-chu-ky' : 'anh-con-dau'}#anh-chu-ky`, 303);
    } catch (error) {
      if (!isAppError(error) || error.statusCode >= 500) throw error;
      return showKeys(ctx, request, reply, { appearance: { owner: fields.owner ?? '', errors: formErrors(error.fields), message: error.message } });
    }
  });

  app.get(`${PAGE}/:id/thu-hoi`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const key = await findSigningKey(ctx, request.caller, keyIdParam(request));
    return render(request, reply, 'admin-keys-deactivate', { title: 'Thu hồi khóa ký số', adminMenu: adminMenu(PAGE), key: keyRow(key), backUrl: PAGE });
  });

  app.post(`${PAGE}/:id/thu-hoi`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    try {
      const key = await deactivateSigningKey(ctx, request.caller, keyIdParam(request));
      return reply.redirect(`${PAGE}?tb=thu-hoi&khoa=${enc(key.id)}`, 303);
    } catch (error) {
      if (!isAppError(error) || error.statusCode >= 500 || error.code === 'NOT_FOUND') throw error;
      // A refusal (KEY_ALREADY_INACTIVE, …) is an error on the page, not a success notice.
      return showKeys(ctx, request, reply, { error: error.message }, error.statusCode);
    }
  });
}
