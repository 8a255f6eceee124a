// The admission assignment engine: who is admitted where, from totals, tie-break keys, choices and quotas.
//
// Every program (a school, or a school × category when the campaign has quotas per category: the program id is the
// caller's) ranks its applicants the same way — total descending, then the campaign's tie-break keys in order, then,
// only when everything ties, the pupil ID — so the engine sorts all pupils ONCE into a merit order and from then on
// a pupil is just their position in it (rank 0 is the best). A program's preference between two pupils is a compare
// of two integers, which is what makes 100,000 pupils × 8 choices a matter of milliseconds.
//
// Two rules, both data of the campaign:
// - 'deferred-acceptance' (student-proposing Gale–Shapley, the national "lọc ảo" in rounds): each round every pupil
//   without a seat proposes to their next choice; a full program keeps its best `quota` applicants and sends the
//   worst back. The result is the student-optimal stable matching — each pupil gets the highest choice at which they
//   rank within the quota among those who want it. (With one merit order shared by all programs it is also the only
//   stable matching, and equals taking pupils in merit order, each to their highest choice with a seat left.)
// - 'choice-priority' ("xét theo thứ tự nguyện vọng", immediate acceptance): round k fills what is left of each
//   program with the unplaced pupils listing it as choice k, best first. A first choice beats a better score listed
//   second, so cut-offs are not monotone and `decidedBy` says 'choice-order' where that happened.
//
// Pure and deterministic: no clock, no randomness, no I/O; the same input in any order gives the same output
// (placements in merit order, programs by id). Totals are compared exactly, as integers of hundredths.
import { AppError } from '../errors.js';

export const ASSIGNMENT_RULES = ['deferred-acceptance', 'choice-priority'] as const;
export type AssignmentRule = (typeof ASSIGNMENT_RULES)[number];

/** The most choices a campaign may offer (Ho Chi Minh City 2025 had 8). */
export const MAX_CHOICES = 10;

/** A tie-break key value: numbers are compared as given (pass them rounded as published), bigints exactly. */
export type KeyValue = number | bigint;

/** One tie-break key of the campaign, in order. `desc` (the default): the higher value is better; `asc`: the lower. */
export interface TieBreakKey {
  name: string;
  order?: 'desc' | 'asc';
}

export interface AssignmentProgram {
  id: string;
  /** Seats, an integer ≥ 0. */
  quota: number;
}

export interface AssignmentPupil {
  id: string;
  /** Score plus priority points, with at most 2 decimals (a number such as 27.25 or a decimal string "27.25"). */
  total: number | string;
  /** One value per tie-break key of the campaign, in the same order (e.g. priority points, grade-9 average, lottery key). */
  keys?: readonly KeyValue[];
  /** Program ids, choice 1 first; at most maxChoices, no program twice. */
  choices: readonly string[];
}

export interface AssignmentInput {
  rule: AssignmentRule;
  programs: readonly AssignmentProgram[];
  pupils: readonly AssignmentPupil[];
  tieBreak?: readonly TieBreakKey[];
  /** The campaign's number of choices N (1..MAX_CHOICES); default MAX_CHOICES. */
  maxChoices?: number;
}

export interface AssignmentOptions {
  /** Called with a fraction 0..1 about every 5 % of the work (and with 1 at the end), so a job can report progress. */
  onProgress?: (fraction: number) => void;
}

/** A pupil's full position in the merit order: what a published cut-off is made of. */
export interface RankKey {
  pupilId: string;
  total: number;
  keys: readonly KeyValue[];
}

export interface Placement {
  pupilId: string;
  /** 1-based position in the merit order (total, tie-break keys, pupil ID). */
  rank: number;
  total: number;
  programId: string | null;
  /** Which choice admitted the pupil, 1..N; null when none did. */
  choiceRank: number | null;
}

/** What separated the last admitted pupil from the best applicant the program refused. */
export type CutoffDecider =
  | { by: 'total' }
  | { by: 'key'; name: string }
  | { by: 'pupil-id' }
  /** choice-priority only: the refused applicant ranks higher but listed the program below a choice that was full. */
  | { by: 'choice-order' };

