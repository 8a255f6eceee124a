// Sổ văn bản (/quan-tri/so-van-ban): an agency's register of one year (outgoing documents or copies issued) in
// number order with "Xem thêm", its CSV/XLSX export links (GET /api/admin/document-register), and the document kinds,
// each with its form (name, type abbreviation, register).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { DOCUMENT_REGISTERS } from '../../../db/schema/index.js';
import { isAppError } from '../../../errors.js';
import { listAgencyViews } from '../../../services/administration/organisation.js';
import { changeKind, KIND_ABBREVIATION_PATTERN, listKinds, REGISTER_LABELS } from '../../../services/numbering/document-kinds.js';
import {
  parseRegisterQuery, registerPage, type RegisterPage, type RegisterQuery,
} from '../../../services/numbering/document-register.js';
import { readPageForm, render } from '../common.js';
import { adminMenu, adminOr, flashText, htmlPattern } from './shared.js';

const PAGE = '/quan-tri/so-van-ban';
const FILTERS = ['agency', 'year', 'register'] as const;

/** A kind's form sent back with its problems (the other kinds show as stored). */
interface KindForm { key: string; values: Record<string, string>; errors: Record<string, string>; message: string }

/** Page query strings take the last of repeated values (docs/API.md); empty ones count as absent. */
function queryValue(raw: unknown): string | undefined {
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 64) : undefined;
}

async function showPage(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, kindForm?: KindForm) {
  const raw = request.query as Record<string, unknown>;
  const wanted = Object.fromEntries([...FILTERS, 'after'].map((k) => [k, queryValue(raw[k])]).filter(([, v]) => v !== undefined));
  let register: RegisterPage | undefined;
  let problem: { message: string; fields: Record<string, string>; status: number } | undefined;
  let query: RegisterQuery | undefined;
  try {
    query = parseRegisterQuery({ ...wanted, format: 'json' });
    register = await registerPage(ctx, request.caller, query);
  } catch (error) {
    if (!isAppError(error) || error.statusCode >= 500 || error.statusCode === 403 || error.statusCode === 401) throw error;
    problem = { message: error.message, fields: error.fields ?? {}, status: error.statusCode };
  }
  const agencies = await listAgencyViews(ctx, request.caller);
  const shown = register ? { agency: register.agency.code, year: String(register.year), register: register.register } : {
    agency: String(wanted.agency ?? ''), year: String(wanted.year ?? ''), register: String(wanted.register ?? 'outgoing'),
  };
  const params = new URLSearchParams(shown);
  const exportUrl = (format: string) => `/api/admin/document-register?${new URLSearchParams({ ...shown, format })}`;
  const more = register?.next != null ? new URLSearchParams({ ...shown, after: String(register.next) }) : undefined;
  const kinds = (await listKinds(ctx, request.caller)).map((kind) => {
    const editing = kindForm?.key === kind.key ? kindForm : undefined;
    const values = editing ? { ...kind, ...editing.values } : kind;
    return {
      ...kind, values, errors: editing?.errors ?? {}, message: editing?.message, registerLabel: REGISTER_LABELS[kind.register],
      registers: DOCUMENT_REGISTERS.map((r) => ({ value: r, label: REGISTER_LABELS[r], selected: r === values.register })),
      action: `${PAGE}/loai/${encodeURIComponent(kind.key)}`,
    };
  });
  const savedKey = queryValue(raw.loai);
  const saved = kinds.find((k) => k.key === savedKey);
  return render(request, reply, 'admin-document-register', {
    title: 'Sổ văn bản và loại văn bản', adminMenu: adminMenu(PAGE),
    flash: flashText(request, {
      'da-luu': saved
        ? `Đã lưu loại văn bản "${saved.name}" (${saved.abbreviation}, ${saved.registerLabel}); số cấp từ nay theo ký hiệu mới, số đã cấp giữ nguyên.`
        : 'Đã lưu loại văn bản.',
    }),
    filter: shown, problem,
    agencies: agencies.map((a) => ({ code: a.code, label: a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name, selected: a.code === shown.agency })),
    registers: DOCUMENT_REGISTERS.map((r) => ({ value: r, label: REGISTER_LABELS[r], selected: r === shown.register })),
    register: register && {
      ...register,
      items: register.items.map((item) => ({ ...item, dossierUrl: `/can-bo/ho-so/${encodeURIComponent(item.dossierCode)}`, recipientsText: item.recipients.join('; ') })),
    },
    years: register?.years.map((y) => ({ year: y, url: `${PAGE}?${new URLSearchParams({ ...shown, year: String(y) })}`, current: String(y) === shown.year })) ?? [],
    continued: query?.after !== undefined, firstUrl: `${PAGE}?${params}`, moreUrl: more ? `${PAGE}?${more}` : null,
    csvUrl: exportUrl('csv'), xlsxUrl: exportUrl('xlsx'),
    kinds, abbreviationPattern: htmlPattern(KIND_ABBREVIATION_PATTERN),
  }, kindForm ? 422 : problem?.status ?? 200);
}

export function documentRegisterPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(PAGE, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showPage(ctx, request, reply);
  });

  app.post(`${PAGE}/loai/:key`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { key } = request.params as { key: string };
    const { fields } = await readPageForm(request);
    const values = { name: fields.name ?? '', abbreviation: fields.abbreviation ?? '', register: fields.register ?? '' };
    try {
      await changeKind(ctx, request.caller, key, values);
      return reply.redirect(`${PAGE}?tb=da-luu&loai=${encodeURIComponent(key)}#loai-van-ban`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      return showPage(ctx, request, reply, { key, values, errors: error.fields ?? {}, message: error.message });
    }
  });
}
