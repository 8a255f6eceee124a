// Nhật ký hệ thống (/quan-tri/nhat-ky): the filter form (period, account, action, dossier), the newest entries first
// with "Xem thêm" for older ones, and the CSV export of the same filter (GET /api/admin/audit?format=csv).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { isAppError } from '../../../errors.js';
import { auditActionChoices, detailsText, listAuditLog, MAX_EXPORT_DAYS, type AuditQuery } from '../../../services/administration/audit-log.js';
import { render } from '../common.js';
import { adminMenu, adminOr } from './shared.js';

const PAGE = '/quan-tri/nhat-ky';
const FILTERS = ['from', 'to', 'actor', 'action', 'dossier'] as const;

const ACTOR_KINDS: Record<string, string> = { staff: 'Cán bộ', citizen: 'Công dân', system: 'Hệ thống', anonymous: 'Không xác định' };

function text(value: unknown, max = 64): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

export function auditPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(PAGE, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const raw = request.query as Record<string, unknown>;
    const filter = Object.fromEntries(FILTERS.map((k) => [k, text(raw[k])])) as Record<(typeof FILTERS)[number], string>;
    const before = /^[1-9][0-9]{0,15}$/.test(text(raw.before)) ? Number(raw.before) : undefined;
    const query: AuditQuery = { ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== '')), before };
    const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== ''));
    let page: Awaited<ReturnType<typeof listAuditLog>> = { items: [], next: null };
    let problem: { message: string; fields: Record<string, string> } | undefined;
    try {
      page = await listAuditLog(ctx, request.caller, query);
    } catch (error) {
      if (!isAppError(error) || error.statusCode >= 500 || error.statusCode === 403) throw error;
      problem = { message: error.message, fields: error.fields ?? {} };
    }
    const more = page.next !== null ? new URLSearchParams(params) : undefined;
    more?.set('before', String(page.next));
    const csv = new URLSearchParams(params);
    csv.set('format', 'csv');
    return render(request, reply, 'admin-audit', {
      title: 'Nhật ký hệ thống', adminMenu: adminMenu(PAGE), filter, problem, maxExportDays: MAX_EXPORT_DAYS, continued: before !== undefined,
      actions: auditActionChoices().map((c) => ({ ...c, selected: c.value === filter.action })),
      items: page.items.map((item) => ({
        ...item, actorKindLabel: ACTOR_KINDS[item.actorKind] ?? item.actorKind, detailsText: detailsText(item.details),
        dossierUrl: item.action.startsWith('dossier.') && item.target ? `/can-bo/ho-so/${encodeURIComponent(item.target)}` : null,
      })),
      moreUrl: more ? `${PAGE}?${more}` : null, firstUrl: before !== undefined ? `${PAGE}?${params}` : null,
      csvUrl: `/api/admin/audit?${csv}`,
    }, problem ? 422 : 200);
  });
}