export interface ProgramOutcome {
  programId: string;
  quota: number;
  admitted: number;
  /** The lowest admitted total; null when nobody was admitted. */
  cutoff: number | null;
  /** The lowest admitted pupil's full rank key (total, tie-break keys, ID), so a cut-off that ties can be explained. */
  lastAdmitted: RankKey | null;
  /** The best applicant the program refused (who listed it and was not admitted to it); null when it refused nobody. */
  firstRefused: RankKey | null;
  /** Null unless the program both admitted and refused someone. */
  decidedBy: CutoffDecider | null;
}

export interface AssignmentStats {
  rule: AssignmentRule;
  pupils: number;
  programs: number;
  /** The sum of the quotas. */
  seats: number;
  placed: number;
  unplaced: number;
  /** Applications considered: a pupil proposing to (deferred acceptance) or being considered by (choice-priority) a program. */
  proposals: number;
  rounds: number;
}

export interface AssignmentResult {
  /** One per pupil, in merit order (best first). */
  placements: Placement[];
  /** One per program, by program id. */
  cutoffs: ProgramOutcome[];
  stats: AssignmentStats;
}

export type AssignmentInputProblem =
  | 'invalid-rule'
  | 'invalid-max-choices'
  | 'invalid-tie-break'
  | 'invalid-program'
  | 'duplicate-program'
  | 'invalid-quota'
  | 'invalid-pupil'
  | 'duplicate-pupil'
  | 'invalid-total'
  | 'invalid-keys'
  | 'too-many-choices'
  | 'duplicate-choice'
  | 'unknown-program';

/**
 * The input cannot be assigned as it is (a service lets it through as 422 VALIDATION_FAILED). `fields` has one entry,
 * keyed like the form (`pupils.<id>.choice<k>`, `programs.<id>.quota`); pupilId and choice (1-based) say where.
 */
export class AssignmentInputError extends AppError {
  constructor(
    readonly problem: AssignmentInputProblem,
    message: string,
    field: string,
    readonly pupilId?: string,
    readonly choice?: number,
  ) {
    super('VALIDATION_FAILED', message, { [field]: message });
    this.name = 'AssignmentInputError';
  }
}

const DECIMAL = /^-?\d{1,12}(?:\.\d{1,2})?$/;

/** The total as an exact integer of hundredths, or undefined when it has more than 2 decimals or is no number. */
function hundredths(total: unknown): number | undefined {
  if (typeof total === 'string') {
    if (!DECIMAL.test(total)) return undefined;
    const [whole = '', fraction = ''] = total.replace('-', '').split('.');
    const h = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
    return total.startsWith('-') ? -h : h;
  }
  if (typeof total !== 'number' || !Number.isFinite(total) || Math.abs(total) >= 1e12) return undefined;
  // 27.25 × 100 is exact; 0.29 × 100 is 28.999999999999996: the product is within rounding of an integer or the
  // number really has more than 2 decimals.
  const h = Math.round(total * 100);
  return Math.abs(total * 100 - h) < 1e-6 ? h : undefined;
}

/** Calls onProgress when the fraction has moved by 5 % since the last call, and always with 1. */
function progressReporter(onProgress: AssignmentOptions['onProgress']): (fraction: number) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (fraction) => {
    if (!onProgress) return;
    if (fraction >= 1 || fraction - last >= 0.05) {
      last = fraction;
      onProgress(Math.min(1, fraction));
    }
  };
}

// The share of the progress scale each phase takes (the sort and the matching are the work).
const AFTER_VALIDATION = 0.15;
const AFTER_SORT = 0.4;
const AFTER_MATCHING = 0.95;

interface Prepared {
  n: number;
  m: number;
  /** Choices per pupil in the table (the campaign's N). */
  width: number;
  pupilIds: string[];
  /** Totals in hundredths, by pupil index (input order). */
  totals: Float64Array;
  /** Tie-break values, one array per key, by pupil index. */
  levels: { name: string; sign: number; values: KeyValue[] | Float64Array }[];
  programIds: string[];
  quotas: Float64Array;
  /** Program index of each choice, by pupil index: pupil i's choice k at i × width + k. */
  choices: Int32Array;
  lengths: Uint8Array;
}

