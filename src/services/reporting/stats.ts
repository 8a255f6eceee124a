// Service-quality indicators (Decision 766/QĐ-TTg) over the dossiers filed in a period, by procedure and by month:
//   online rate        = filed online (on this portal or pushed by the national portal) / filed
//   on-time rate       = decided on or before the due time / decided (received and closed: returned or rejected)
//   late open          = still open, clock running, past the due time
//   satisfaction rate  = decided, on time, not rated "Không hài lòng" and not complained about / decided
//   VNeID rate         = filed online while signed in with VNeID / filed online
//   re-use rate        = filed with at least one document re-used from the citizen's e-document store / filed
//   digitised          = documents the desk digitised into people's stores in the period (for their source dossier,
//                        else for the digitising staff member's unit)
//   complaints         = feedback and complaints (phản ánh, kiến nghị) filed in the period: received, answered,
//                        answered on time, open past their due time
//   index766           = the five groups of Decision 766 with their points (index-766.ts)
// Leaders see their units' reach (complaints: those their agency answers); admins see everything.
import { addDays, isIsoDay, vnInstant, vnToday } from '../../calendar/vn-time.js';
import type { AppContext } from '../../app-context.js';
import type { StatsRow } from '../../db/repositories/stats.js';
import { findAgencyOfUnit, type StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { stateLabel } from '../../workflow/engine.js';
import { can, staffReach } from '../access.js';
import { gatherFigures, ratio, scoreIndex766 } from './index-766.js';

export interface StatsFilter { from?: string; to?: string; procedure?: string }

export interface Indicators {
  dossiers: number; online: number; completed: number; onTime: number; lateOpen: number; rated: number; unsatisfied: number;
  complained: number; satisfactory: number;
  onlineRate: number | null; onTimeRate: number | null; satisfactionRate: number | null;
}

function indicators(rows: StatsRow[]): Indicators {
  const sum = (k: keyof StatsRow) => rows.reduce((n, r) => n + (r[k] as number), 0);
  const s = {
    dossiers: sum('dossiers'), online: sum('online'), completed: sum('completed'), onTime: sum('onTime'),
    lateOpen: sum('lateOpen'), rated: sum('rated'), unsatisfied: sum('unsatisfied'), complained: sum('complained'), satisfactory: sum('satisfactory'),
  };
  return { ...s, onlineRate: ratio(s.online, s.dossiers), onTimeRate: ratio(s.onTime, s.completed), satisfactionRate: ratio(s.satisfactory, s.completed) };
}

/** First day of the month `months` months before `day`'s month. */
function monthStart(day: string, monthsBack: number): string {
  const y = Number(day.slice(0, 4)); const m = Number(day.slice(5, 7)) - 1 - monthsBack;
  const d = new Date(Date.UTC(y, m, 1));
  return d.toISOString().slice(0, 10);
}

export async function serviceStats(ctx: AppContext, staff: StaffRow, filter: StatsFilter, now = new Date()) {
  if (!can(staff, 'stats')) throw new AppError('FORBIDDEN', 'Chỉ lãnh đạo và quản trị viên được xem báo cáo chỉ số.');
  const today = vnToday(now);
  const to = filter.to ?? today;
  const from = filter.from ?? monthStart(today, 11);
  const bad: Record<string, string> = {};
  if (!isIsoDay(from)) bad.from = 'Ngày không hợp lệ (yyyy-mm-dd).';
  if (!isIsoDay(to)) bad.to = 'Ngày không hợp lệ (yyyy-mm-dd).';
  if (!bad.from && !bad.to && from > to) bad.from = 'Từ ngày phải trước đến ngày.';
  if (Object.keys(bad).length > 0) throw new AppError('VALIDATION_FAILED', 'Khoảng thời gian không hợp lệ.', bad);

  const reach = staff.roles.includes('admin') ? undefined : await staffReach(ctx.db, staff);
  const period = { from: vnInstant(from, '00:00'), to: vnInstant(addDays(to, 1), '00:00'), now, procedureId: filter.procedure };
  // A leader counts what their agency answers (services/feedback); an unplaced account counts none.
  const agencyCode = reach ? (await findAgencyOfUnit(ctx.db, staff.unitId))?.code ?? '' : undefined;
  const key = JSON.stringify([from, to, filter.procedure ?? null, reach ? [...reach.unitIds].sort() : null, reach ? [...reach.agencyCodes].sort() : null, agencyCode ?? null]);
  return cached(ctx, key, now, () => computeStats(ctx, { from, to, filter, period, reach, agencyCode, now }));
}

/** What serviceStats computes once the caller and the period are checked. */
async function computeStats(ctx: AppContext, q: {
  from: string; to: string; filter: StatsFilter; period: { from: Date; to: Date; now: Date; procedureId: string | undefined };
  reach: Awaited<ReturnType<typeof staffReach>> | undefined; agencyCode: string | undefined; now: Date;
}) {
  const { from, to, filter, period, reach, agencyCode, now } = q;
  const figures = await gatherFigures(ctx, { ...period, reach }, agencyCode);
  const { rows, complaints, digital: digitalCounts, digitisedDocuments: digitised } = figures;
  const digital = {
    dossiers: digitalCounts.dossiers, online: digitalCounts.online,
    vneid: digitalCounts.vneid, vneidRate: ratio(digitalCounts.vneid, digitalCounts.online),
    withReusedDocument: digitalCounts.withReusedDocument, reuseRate: ratio(digitalCounts.withReusedDocument, digitalCounts.dossiers),
    digitisedDocuments: digitised,
  };

  // Switched-off procedures keep their title: their dossiers are still counted.
  const titles = new Map(ctx.catalog.listAll().map((p) => [p.definition.id, p.definition]));
  const group = <K extends string>(key: (r: StatsRow) => K) => {
    const map = new Map<K, StatsRow[]>();
    for (const r of rows) map.set(key(r), [...(map.get(key(r)) ?? []), r]);
    return map;
  };
  const procedureIds = new Set([...titles.keys(), ...rows.map((r) => r.procedureId)]);
  const byProcedureRows = group((r) => r.procedureId);
  const byProcedure = [...procedureIds]
    .filter((id) => !filter.procedure || id === filter.procedure)
    .map((id) => ({ procedure: { id, title: titles.get(id)?.title ?? id }, ...indicators(byProcedureRows.get(id) ?? []) }));
  const byMonthRows = group((r) => r.month);
  const months: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); m = monthStart(`${m}-01`, -1).slice(0, 7)) months.push(m);
  const byMonth = months.map((month) => ({ month, ...indicators(byMonthRows.get(month) ?? []) }));
  const statusCounts = new Map<string, { procedureId: string; status: string; count: number }>();
  for (const r of rows) {
    const key = `${r.procedureId}\u0000${r.status}`;
    const entry = statusCounts.get(key) ?? { procedureId: r.procedureId, status: r.status, count: 0 };
    entry.count += r.dossiers;
    statusCounts.set(key, entry);
  }
  const byStatus = [...statusCounts.values()].map((s) => {
    const definition = titles.get(s.procedureId);
    return { procedure: s.procedureId, status: s.status, statusLabel: definition ? stateLabel(definition, s.status) : s.status, count: s.count };
  });
  const published = ctx.catalog.list().map((p) => p.definition).filter((d) => !filter.procedure || d.id === filter.procedure);
  const index766 = scoreIndex766(figures, published);
  return { from, to, procedure: filter.procedure ?? null, generatedAt: now.toISOString(), totals: indicators(rows), byProcedure, byMonth, byStatus, complaints, digital, index766 };
}

