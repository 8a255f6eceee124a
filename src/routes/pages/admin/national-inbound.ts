// Liên thông Cổng DVC quốc gia (/quan-tri/lien-thong): the dossiers the national portal pushed to us, newest first,
// filtered by outcome, with "Xem thêm" for older ones (services/national-portal/inbound-log.ts), and the way to the
// outbound sync's page (/quan-tri/lien-thong/dong-bo).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { INBOUND_OUTCOME_LABELS, INBOUND_OUTCOMES, listInboundLog } from '../../../services/national-portal/inbound-log.js';
import { render } from '../common.js';
import { enc } from '../staff/shared.js';
import { adminMenu, adminOr } from './shared.js';

const PAGE = '/quan-tri/lien-thong';

export function nationalInboundPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(PAGE, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const raw = request.query as Record<string, unknown>;
    const outcome = INBOUND_OUTCOMES.find((o) => o === raw.outcome);
    const before = typeof raw.before === 'string' && /^[1-9][0-9]{0,15}$/.test(raw.before) ? Number(raw.before) : undefined;
    const page = await listInboundLog(ctx, request.caller, { outcome, before });
    const params = new URLSearchParams(outcome ? { outcome } : {});
    const more = page.next !== null ? new URLSearchParams(params) : undefined;
    more?.set('before', String(page.next));
    return render(request, reply, 'admin-national-inbound', {
      title: 'Liên thông Cổng Dịch vụ công quốc gia',
      adminMenu: adminMenu(PAGE),
      configured: Boolean(ctx.config.nationalPortal),
      portalUrl: ctx.config.nationalPortal?.url ?? null,
      outcomes: INBOUND_OUTCOMES.map((o) => ({ value: o, label: INBOUND_OUTCOME_LABELS[o], selected: o === outcome })),
      items: page.items.map((item) => ({
        ...item,
        refused: item.outcome === 'refused',
        dossierUrl: item.dossierCode ? `/can-bo/ho-so/${enc(item.dossierCode)}` : null,
        fieldsText: fieldsText(item.details),
      })),
      filtered: Boolean(outcome),
      continued: before !== undefined,
      moreUrl: more ? `${PAGE}?${more}` : null,
      firstUrl: `${PAGE}${params.size > 0 ? `?${params}` : ''}`,
    });
  });
}

/** A refusal's per-field problems as one line ("field: message; …"). */
function fieldsText(details: Record<string, unknown> | null): string {
  const fields = details?.fields;
  if (!fields || typeof fields !== 'object') return '';
  return Object.entries(fields as Record<string, unknown>).map(([k, v]) => `${k}: ${String(v)}`).join('; ');
}
