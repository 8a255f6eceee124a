// /can-bo/chi-so: service-quality indicators (Decision 766) by procedure and month with SVG charts, and the index's five
// groups with their points and formulas; the service decides who may see them (PERMISSIONS.stats) and over which units.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { serviceStats } from '../../../services/reporting/stats.js';
import { formatShortTimeVN } from '../../../services/results/one-stop-forms.js';
import { statsCharts } from '../charts.js';
import { render } from '../common.js';
import { index766View, pct } from '../index-766-view.js';
import { enc, queryText, staffOr, type StaffPageOptions } from './shared.js';

type Stats = Awaited<ReturnType<typeof serviceStats>>;
type Rates = { onlineRate: number | null; onTimeRate: number | null; satisfactionRate: number | null };

const withRates = <T extends Rates>(r: T) => ({ ...r, online_: pct(r.onlineRate), onTime_: pct(r.onTimeRate), satisfaction_: pct(r.satisfactionRate) });

function dashboardModel(ctx: AppContext, stats: Stats, procedure: string | undefined, trackingBookUrl: string | null) {
  return {
    title: 'Chỉ số chất lượng phục vụ', stats, totals: withRates(stats.totals),
    // The figures may come from the cache (STATS_CACHE_MS): say when they were computed.
    generatedAt: formatShortTimeVN(new Date(stats.generatedAt)),
    digital: { ...stats.digital, vneid_: pct(stats.digital.vneidRate), reuse_: pct(stats.digital.reuseRate) },
    byProcedure: stats.byProcedure.map(withRates), byMonth: stats.byMonth.map(withRates), charts: statsCharts(stats),
    index766: index766View(stats.index766),
    // Switched-off procedures too: their dossiers still count.
    procedures: ctx.catalog.listAll().map((p) => ({ value: p.definition.id, label: p.definition.title, selected: p.definition.id === procedure })),
    apiUrl: `/api/stats?from=${enc(stats.from)}&to=${enc(stats.to)}${procedure ? `&procedure=${enc(procedure)}` : ''}`,
    trackingBookUrl: trackingBookUrl ? `${trackingBookUrl}?from=${enc(stats.from)}&to=${enc(stats.to)}&format=xlsx` : null,
  };
}

export function dashboardPage(app: FastifyInstance, ctx: AppContext, options: StaffPageOptions): void {
  app.get('/can-bo/chi-so', async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    const query = queryText(request);
    const filter = { from: query.from || undefined, to: query.to || undefined, procedure: query.procedure || undefined };
    const stats = await serviceStats(ctx, staff, filter);
    return render(request, reply, 'dashboard', dashboardModel(ctx, stats, filter.procedure, options.trackingBookUrl));
  });
}