export type ServiceStats = Awaited<ReturnType<typeof computeStats>>;

/**
 * The figures of one (period, procedure, reach) computed within the last STATS_CACHE_MS, per process: they are
 * aggregates over every dossier filed in the period — with 100,000 dossiers in the default 12 months, 0.2–0.3 s of
 * PostgreSQL CPU (one scan, db/repositories/stats.ts periodFigures), and leaders open the dashboard again and again
 * (bench:growth, bench/README.md). Concurrent requests for the same key share one computation. `generatedAt` in the
 * answer says when it was computed. At most STATS_CACHE_KEYS keys, the oldest dropped first. STATS_CACHE_MS=0 computes
 * on every request (the tests' default).
 */
const STATS_CACHE_KEYS = 200;
const statsCaches = new WeakMap<AppContext, Map<string, { at: number; value: Promise<ServiceStats> }>>();

async function cached(ctx: AppContext, key: string, now: Date, compute: () => Promise<ServiceStats>): Promise<ServiceStats> {
  const ttl = ctx.config.statsCacheMs;
  if (ttl <= 0) return compute();
  let cache = statsCaches.get(ctx);
  if (!cache) statsCaches.set(ctx, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && now.getTime() - hit.at < ttl) return hit.value;
  const value = compute();
  cache.delete(key);
  cache.set(key, { at: now.getTime(), value });
  // A failed computation is not kept: the next request tries again.
  value.catch(() => { if (cache.get(key)?.value === value) cache.delete(key); });
  for (const oldest of cache.keys()) {
    if (cache.size <= STATS_CACHE_KEYS) break;
    cache.delete(oldest);
  }
  return value;
}