function validate(input: AssignmentInput): Prepared {
  if (!ASSIGNMENT_RULES.includes(input.rule)) {
    throw new AssignmentInputError('invalid-rule', `Quy tắc xét tuyển "${String(input.rule)}" không được hỗ trợ (deferred-acceptance hoặc choice-priority).`, 'rule');
  }
  const width = input.maxChoices ?? MAX_CHOICES;
  if (!Number.isInteger(width) || width < 1 || width > MAX_CHOICES) {
    throw new AssignmentInputError('invalid-max-choices', `Số nguyện vọng của kỳ tuyển sinh phải từ 1 đến ${MAX_CHOICES}.`, 'maxChoices');
  }
  const tieBreak = input.tieBreak ?? [];
  const names = new Set<string>();
  for (const [i, key] of tieBreak.entries()) {
    if (typeof key.name !== 'string' || key.name === '' || names.has(key.name) || (key.order !== undefined && key.order !== 'asc' && key.order !== 'desc')) {
      throw new AssignmentInputError('invalid-tie-break', `Tiêu chí phụ thứ ${i + 1} không hợp lệ (cần tên riêng và thứ tự asc/desc).`, `tieBreak.${i}`);
    }
    names.add(key.name);
  }

  const m = input.programs.length;
  const programIds: string[] = [];
  const quotas = new Float64Array(m);
  const programIndex = new Map<string, number>();
  for (let p = 0; p < m; p++) {
    const program = input.programs[p]!;
    if (typeof program.id !== 'string' || program.id === '') {
      throw new AssignmentInputError('invalid-program', `Chỉ tiêu thứ ${p + 1} không có mã trường.`, `programs.${p}.id`);
    }
    if (programIndex.has(program.id)) {
      throw new AssignmentInputError('duplicate-program', `Chỉ tiêu "${program.id}" được khai báo hai lần.`, `programs.${program.id}`);
    }
    if (!Number.isSafeInteger(program.quota) || program.quota < 0) {
      throw new AssignmentInputError('invalid-quota', `Chỉ tiêu của "${program.id}" phải là số nguyên không âm.`, `programs.${program.id}.quota`);
    }
    programIndex.set(program.id, p);
    programIds.push(program.id);
    quotas[p] = program.quota;
  }

  const n = input.pupils.length;
  // Arrays filled by push (in index order): `new Array(100_000)` would start out holey or as a dictionary.
  const pupilIds: string[] = [];
  const totals = new Float64Array(n);
  const T = tieBreak.length;
  const rawLevels: KeyValue[][] = tieBreak.map(() => []);
  const levelHasBigint = new Array<boolean>(T).fill(false);
  const choices = new Int32Array(n * width);
  const lengths = new Uint8Array(n);
  // seenBy[p] = the last pupil index that listed p, seenAt[p] = at which choice: duplicates in O(1) per choice.
  const seenBy = new Int32Array(m).fill(-1);
  const seenAt = new Uint8Array(m);
  const seenPupils = new Set<string>();
  for (let i = 0; i < n; i++) {
    const pupil = input.pupils[i]!;
    const id = pupil.id;
    if (typeof id !== 'string' || id === '') {
      throw new AssignmentInputError('invalid-pupil', `Học sinh thứ ${i + 1} không có mã định danh.`, `pupils.${i}.id`);
    }
    if (seenPupils.has(id)) throw new AssignmentInputError('duplicate-pupil', `Học sinh ${id} có mặt hai lần trong danh sách xét tuyển.`, `pupils.${id}`, id);
    seenPupils.add(id);
    pupilIds.push(id);
    const total = hundredths(pupil.total);
    if (total === undefined) {
      throw new AssignmentInputError('invalid-total', `Học sinh ${id}: tổng điểm "${String(pupil.total)}" không hợp lệ (một số có tối đa 2 chữ số thập phân).`, `pupils.${id}.total`, id);
    }
    totals[i] = total;
    const keys = pupil.keys ?? [];
    if (keys.length !== T) {
      throw new AssignmentInputError('invalid-keys',
        `Học sinh ${id}: cần ${T} tiêu chí phụ (${tieBreak.map((k) => k.name).join(', ') || 'không có'}), nhận được ${keys.length}.`, `pupils.${id}.keys`, id);
    }
    for (let t = 0; t < T; t++) {
      const value = keys[t];
      if (typeof value === 'bigint') levelHasBigint[t] = true;
      else if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new AssignmentInputError('invalid-keys', `Học sinh ${id}: tiêu chí "${tieBreak[t]!.name}" phải là một số.`, `pupils.${id}.keys.${tieBreak[t]!.name}`, id);
      }
      rawLevels[t]!.push(value!);
    }
    const list = pupil.choices ?? [];
    if (list.length > width) {
      throw new AssignmentInputError('too-many-choices', `Học sinh ${id}: có ${list.length} nguyện vọng, kỳ tuyển sinh cho tối đa ${width}.`, `pupils.${id}.choices`, id);
    }
    for (let k = 0; k < list.length; k++) {
      const programId = list[k]!;
      const p = typeof programId === 'string' ? programIndex.get(programId) : undefined;
      if (p === undefined) {
        throw new AssignmentInputError('unknown-program',
          `Học sinh ${id}: nguyện vọng ${k + 1} ("${String(programId)}") không có trong các chỉ tiêu của kỳ tuyển sinh.`, `pupils.${id}.choice${k + 1}`, id, k + 1);
      }
      if (seenBy[p] === i) {
        throw new AssignmentInputError('duplicate-choice',
          `Học sinh ${id}: nguyện vọng ${k + 1} ("${programId}") trùng với nguyện vọng ${seenAt[p]! + 1}.`, `pupils.${id}.choice${k + 1}`, id, k + 1);
      }
      seenBy[p] = i;
      seenAt[p] = k;
      choices[i * width + k] = p;
    }
    lengths[i] = list.length;
  }
  // A level of plain numbers goes into a Float64Array (the sort's comparator reads it many times); one with a bigint
  // stays an array, compared with < and >, which are exact between numbers and bigints.
  const levels = tieBreak.map((key, t) => ({
    name: key.name,
    // What the comparator returns when a's value is below b's: a comes after b when higher is better.
    sign: key.order === 'asc' ? -1 : 1,
    values: levelHasBigint[t] ? rawLevels[t]! : Float64Array.from(rawLevels[t]! as number[]),
  }));
  return { n, m, width, pupilIds, totals, levels, programIds, quotas, choices, lengths };
}

