// Kỳ tuyển sinh (/quan-tri/tuyen-sinh): the list, and one form to create or edit a campaign — its windows as
// datetime-local in Vietnam time, and every school unit with a quota box (empty = not taking part).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { fromVnLocalDateTime, vnLocalDateTime } from '../../../calendar/vn-time.js';
import { isAppError } from '../../../errors.js';
import {
  CAMPAIGN_GRADES, campaignSchoolChoices, createCampaign, getCampaign, LATER_WINDOWS, listCampaignViews, updateCampaign, type CampaignView,
} from '../../../services/administration/campaigns.js';
import { WINDOW_LABELS } from '../../../services/admissions/windows.js';
import { CHOICE_FIELDS } from '../../../services/intake/admissions.js';
import { readPageForm, render } from '../common.js';
import { enc } from '../staff/shared.js';
import { adminMenu, adminOr, flashText } from './shared.js';

const BASE = '/quan-tri/tuyen-sinh';
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
/** Every window of the season in the order it runs (pre-verification comes before registration); only registration is required. */
const WINDOWS = (['preVerification', 'registration', ...LATER_WINDOWS.filter((w) => w !== 'preVerification')] as const).map((key) => ({
  key, label: capitalised(WINDOW_LABELS[key]), required: key === 'registration',
}));
const RULE_LABELS = { 'choice-priority': 'Ưu tiên nguyện vọng (xét hết NV1 rồi mới đến NV2)', 'deferred-acceptance': 'Xét tuyển theo điểm, chấp nhận trì hoãn (deferred acceptance)' };

type Values = Record<string, string>;

/** A campaign as the form's string values. */
function valuesOf(c: CampaignView): Values {
  const values: Values = {
    id: c.id, name: c.name, grade: String(c.grade), schoolYear: c.schoolYear, choices: String(c.choices), rule: c.rule, tieBreak: c.tieBreak.join(', '),
  };
  for (const { key } of WINDOWS) {
    const w = c.windows[key];
    if (w) for (const end of ['opensAt', 'closesAt'] as const) values[`windows.${key}.${end}`] = vnLocalDateTime(new Date(w[end]));
  }
  for (const s of c.schools) values[`quota.${s.unitId}`] = String(s.quota);
  return values;
}

/** The form's strings as the service's input; a datetime-local that does not read is passed on for the service to refuse. */
function inputOf(values: Values, schools: Array<{ unitId: string }>, withId: boolean): Record<string, unknown> {
  const text = (name: string) => values[name]?.trim() ?? '';
  const number = (name: string) => (text(name) === '' ? undefined : Number(text(name)));
  const windows: Record<string, unknown> = {};
  for (const { key } of WINDOWS) {
    const ends = (['opensAt', 'closesAt'] as const).map((end) => text(`windows.${key}.${end}`));
    if (key !== 'registration' && ends.every((v) => v === '')) continue;
    const [opensAt, closesAt] = ends.map((v) => (v === '' ? undefined : fromVnLocalDateTime(v)?.toISOString() ?? v));
    windows[key] = { opensAt, closesAt };
  }
  return {
    ...(withId ? { id: text('id') } : {}),
    name: text('name'), grade: number('grade'), schoolYear: text('schoolYear'), choices: number('choices'), rule: text('rule') || undefined,
    tieBreak: text('tieBreak').split(/[\s,;]+/).filter(Boolean), windows,
    schools: schools.filter((s) => text(`quota.${s.unitId}`) !== '').map((s) => ({ unitId: s.unitId, quota: number(`quota.${s.unitId}`) })),
  };
}

/** Service field paths ("schools.2.quota") as the form's input names ("quota.thpt-lam-son"). */
function formErrors(fields: Record<string, string>, sent: Array<{ unitId: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const school = /^schools\.(\d+)\./.exec(path);
    const name = school ? `quota.${sent[Number(school[1])]?.unitId ?? ''}` : path;
    out[name] = out[name] ? `${out[name]} ${message}` : message;
  }
  return out;
}

