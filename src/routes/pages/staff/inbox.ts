// /can-bo: the inbox of the caller's units — what their roles may act on now, due-soon and overdue highlighted,
// filters (status by label, procedure, channel, overdue) and an accent-free search, 100 dossiers a page.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import type { StaffRow } from '../../../db/repositories/staff.js';
import { can } from '../../../services/access.js';
import { actionableStatusLabels, inboxCursor, inboxPage as readInboxPage } from '../../../services/processing/inbox.js';
import { render } from '../common.js';
import { CHANNEL_LABELS, DOSSIER_CHANNELS } from '../../../services/viewing/channels.js';
import { inboxItemView, queryText, staffOr, type StaffPageOptions } from './shared.js';

type InboxQuery = Record<string, string | undefined>;
type InboxPage = Awaited<ReturnType<typeof readInboxPage>>;

/** The filters a page link keeps (not the cursor, not a flash message). */
const FILTERS = ['q', 'status', 'procedure', 'channel', 'overdue'] as const;

function inboxUrl(query: InboxQuery, after?: string): string {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (query[name]) params.set(name, query[name]);
  if (after) params.set('after', after);
  const search = params.toString();
  return search ? `/can-bo?${search}` : '/can-bo';
}

/** "12 hồ sơ" when everything fits, "100 hồ sơ đầu" on a first page, "hồ sơ 101–200" further on. */
function rangeText(page: InboxPage): string {
  const count = page.items.length;
  if (page.position === 0) return page.next ? `Hiển thị ${count} hồ sơ đầu` : `${count} hồ sơ`;
  return count === 0 ? 'Không còn hồ sơ nào sau trang trước' : `Hiển thị hồ sơ ${page.position + 1}–${page.position + count}`;
}

function inboxModel(ctx: AppContext, staff: StaffRow, page: InboxPage, query: InboxQuery, options: StaffPageOptions, cursorInvalid: boolean) {
  const items = page.items.map((r) => inboxItemView(r));
  return {
    title: 'Hồ sơ cần xử lý', items, query, rangeText: rangeText(page), cursorInvalid,
    nextUrl: page.next ? inboxUrl(query, page.next) : null,
    firstUrl: page.position > 0 || cursorInvalid ? inboxUrl(query) : null,
    overdueCount: items.filter((i) => i.overdue).length, dueSoonCount: items.filter((i) => i.dueSoon).length,
    // The counts are the shown page's: said so when the inbox has more pages (the "Quá hạn" filter lists them all).
    countsOfPageOnly: !!page.next || page.position > 0,
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
    // A cursor that is not one we issued (cut short, edited): the first page, said so, rather than an error page.
    const cursorInvalid = !!query.after && !inboxCursor.safeParse(query.after).success;
    const page = await readInboxPage(ctx, staff, {
      statusLabel: query.status || undefined, procedure: query.procedure || undefined, channel, overdue: query.overdue === 'on',
      search: query.q, after: cursorInvalid ? undefined : query.after || undefined,
    });
    return render(request, reply, 'inbox', inboxModel(ctx, staff, page, query, options, cursorInvalid), cursorInvalid ? 422 : 200);
  });
}