/** Pupil indices in merit order: total descending, each tie-break key in its order, then pupil ID (code units). */
function meritOrder(d: Prepared): Int32Array {
  const { totals, levels, pupilIds } = d;
  const order = new Int32Array(d.n);
  for (let i = 0; i < d.n; i++) order[i] = i;
  return order.sort((a, b) => {
    const dt = totals[b]! - totals[a]!;
    if (dt !== 0) return dt;
    for (const level of levels) {
      const va = level.values[a]!;
      const vb = level.values[b]!;
      if (va < vb) return level.sign;
      if (va > vb) return -level.sign;
    }
    const ia = pupilIds[a]!;
    const ib = pupilIds[b]!;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
}

/** The matching, in rank space: ranks are positions in the merit order, so a lower rank is always preferred. */
interface Matching {
  /** Program index per rank, -1 when unplaced. */
  programOf: Int32Array;
  /** 1-based choice per rank, 0 when unplaced. */
  choiceOf: Uint8Array;
  /** Per program: the worst admitted rank (-1: none) and the best refused rank (n: none). */
  lastAdmitted: Int32Array;
  firstRefused: Int32Array;
  admitted: Int32Array;
  proposals: number;
  rounds: number;
}

interface RankTable {
  n: number;
  m: number;
  width: number;
  quotas: Float64Array;
  /** Program index of rank r's choice k at r × width + k. */
  choices: Int32Array;
  lengths: Uint8Array;
  /** Upper bound of the applications (the sum of the list lengths), for progress. */
  applications: number;
}

function deferredAcceptance(t: RankTable, tick: (done: number) => void): Matching {
  const { n, m, width, choices, lengths } = t;
  // A program never holds more than its quota nor more than the pupils who list it: that is its heap's capacity.
  const listing = new Int32Array(m);
  for (let r = 0; r < n; r++) for (let k = 0; k < lengths[r]!; k++) listing[choices[r * width + k]!]!++;
  const capacity = new Int32Array(m);
  const offset = new Int32Array(m + 1);
  for (let p = 0; p < m; p++) {
    capacity[p] = Math.min(t.quotas[p]!, listing[p]!);
    offset[p + 1] = offset[p]! + capacity[p]!;
  }
  // All programs' held pupils in one buffer; each program's slice is a max-heap of ranks, so its worst held pupil
  // is on top and "keep the better one" is a compare plus one sift.
  const heap = new Int32Array(offset[m]!);
  const size = new Int32Array(m);
  const next = new Uint8Array(n);
  const firstRefused = new Int32Array(m).fill(n);
  let free = new Int32Array(n);
  let nextFree = new Int32Array(n);
  let freeCount = 0;
  for (let r = 0; r < n; r++) if (lengths[r]! > 0) free[freeCount++] = r;

  let proposals = 0;
  let rounds = 0;
  const tickEvery = Math.max(1, Math.ceil(t.applications / 40));
  let nextTick = tickEvery;
  while (freeCount > 0) {
    rounds++;
    let nextCount = 0;
    for (let i = 0; i < freeCount; i++) {
      const r = free[i]!;
      const k = next[r]!;
      const p = choices[r * width + k]!;
      next[r] = k + 1;
      if (++proposals === nextTick) {
        tick(proposals);
        nextTick += tickEvery;
      }
      const base = offset[p]!;
      const held = size[p]!;
      let refused: number;
      if (held < capacity[p]!) {
        // Sift up from the new leaf.
        let j = held;
        while (j > 0) {
          const parent = (j - 1) >> 1;
          const above = heap[base + parent]!;
          if (above >= r) break;
          heap[base + j] = above;
          j = parent;
        }
        heap[base + j] = r;
        size[p] = held + 1;
        continue;
      } else if (held > 0 && heap[base]! > r) {
        // Full, and r is better than the worst held: r takes the top's place, sift down, the worst goes back.
        refused = heap[base]!;
        let j = 0;
        for (;;) {
          const left = 2 * j + 1;
          if (left >= held) break;
          const right = left + 1;
          const child = right < held && heap[base + right]! > heap[base + left]! ? right : left;
          const below = heap[base + child]!;
          if (below <= r) break;
          heap[base + j] = below;
          j = child;
        }
        heap[base + j] = r;
      } else {
        refused = r;
      }
      if (refused < firstRefused[p]!) firstRefused[p] = refused;
      if (next[refused]! < lengths[refused]!) nextFree[nextCount++] = refused;
    }
    [free, nextFree] = [nextFree, free];
    freeCount = nextCount;
  }

  const programOf = new Int32Array(n).fill(-1);
  const choiceOf = new Uint8Array(n);
  const lastAdmitted = new Int32Array(m).fill(-1);
  for (let p = 0; p < m; p++) {
    const base = offset[p]!;
    if (size[p]! > 0) lastAdmitted[p] = heap[base]!;
    for (let j = 0; j < size[p]!; j++) {
      const r = heap[base + j]!;
      programOf[r] = p;
      // A held pupil proposes no more: their last proposal, choice next[r] (1-based), is the one that holds.
      choiceOf[r] = next[r]!;
    }
  }
  return { programOf, choiceOf, lastAdmitted, firstRefused, admitted: size, proposals, rounds };
}

function choicePriority(t: RankTable, tick: (done: number) => void): Matching {
  const { n, m, width, choices, lengths } = t;
  const remaining = Float64Array.from(t.quotas);
  const programOf = new Int32Array(n).fill(-1);
  const choiceOf = new Uint8Array(n);
  const lastAdmitted = new Int32Array(m).fill(-1);
  const firstRefused = new Int32Array(m).fill(n);
  const admitted = new Int32Array(m);
  // The pupils still unplaced who have a k-th choice, kept in merit order: round k goes through them best first.
  let active = new Int32Array(n);
  let count = 0;
  for (let r = 0; r < n; r++) if (lengths[r]! > 0) active[count++] = r;
  let kept = new Int32Array(n);
  let proposals = 0;
  let rounds = 0;
  const tickEvery = Math.max(1, Math.ceil(t.applications / 40));
  let nextTick = tickEvery;
  for (let k = 0; k < width && count > 0; k++) {
    rounds++;
    let keptCount = 0;
    for (let i = 0; i < count; i++) {
      const r = active[i]!;
      const p = choices[r * width + k]!;
      if (++proposals === nextTick) {
        tick(proposals);
        nextTick += tickEvery;
      }
      if (remaining[p]! > 0) {
        remaining[p]!--;
        admitted[p]!++;
        programOf[r] = p;
        choiceOf[r] = k + 1;
        // Ranks arrive in increasing order within a round but a later round may admit a better pupil: keep the max.
        if (r > lastAdmitted[p]!) lastAdmitted[p] = r;
      } else {
        if (r < firstRefused[p]!) firstRefused[p] = r;
        if (lengths[r]! > k + 1) kept[keptCount++] = r;
      }
    }
    [active, kept] = [kept, active];
    count = keptCount;
  }
  return { programOf, choiceOf, lastAdmitted, firstRefused, admitted, proposals, rounds };
}

/**
 * Assigns pupils to programs under the campaign's rule. Throws AssignmentInputError for input that cannot be
 * assigned (unknown or repeated choice, bad total, quota, keys), naming the pupil and the choice.
 */
export function assign(input: AssignmentInput, options: AssignmentOptions = {}): AssignmentResult {
  const report = progressReporter(options.onProgress);
  report(0);
  const d = validate(input);
  report(AFTER_VALIDATION);
  const order = meritOrder(d);
  report(AFTER_SORT);

  // The choice table in rank space, so the matching reads it in merit order, sequentially.
  const { n, m, width } = d;
  const choices = new Int32Array(n * width);
  const lengths = new Uint8Array(n);
  let applications = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    const len = d.lengths[i]!;
    lengths[r] = len;
    applications += len;
    for (let k = 0; k < len; k++) choices[r * width + k] = d.choices[i * width + k]!;
  }
  const table: RankTable = { n, m, width, quotas: d.quotas, choices, lengths, applications };
  const tick = (done: number) => report(AFTER_SORT + ((AFTER_MATCHING - AFTER_SORT) * done) / Math.max(1, applications));
  const matching = input.rule === 'deferred-acceptance' ? deferredAcceptance(table, tick) : choicePriority(table, tick);
  report(AFTER_MATCHING);

  const rankKey = (rank: number): RankKey => {
    const i = order[rank]!;
    return { pupilId: d.pupilIds[i]!, total: d.totals[i]! / 100, keys: d.levels.map((level) => level.values[i]!) };
  };
  const decidedBy = (last: number, refused: number): CutoffDecider | null => {
    if (last < 0 || refused >= n) return null;
    if (refused < last) return { by: 'choice-order' };
    const a = order[last]!;
    const b = order[refused]!;
    if (d.totals[a] !== d.totals[b]) return { by: 'total' };
    for (const level of d.levels) {
      const va = level.values[a]!;
      const vb = level.values[b]!;
      if (va < vb || va > vb) return { by: 'key', name: level.name };
    }
    return { by: 'pupil-id' };
  };

  const placements: Placement[] = [];
  let placed = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    const p = matching.programOf[r]!;
    if (p >= 0) placed++;
    placements.push({
      pupilId: d.pupilIds[i]!,
      rank: r + 1,
      total: d.totals[i]! / 100,
      programId: p >= 0 ? d.programIds[p]! : null,
      choiceRank: p >= 0 ? matching.choiceOf[r]! : null,
    });
  }
  const cutoffs: ProgramOutcome[] = [];
  let seats = 0;
  for (let p = 0; p < m; p++) {
    const last = matching.lastAdmitted[p]!;
    const refused = matching.firstRefused[p]!;
    const lastKey = last >= 0 ? rankKey(last) : null;
    seats += d.quotas[p]!;
    cutoffs.push({
      programId: d.programIds[p]!,
      quota: d.quotas[p]!,
      admitted: matching.admitted[p]!,
      cutoff: lastKey ? lastKey.total : null,
      lastAdmitted: lastKey,
      firstRefused: refused < n ? rankKey(refused) : null,
      decidedBy: decidedBy(last, refused),
    });
  }
  cutoffs.sort((a, b) => (a.programId < b.programId ? -1 : a.programId > b.programId ? 1 : 0));
  report(1);
  return {
    placements,
    cutoffs,
    stats: { rule: input.rule, pupils: n, programs: m, seats, placed, unplaced: n - placed, proposals: matching.proposals, rounds: matching.rounds },
  };
}