async function showForm(
  ctx: AppContext, request: FastifyRequest, reply: FastifyReply,
  state: { campaign?: CampaignView; values: Values; errors?: Record<string, string>; message?: string },
) {
  const errors = state.errors ?? {};
  const v = state.values;
  const field = (name: string, label: string, extra: Record<string, unknown> = {}) => ({
    id: name.replaceAll('.', '-'), name, label, kind: 'input', inputType: 'text', value: v[name] ?? '', error: errors[name], ...extra,
  });
  const general = [
    ...(state.campaign ? [] : [field('id', 'Mã kỳ tuyển sinh', {
      required: true, maxLength: 49, pattern: '[a-z0-9][a-z0-9\\-]{1,48}', help: 'Chữ thường không dấu, chữ số, dấu gạch ngang; không đổi được sau khi tạo. Ví dụ: ts10-2026.',
    })]),
    field('name', 'Tên kỳ tuyển sinh', { required: true, maxLength: 200 }),
    field('grade', 'Lớp tuyển sinh', {
      kind: 'select', required: true, options: CAMPAIGN_GRADES.map((g) => ({ value: String(g), label: `Lớp ${g}`, selected: v.grade === String(g) })),
    }),
    field('schoolYear', 'Năm học', { required: true, maxLength: 9, pattern: '\\d{4}-\\d{4}', help: 'Ví dụ: 2026-2027.' }),
    field('choices', 'Số nguyện vọng tối đa', { inputType: 'number', inputMode: 'numeric', required: true, min: 1, max: CHOICE_FIELDS.length }),
    field('rule', 'Quy tắc xét tuyển', {
      kind: 'select', required: true, options: Object.entries(RULE_LABELS).map(([value, label]) => ({ value, label, selected: v.rule === value })),
    }),
    field('tieBreak', 'Tiêu chí phụ khi bằng điểm (theo thứ tự, cách nhau bởi dấu phẩy)', { maxLength: 400, help: 'Ví dụ: priorityPoints, score.' }),
  ];
  const windows = WINDOWS.map((w) => ({
    label: w.label, required: w.required,
    fields: (['opensAt', 'closesAt'] as const).map((end) => field(`windows.${w.key}.${end}`, end === 'opensAt' ? 'Bắt đầu' : 'Kết thúc', {
      inputType: 'datetime-local', required: w.required,
    })),
  }));
  const known = new Map((state.campaign?.schools ?? []).map((s) => [s.unitId, s]));
  const schools = (await campaignSchoolChoices(ctx, request.caller)).map((s) => {
    const name = `quota.${s.unitId}`;
    const taken = known.get(s.unitId);
    return { ...s, inputName: name, inputId: name.replaceAll('.', '-'), value: v[name] ?? '', error: errors[name], places: taken?.places ?? 0, registrations: taken?.registrations ?? 0 };
  });
  const title = state.campaign ? `Sửa kỳ tuyển sinh ${state.campaign.id}` : 'Tạo kỳ tuyển sinh';
  return render(request, reply, 'admin-campaigns-form', {
    title, adminMenu: adminMenu(BASE), campaign: state.campaign, general, windows, schools,
    action: state.campaign ? `${BASE}/${enc(state.campaign.id)}` : `${BASE}/moi`,
    message: state.message, schoolsError: errors.schools, windowsError: errors.windows,
  }, state.message ? 422 : 200);
}

/** Saves the posted form through the service; a refusal shows the form again with the messages. */
async function saveForm(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, campaign?: CampaignView) {
  const { fields } = await readPageForm(request);
  const schools = await campaignSchoolChoices(ctx, request.caller);
  const input = inputOf(fields, schools, !campaign);
  try {
    const saved = campaign ? await updateCampaign(ctx, request.caller, campaign.id, input) : await createCampaign(ctx, request.caller, input);
    return reply.redirect(`${BASE}?tb=da-luu&ky=${enc(saved.id)}`, 303);
  } catch (error) {
    if (!isAppError(error) || (error.code !== 'VALIDATION_FAILED' && error.code !== 'CAMPAIGN_EXISTS')) throw error;
    const sent = (input.schools as Array<{ unitId: string }>);
    return showForm(ctx, request, reply, { campaign, values: fields, errors: formErrors(error.fields ?? {}, sent), message: error.message });
  }
}

/** The notice after saving (?tb=da-luu&ky=<id>): a fixed text, the campaign's name read from the list, not the link. */
function savedNotice(request: FastifyRequest, items: Array<{ id: string; name: string }>): string | undefined {
  const id = (request.query as Record<string, unknown>).ky;
  const saved = items.find((c) => c.id === id);
  return flashText(request, { 'da-luu': saved ? `Đã lưu kỳ tuyển sinh "${saved.name}".` : 'Đã lưu kỳ tuyển sinh.' });
}

export function campaignPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(BASE, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const now = Date.now();
    const items = (await listCampaignViews(ctx, request.caller)).map((c) => ({
      ...c, url: `${BASE}/${enc(c.id)}`,
      state: c.open ? 'Đang mở đăng ký' : Date.parse(c.windows.registration.opensAt) > now ? 'Chưa mở' : 'Đã hết hạn đăng ký',
      quota: c.schools.reduce((sum, s) => sum + s.quota, 0), places: c.schools.reduce((sum, s) => sum + s.places, 0),
      registrations: c.schools.reduce((sum, s) => sum + s.registrations, 0),
    }));
    return render(request, reply, 'admin-campaigns', {
      title: 'Kỳ tuyển sinh', adminMenu: adminMenu(BASE), items, flash: savedNotice(request, items),
    });
  });

  app.get(`${BASE}/moi`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showForm(ctx, request, reply, { values: { choices: String(CHOICE_FIELDS.length), rule: 'choice-priority' } });
  });

  app.post(`${BASE}/moi`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return saveForm(ctx, request, reply);
  });

  app.get(`${BASE}/:id`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const campaign = await getCampaign(ctx, request.caller, (request.params as { id: string }).id);
    return showForm(ctx, request, reply, { campaign, values: valuesOf(campaign) });
  });

  app.post(`${BASE}/:id`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return saveForm(ctx, request, reply, await getCampaign(ctx, request.caller, (request.params as { id: string }).id));
  });
}
