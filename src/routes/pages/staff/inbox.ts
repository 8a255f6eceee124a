// /can-bo: the inbox of the caller's units — what their roles may act on now, due-soon and overdue highlighted,
// filters (status by label, procedure, channel, overdue) and an accent-free search.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import type { StaffRow } from '../../../db/repositories/staff.js';
import { can } from '../../../services/access.js';
import { actionableStatusLabels, inbox, type InboxRow } from '../../../services/processing/inbox.js';
import { foldAccents, render } from '../common.js';
import { CHANNEL_LABELS, DOSSIER_CHANNELS } from '../../../services/viewing/channels.js';
import { inboxItemView, queryText, staffOr, type StaffPageOptions } from './shared.js';

type InboxQuery = Record<string, string | undefined>;

/** Rows matching the status label (procedures name the same step differently) and every word of the search. */
export function filterInbox(rows: InboxRow[], query: InboxQuery): InboxRow[] {
  const words = foldAccents(query.q ?? '').split(' ').filter(Boolean);
  return rows
    .filter((r) => !query.status || r.statusLabel === query.status)
    .filter((r) => words.every((w) => foldAccents(`${r.code} ${r.applicantName} ${r.procedure.title}`).includes(w)));
}

function inboxModel(ctx: AppContext, staff: StaffRow, rows: InboxRow[], query: InboxQuery, options: StaffPageOptions) {
  const items = filterInbox(rows, query).map((r) => inboxItemView(r));
  return {
    title: 'Hồ sơ cần xử lý', items, query,
    overdueCount: items.filter((i) => i.overdue).length, dueSoonCount: items.filter((i) => i.dueSoon).length,
    statuses: actionableStatusLabels(ctx, staff).map((label) => ({ value: label, label, selected: label === query.status })),
    // Switched-off procedures too: their dossiers are still processed.
    channels: DOSSIER_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c], selected: c === query.channel })),
    procedures: ctx.catalog.listAll().map((p) => ({ value: p.definition.id, label: p.definition.title, selected: p.definition.id === query.procedure })),
    trackingBookUrl: options.trackingBookUrl && can(staff, 'tracking-book') ? `${options.trackingBookUrl}?format=xlsx` : null,
  };
}

export function inboxPage(app: FastifyInstance, ctx: AppContext, options: StaffPageOptions): void {
  app.get('/can-bo', async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    // An account that only administers handles no dossiers: its home is the administration (and the first-run set-up).
    if (staff.roles.every((role) => role === 'admin') && staff.roles.length > 0) return reply.redirect('/quan-tri', 303);
    const query: InboxQuery = queryText(request);
    const channel = DOSSIER_CHANNELS.find((c) => c === query.channel);
    const rows = await inbox(ctx, staff, { procedure: query.procedure || undefined, channel, overdue: query.overdue === 'on', limit: 500 });
    return render(request, reply, 'inbox', inboxModel(ctx, staff, rows, query, options));
  });
}
