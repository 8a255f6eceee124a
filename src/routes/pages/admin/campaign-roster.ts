// Tiền kiểm (/quan-tri/tuyen-sinh/:id/tien-kiem): the pre-verification roster of one campaign — the import form (per-line
// errors in a table), counts per status, and the rows filterable by status and by pupil ID or name, a page at a time.
// The same services as the API (routes/api/admin/campaign-roster.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError, isAppError, validationFailed } from '../../../errors.js';
import { getCampaign } from '../../../services/administration/campaigns.js';
import { SEASON_MAX_BYTES, seasonFileLimits, seasonTooLargeMessage } from '../../../services/admissions/import-file.js';
import { importRoster, readRoster, ROSTER_STATUS_LABELS, ROSTER_STATUSES, rosterQuery } from '../../../services/admissions/roster.js';
import { render } from '../common.js';
import { enc } from '../staff/shared.js';
import { adminMenu, adminOr, flashText, readUploadForm } from './shared.js';

const BASE = '/quan-tri/tuyen-sinh';
const GENDER_LABELS: Record<string, string> = { male: 'Nam', female: 'Nữ' };
const FIELD_LABELS: Record<string, string> = { fullName: 'Họ tên', birthDate: 'Ngày sinh', gender: 'Giới tính', currentSchool: 'Trường', residence: 'Nơi cư trú' };

const campaignIdOf = (request: FastifyRequest) => (request.params as { id: string }).id;
const vnDate = (iso: string) => iso.split('-').reverse().join('/');

export function campaignRosterPages(app: FastifyInstance, ctx: AppContext): void {
  const show = async (request: FastifyRequest, reply: FastifyReply, outcome: { message?: string; lines?: Array<{ line: string; message: string }> } = {}, status = 200) => {
    const campaign = await getCampaign(ctx, request.caller, campaignIdOf(request));
    const raw = request.query as Record<string, unknown>;
    const parsed = rosterQuery.safeParse({ status: raw.status || undefined, q: raw.q || undefined, page: raw.page || undefined });
    if (!parsed.success) throw validationFailed(parsed.error, 'Đường dẫn trang không hợp lệ.');
    const query = parsed.data;
    const roster = await readRoster(ctx, request.caller, campaign.id, query);
    const path = `${BASE}/${enc(campaign.id)}/tien-kiem`;
    const link = (page: number) => `${path}?${new URLSearchParams({ ...(query.status ? { status: query.status } : {}), ...(query.q ? { q: query.q } : {}), page: String(page) })}`;
    return render(request, reply, 'admin-campaign-roster', {
      title: `Tiền kiểm — ${campaign.name}`, adminMenu: adminMenu(BASE), campaign, action: path, ...outcome,
      window: campaign.windows.preVerification ?? null,
      fileLimits: seasonFileLimits(),
      counts: ROSTER_STATUSES.map((s) => ({ status: s, label: ROSTER_STATUS_LABELS[s], count: roster.counts[s] })),
      statuses: ROSTER_STATUSES.map((s) => ({ value: s, label: ROSTER_STATUS_LABELS[s], selected: s === query.status })),
      q: query.q ?? '', total: roster.total,
      items: roster.items.map((r) => ({
        ...r, birthDateText: vnDate(r.birthDate), genderText: r.gender ? GENDER_LABELS[r.gender] ?? r.gender : '', statusLabel: ROSTER_STATUS_LABELS[r.status],
        correctionsText: Object.entries(r.corrections).map(([f, c]) => `${FIELD_LABELS[f] ?? f}: ${c.from ?? '—'} → ${c.to}`).join('; '),
      })),
      prevUrl: query.page > 1 ? link(query.page - 1) : null,
      nextUrl: query.page * roster.pageSize < roster.total ? link(query.page + 1) : null,
      flash: flashText(request, { 'da-nhap': 'Đã nhập danh sách tiền kiểm; các dòng cha mẹ đã xác nhận hoặc điều chỉnh được giữ nguyên.' }),
    }, status);
  };

  app.get(`${BASE}/:id/tien-kiem`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return show(request, reply);
  });

  // Multipart: the CSRF token rides in the query string (routes/pages/index.ts getToken).
  app.post(`${BASE}/:id/tien-kiem`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const campaignId = campaignIdOf(request);
    try {
      const body = await readUploadForm(request, reply, { fileSize: SEASON_MAX_BYTES, files: 1 }).catch((error: unknown) => {
        throw isAppError(error) && error.code === 'FILE_TOO_LARGE' ? new AppError('FILE_TOO_LARGE', seasonTooLargeMessage()) : error;
      });
      const file = body.files.find((f) => f.fieldName === 'file');
      if (!file) throw new AppError('VALIDATION_FAILED', 'Chưa chọn tệp.', { file: 'Chọn tệp CSV hoặc XLSX.' });
      await importRoster(ctx, request.caller, campaignId, { fileName: file.fileName, data: file.data });
      return reply.redirect(`${BASE}/${enc(campaignId)}/tien-kiem?tb=da-nhap`, 303);
    } catch (error) {
      // The caller's problems are shown next to the form; a refusal of access or a server fault is the error page.
      if (!isAppError(error) || error.statusCode >= 500 || ['FORBIDDEN', 'UNAUTHENTICATED', 'NOT_FOUND'].includes(error.code)) throw error;
      const lines = Object.entries(error.fields ?? {}).map(([line, message]) => ({ line: line.replace(/^line /, 'Dòng ').replace(/^file$/, 'Tệp'), message }));
      return show(request, reply, { message: error.message, lines }, error.statusCode);
    }
  });
}
