// `npm run bench:assignment`: the admission assignment engine (src/admissions/assignment.ts) on a province-sized
// season — 100,000 pupils × 8 choices over 300 schools, totals 0-50 in 0.25 steps with heavy ties — for both rules,
// against a baseline measured in the same run: sorting the same 100,000 pupils once by the same merit order with a
// plain Array.prototype.sort (what any assignment must at least do). Prints the median time of each, the proposals
// and rounds, and last `deferred-acceptance/sort ratio: X`. Never fails on time; exits 1 only when the result is not
// an assignment (a quota exceeded, nobody placed), since then it measured nothing.
import { assign, type AssignmentInput, type AssignmentPupil, type AssignmentResult, type AssignmentRule } from '../src/admissions/assignment.js';
import { lotteryKey } from '../src/admissions/lottery.js';
import { mulberry32 } from '../test/helpers/seeded-random.js';

const PUPILS = Number(process.env.BENCH_PUPILS ?? 100_000);
const SCHOOLS = Number(process.env.BENCH_SCHOOLS ?? 300);
const CHOICES = Number(process.env.BENCH_CHOICES ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Seats for about three pupils in four, as in Ho Chi Minh City's public grade 10 (2025). */
const SEAT_SHARE = 0.75;
const DISTRICTS = 22;

function buildSeason(): AssignmentInput {
  const random = mulberry32(2026);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const quarter = (x: number, max: number) => Math.min(max, Math.max(0, Math.round(x * 4) / 4));

  // Schools: a district and a prestige; the prestigious ones are wanted by many and get somewhat larger quotas.
  const schools = Array.from({ length: SCHOOLS }, (_, s) => ({
    id: `school-${String(s).padStart(3, '0')}`,
    district: s % DISTRICTS,
    prestige: normal(),
    weight: 0.5 + random(),
  }));
  const weightSum = schools.reduce((sum, s) => sum + s.weight, 0);
  const programs = schools.map((s) => ({ id: s.id, quota: Math.round((PUPILS * SEAT_SHARE * s.weight) / weightSum) }));

  // Pupils: total = (maths + literature) × 2 + English (each 0-10 in 0.25 steps, Hanoi's formula, max 50) plus
  // priority points; about 200 distinct totals for 100,000 pupils, so ~500 pupils share a total.
  const seed = 'bench-tuyen-sinh-10';
  const utility = new Float64Array(SCHOOLS);
  const pupils: AssignmentPupil[] = [];
  for (let i = 0; i < PUPILS; i++) {
    const ability = normal();
    const subject = () => quarter(6.2 + 1.6 * ability + 1.1 * normal(), 10);
    const maths = subject();
    const literature = subject();
    const english = subject();
    const draw = random();
    const priority = draw < 0.8 ? 0 : draw < 0.9 ? 0.5 : draw < 0.96 ? 1 : draw < 0.99 ? 1.5 : 2;
    const total = Math.min(50, (maths + literature) * 2 + english + priority);
    const grade9 = Math.round(Math.min(10, Math.max(5, 7.6 + 0.9 * ability + 0.5 * normal())) * 100) / 100;
    const district = Math.floor(random() * DISTRICTS);
    // Better pupils reach for prestige; everyone prefers schools near home; the rest is taste.
    const reach = 0.35 + 0.3 * ability;
    for (let s = 0; s < SCHOOLS; s++) {
      const school = schools[s]!;
      const away = Math.min(Math.abs(school.district - district), DISTRICTS - Math.abs(school.district - district));
      utility[s] = reach * school.prestige - 0.6 * away + 0.8 * normal();
    }
    const length = random() < 0.1 ? 3 + Math.floor(random() * (CHOICES - 3)) : CHOICES;
    // The `length` schools of highest utility, best first (insertion into a short list: no sort of 300 per pupil).
    const best: number[] = [];
    for (let s = 0; s < SCHOOLS; s++) {
      if (best.length === length && utility[s]! <= utility[best[length - 1]!]!) continue;
      let at = Math.min(best.length, length - 1);
      if (best.length < length) best.push(s);
      while (at > 0 && utility[best[at - 1]!]! < utility[s]!) {
        best[at] = best[at - 1]!;
        at--;
      }
      best[at] = s;
    }
    const id = `0792${String(10_000_000 + i * 7919 % 90_000_000).padStart(8, '0')}`;
    pupils.push({ id, total, keys: [priority, grade9, lotteryKey(seed, id)], choices: best.map((s) => schools[s]!.id) });
  }
  return {
    rule: 'deferred-acceptance',
    maxChoices: CHOICES,
    tieBreak: [{ name: 'priority' }, { name: 'grade9' }, { name: 'lottery', order: 'asc' }],
    programs,
    pupils,
  };
}

/** The baseline: one plain sort of the pupils by the same merit order (total, priority, grade 9, lottery, ID). */
function sortOnce(pupils: readonly AssignmentPupil[]): AssignmentPupil[] {
  return [...pupils].sort((a, b) => {
    if (a.total !== b.total) return Number(b.total) - Number(a.total);
    const ka = a.keys!;
    const kb = b.keys!;
    if (ka[0] !== kb[0]) return Number(kb[0]) - Number(ka[0]);
    if (ka[1] !== kb[1]) return Number(kb[1]) - Number(ka[1]);
    if (ka[2] !== kb[2]) return Number(ka[2]) - Number(kb[2]);
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeMs(run: () => unknown): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function check(input: AssignmentInput, result: AssignmentResult): void {
  const quota = new Map(input.programs.map((p) => [p.id, p.quota]));
  const count = new Map<string, number>();
  for (const p of result.placements) if (p.programId) count.set(p.programId, (count.get(p.programId) ?? 0) + 1);
  const over = [...count].filter(([id, n]) => n > quota.get(id)!);
  if (over.length > 0 || result.stats.placed === 0) {
    console.error(`not an assignment: ${over.length} programs over quota, ${result.stats.placed} placed`);
    process.exit(1);
  }
}

function main(): void {
  const built = Date.now();
  const season = buildSeason();
  const distinctTotals = new Set(season.pupils.map((p) => p.total)).size;
  const seats = season.programs.reduce((s, p) => s + p.quota, 0);
  console.log(`season: ${PUPILS} pupils × up to ${CHOICES} choices, ${SCHOOLS} schools, ${seats} seats; ${distinctTotals} distinct totals (≈ ${Math.round(PUPILS / distinctTotals)} pupils per total); built in ${Date.now() - built} ms`);
  console.log(`node ${process.version}, median of ${RUNS} runs after one warm-up each\n`);

  const sortTimes: number[] = [];
  const times: Record<AssignmentRule, number[]> = { 'deferred-acceptance': [], 'choice-priority': [] };
  const results = {} as Record<AssignmentRule, AssignmentResult>;
  let progressCalls = 0;
  sortOnce(season.pupils);
  for (const rule of ['deferred-acceptance', 'choice-priority'] as const) {
    results[rule] = assign({ ...season, rule });
    check(season, results[rule]);
  }
  // Interleaved, so whatever else loads the machine hits baseline and engine alike.
  for (let run = 0; run < RUNS; run++) {
    sortTimes.push(timeMs(() => sortOnce(season.pupils)));
    for (const rule of ['deferred-acceptance', 'choice-priority'] as const) {
      progressCalls = 0;
      times[rule].push(timeMs(() => assign({ ...season, rule }, { onProgress: () => progressCalls++ })));
    }
  }

  const baseline = median(sortTimes);
  console.log(`baseline: one Array.sort of the ${PUPILS} pupils by the merit order: ${baseline.toFixed(0)} ms`);
  for (const rule of ['choice-priority', 'deferred-acceptance'] as const) {
    const s = results[rule].stats;
    const firstChoice = results[rule].placements.filter((p) => p.choiceRank === 1).length;
    console.log(
      `${rule}: ${median(times[rule]).toFixed(0)} ms (runs ${times[rule].map((t) => t.toFixed(0)).join(', ')}); ` +
        `${s.proposals} proposals in ${s.rounds} rounds; placed ${s.placed} (${firstChoice} at their first choice), unplaced ${s.unplaced}; ` +
        `${progressCalls} progress calls`,
    );
  }
  console.log(`choice-priority/sort ratio: ${(median(times['choice-priority']) / baseline).toFixed(2)}`);
  console.log(`deferred-acceptance/sort ratio: ${(median(times['deferred-acceptance']) / baseline).toFixed(2)}`);
}

main();
