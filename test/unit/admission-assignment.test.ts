// The admission assignment engine (src/admissions): hand-made cases, input errors, and random instances checked
// against references written here independently — every matching enumerated for deferred acceptance (keep the stable
// ones, the engine's must be one of them and the best for every pupil), a plain round-by-round simulation for
// choice-priority, and taking pupils in merit order for a larger instance.
import { describe, expect, it } from 'vitest';
import {
  assign,
  AssignmentInputError,
  type AssignmentInput,
  type AssignmentPupil,
  type AssignmentResult,
  type AssignmentRule,
  type Placement,
} from '../../src/admissions/assignment.js';
import { lotteryKey, lotteryKeyHex, seedCommitment } from '../../src/admissions/lottery.js';
import { AppError } from '../../src/errors.js';
import { mulberry32 } from '../helpers/seeded-random.js';

const byPupil = (result: AssignmentResult): Record<string, string | null> =>
  Object.fromEntries(result.placements.map((p) => [p.pupilId, p.programId]));
const outcome = (result: AssignmentResult, programId: string) => result.cutoffs.find((c) => c.programId === programId)!;

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('assignment: hand-made cases', () => {
  const tieBreak = [{ name: 'priority' }, { name: 'grade9' }, { name: 'lottery', order: 'asc' as const }];
  const one = (pupils: AssignmentPupil[], rule: AssignmentRule = 'deferred-acceptance') =>
    assign({ rule, tieBreak, programs: [{ id: 'A', quota: 1 }, { id: 'B', quota: 5 }], pupils });
  const pupil = (id: string, total: number | string, keys: number[]): AssignmentPupil => ({ id, total, keys, choices: ['A', 'B'] });

  it('the higher total wins; on a tie each key decides in the campaign order, then the pupil ID', () => {
    let r = one([pupil('p1', 27, [2, 9, 1]), pupil('p2', 27.25, [0, 5, 9])]);
    expect(byPupil(r)).toEqual({ p1: 'B', p2: 'A' });
    expect(outcome(r, 'A').decidedBy).toEqual({ by: 'total' });

    r = one([pupil('p1', 27, [1, 9.5, 1]), pupil('p2', 27, [2, 5, 9])]); // priority points first
    expect(byPupil(r)).toEqual({ p1: 'B', p2: 'A' });
    expect(outcome(r, 'A').decidedBy).toEqual({ by: 'key', name: 'priority' });

    r = one([pupil('p1', 27, [2, 8.75, 1]), pupil('p2', 27, [2, 8.8, 9])]); // then the grade-9 average
    expect(byPupil(r)).toEqual({ p1: 'B', p2: 'A' });
    expect(outcome(r, 'A').decidedBy).toEqual({ by: 'key', name: 'grade9' });

    r = one([pupil('p1', 27, [2, 8.8, 7]), pupil('p2', 27, [2, 8.8, 3])]); // then the lottery, the lower key first
    expect(byPupil(r)).toEqual({ p1: 'B', p2: 'A' });
    expect(outcome(r, 'A').decidedBy).toEqual({ by: 'key', name: 'lottery' });

    r = one([pupil('p2', 27, [2, 8.8, 3]), pupil('p1', 27, [2, 8.8, 3])]); // all tie: the pupil ID, deterministically
    expect(byPupil(r)).toEqual({ p1: 'A', p2: 'B' });
    expect(outcome(r, 'A').decidedBy).toEqual({ by: 'pupil-id' });
    expect(outcome(r, 'A')).toMatchObject({
      quota: 1, admitted: 1, cutoff: 27,
      lastAdmitted: { pupilId: 'p1', total: 27, keys: [2, 8.8, 3] },
      firstRefused: { pupilId: 'p2', total: 27, keys: [2, 8.8, 3] },
    });
    expect(r.placements.map((p) => [p.pupilId, p.rank, p.choiceRank])).toEqual([['p1', 1, 1], ['p2', 2, 2]]);
  });

  it('totals compare exactly in hundredths, whether numbers or decimal strings', () => {
    const r = one([pupil('p1', 0.1 + 0.2, [0, 0, 2]), pupil('p2', '0.30', [0, 0, 1]), pupil('p3', 0.29, [9, 9, 0])]);
    // 0.1 + 0.2 is 0.30000000000000004: the same total as "0.30", so the lottery decides, not the float.
    expect(byPupil(r)).toEqual({ p1: 'B', p2: 'A', p3: 'B' });
    expect(outcome(r, 'A').decidedBy).toEqual({ by: 'key', name: 'lottery' });
    expect(r.placements.map((p) => p.total)).toEqual([0.3, 0.3, 0.29]);
  });

  it('the lottery key is HMAC-SHA256(seed, pupil ID) as openssl computes it; the seed decides who wins a full tie', () => {
    // printf '%s' '079209001234' | openssl dgst -sha256 -hmac 'tuyen-sinh-10-2026' → 9b7be6c6b6b098cf…
    expect(lotteryKeyHex('tuyen-sinh-10-2026', '079209001234')).toBe('9b7be6c6b6b0');
    expect(lotteryKey('tuyen-sinh-10-2026', '079209001234')).toBe(0x9b7be6c6b6b0);
    // printf '%s' 'tuyen-sinh-10-2026' | sha256sum
    expect(seedCommitment('tuyen-sinh-10-2026')).toBe('972f11ec1459e5d4dcb15b2097c932a523902b2889e38df5393f556e793e81d9');
    expect(() => lotteryKey('', 'x')).toThrow();

    const ids = ['079209000001', '079209000002', '079209000003'];
    const winners = new Set<string>();
    for (const seed of ['s-1', 's-2', 's-3', 's-4', 's-5', 's-6', 's-7', 's-8']) {
      const r = assign({
        rule: 'deferred-acceptance',
        tieBreak: [{ name: 'lottery', order: 'asc' }],
        programs: [{ id: 'A', quota: 1 }],
        pupils: ids.map((id) => ({ id, total: 30, keys: [lotteryKey(seed, id)], choices: ['A'] })),
      });
      const expected = [...ids].sort((a, b) => lotteryKey(seed, a) - lotteryKey(seed, b))[0]!;
      expect(r.placements.find((p) => p.programId === 'A')!.pupilId).toBe(expected);
      winners.add(expected);
    }
    expect(winners.size).toBeGreaterThan(1); // the seed, not the ID order, picks the winner
  });

  it('bigint keys compare exactly, also against numbers', () => {
    const r = assign({
      rule: 'deferred-acceptance', tieBreak: [{ name: 'lottery' }], programs: [{ id: 'A', quota: 1 }],
      pupils: [
        { id: 'a', total: 1, keys: [2n ** 64n + 1n], choices: ['A'] },
        { id: 'b', total: 1, keys: [2n ** 64n], choices: ['A'] },
        { id: 'c', total: 1, keys: [2 ** 64], choices: ['A'] },
      ],
    });
    expect(byPupil(r)).toEqual({ a: 'A', b: null, c: null });
    expect(outcome(r, 'A').decidedBy).toEqual({ by: 'key', name: 'lottery' });
    expect(outcome(r, 'A').firstRefused?.pupilId).toBe('b'); // b and c tie (2^64 both): the ID decides between them
  });

  it('quota 0 admits nobody and sends every applicant on; a pupil with no choices stays unplaced', () => {
    for (const rule of ['deferred-acceptance', 'choice-priority'] as const) {
      const r = assign({
        rule,
        programs: [{ id: 'closed', quota: 0 }, { id: 'open', quota: 2 }],
        pupils: [
          { id: 'a', total: 40, choices: ['closed', 'open'] },
          { id: 'b', total: 30, choices: ['closed'] },
          { id: 'c', total: 35, choices: [] },
        ],
      });
      expect(r.placements).toEqual([
        { pupilId: 'a', rank: 1, total: 40, programId: 'open', choiceRank: 2 },
        { pupilId: 'c', rank: 2, total: 35, programId: null, choiceRank: null },
        { pupilId: 'b', rank: 3, total: 30, programId: null, choiceRank: null },
      ]);
      expect(outcome(r, 'closed')).toEqual({
        programId: 'closed', quota: 0, admitted: 0, cutoff: null, lastAdmitted: null,
        firstRefused: { pupilId: 'a', total: 40, keys: [] }, decidedBy: null,
      });
      expect(outcome(r, 'open')).toMatchObject({ quota: 2, admitted: 1, cutoff: 40, firstRefused: null, decidedBy: null });
      expect(r.stats).toMatchObject({ rule, pupils: 3, programs: 2, seats: 2, placed: 1, unplaced: 2, proposals: 3 });
    }
  });

  it('category quotas: a school × category is one program with its own quota and cut-off', () => {
    const programs = [{ id: 'LHP/chuyen-toan', quota: 1 }, { id: 'LHP/thuong', quota: 2 }, { id: 'NTMK/thuong', quota: 2 }];
    const pupils: AssignmentPupil[] = [
      { id: 'an', total: 45, choices: ['LHP/chuyen-toan', 'LHP/thuong'] },
      { id: 'binh', total: 44, choices: ['LHP/chuyen-toan', 'LHP/thuong', 'NTMK/thuong'] },
      { id: 'chi', total: 43.5, choices: ['LHP/thuong', 'NTMK/thuong'] },
      { id: 'dung', total: 43, choices: ['LHP/thuong', 'NTMK/thuong'] },
      { id: 'em', total: 20, choices: ['NTMK/thuong'] },
    ];
    const r = assign({ rule: 'deferred-acceptance', programs, pupils, maxChoices: 3 });
    expect(byPupil(r)).toEqual({ an: 'LHP/chuyen-toan', binh: 'LHP/thuong', chi: 'LHP/thuong', dung: 'NTMK/thuong', em: 'NTMK/thuong' });
    expect(r.cutoffs.map((c) => [c.programId, c.admitted, c.cutoff, c.decidedBy?.by ?? null])).toEqual([
      ['LHP/chuyen-toan', 1, 45, 'total'],
      ['LHP/thuong', 2, 43.5, 'total'],
      ['NTMK/thuong', 2, 20, null],
    ]);
  });

  it('choice-priority lets a first choice beat a better score listed second; deferred acceptance does not', () => {
    const input = (rule: AssignmentRule): AssignmentInput => ({
      rule,
      programs: [{ id: 'A', quota: 1 }, { id: 'B', quota: 1 }],
      pupils: [
        { id: 'x', total: 40, choices: ['A'] },
        { id: 'y', total: 35, choices: ['A', 'B'] },
        { id: 'z', total: 20, choices: ['B'] },
      ],
    });
    const da = assign(input('deferred-acceptance'));
    expect(byPupil(da)).toEqual({ x: 'A', y: 'B', z: null });
    expect(da.stats).toMatchObject({ proposals: 4, rounds: 2 });
    expect(outcome(da, 'B').decidedBy).toEqual({ by: 'total' });

    const cp = assign(input('choice-priority'));
    expect(byPupil(cp)).toEqual({ x: 'A', y: null, z: 'B' });
    expect(outcome(cp, 'B')).toMatchObject({ cutoff: 20, firstRefused: { pupilId: 'y', total: 35 }, decidedBy: { by: 'choice-order' } });
    expect(cp.stats).toMatchObject({ proposals: 4, rounds: 2, placed: 2 });
  });

  it('reports progress from 0 to 1, rising, about every 5 %', () => {
    const random = mulberry32(7);
    const programs = Array.from({ length: 20 }, (_, p) => ({ id: `s${p}`, quota: 30 }));
    const pupils = Array.from({ length: 2000 }, (_, i) => ({
      id: `p${i}`, total: Math.floor(random() * 200) / 4, choices: shuffled(programs.map((p) => p.id), random).slice(0, 5),
    }));
    for (const rule of ['deferred-acceptance', 'choice-priority'] as const) {
      const seen: number[] = [];
      assign({ rule, programs, pupils }, { onProgress: (f) => seen.push(f) });
      expect(seen[0]).toBe(0);
      expect(seen.at(-1)).toBe(1);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
      expect(seen.length).toBeGreaterThanOrEqual(5);
      expect(seen.length).toBeLessThanOrEqual(22);
    }
  });
});

describe('assignment: input errors name the pupil and the choice', () => {
  const programs = [{ id: 'A', quota: 1 }, { id: 'B', quota: 1 }];
  const attempt = (input: Partial<AssignmentInput>) => {
    try {
      assign({ rule: 'deferred-acceptance', programs, pupils: [], ...input });
    } catch (error) {
      return error;
    }
    throw new Error('assign did not throw');
  };

  it('a repeated choice', () => {
    const error = attempt({ pupils: [{ id: 'p1', total: 1, choices: ['A'] }, { id: '079209001234', total: 20, choices: ['A', 'B', 'A'] }] });
    expect(error).toBeInstanceOf(AssignmentInputError);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED', statusCode: 422, problem: 'duplicate-choice', pupilId: '079209001234', choice: 3,
      message: 'Học sinh 079209001234: nguyện vọng 3 ("A") trùng với nguyện vọng 1.',
      fields: { 'pupils.079209001234.choice3': 'Học sinh 079209001234: nguyện vọng 3 ("A") trùng với nguyện vọng 1.' },
    });
  });

  it('an unknown program', () => {
    expect(attempt({ pupils: [{ id: 'p1', total: 1, choices: ['B', 'Z'] }] })).toMatchObject({
      problem: 'unknown-program', pupilId: 'p1', choice: 2,
      message: 'Học sinh p1: nguyện vọng 2 ("Z") không có trong các chỉ tiêu của kỳ tuyển sinh.',
    });
    expect(attempt({ pupils: [{ id: 'p1', total: 1, choices: [''] }] })).toMatchObject({ problem: 'unknown-program', choice: 1 });
  });

  it('the rest of the input', () => {
    const problem = (input: Partial<AssignmentInput>) => (attempt(input) as AssignmentInputError).problem;
    expect(problem({ maxChoices: 1, pupils: [{ id: 'p1', total: 1, choices: ['A', 'B'] }] })).toBe('too-many-choices');
    expect(problem({ pupils: [{ id: 'p1', total: 27.255, choices: [] }] })).toBe('invalid-total');
    expect(problem({ pupils: [{ id: 'p1', total: '27,5', choices: [] }] })).toBe('invalid-total');
    expect(problem({ pupils: [{ id: 'p1', total: Number.NaN, choices: [] }] })).toBe('invalid-total');
    expect(problem({ pupils: [{ id: 'p1', total: 1, choices: [] }, { id: 'p1', total: 2, choices: [] }] })).toBe('duplicate-pupil');
    expect(problem({ pupils: [{ id: '', total: 1, choices: [] }] })).toBe('invalid-pupil');
    expect(problem({ tieBreak: [{ name: 'priority' }], pupils: [{ id: 'p1', total: 1, choices: [] }] })).toBe('invalid-keys');
    expect(problem({ tieBreak: [{ name: 'priority' }], pupils: [{ id: 'p1', total: 1, keys: [Number.POSITIVE_INFINITY], choices: [] }] })).toBe('invalid-keys');
    expect(problem({ tieBreak: [{ name: 'k' }, { name: 'k' }] })).toBe('invalid-tie-break');
    expect(problem({ programs: [{ id: 'A', quota: -1 }] })).toBe('invalid-quota');
    expect(problem({ programs: [{ id: 'A', quota: 1.5 }] })).toBe('invalid-quota');
    expect(problem({ programs: [{ id: 'A', quota: 1 }, { id: 'A', quota: 2 }] })).toBe('duplicate-program');
    expect(problem({ maxChoices: 11 })).toBe('invalid-max-choices');
    expect(problem({ rule: 'first-come' as AssignmentRule })).toBe('invalid-rule');
  });
});

// ---- Random instances against independent references ----

interface Instance {
  programs: { id: string; quota: number }[];
  /** quarters: the total is quarters / 4, so the reference compares integers without any parsing. */
  pupils: { id: string; quarters: number; keys: [number, number]; choices: string[] }[];
}

/** Keys: priority points (higher first), then a lottery (lower first). Few distinct values: ties everywhere. */
const TIE_BREAK = [{ name: 'priority' }, { name: 'lottery', order: 'asc' as const }];

function randomInstance(random: () => number, sizes: { pupils: [number, number]; programs: [number, number]; quota: number }): Instance {
  const between = ([lo, hi]: [number, number]) => lo + Math.floor(random() * (hi - lo + 1));
  const programs = Array.from({ length: between(sizes.programs) }, (_, p) => ({ id: `prog-${p}`, quota: Math.floor(random() * (sizes.quota + 1)) }));
  const ids = shuffled(Array.from({ length: 90 }, (_, i) => `pupil-${String(i + 10)}`), random);
  const pupils = Array.from({ length: between(sizes.pupils) }, (_, i) => ({
    id: ids[i % ids.length]! + (i >= ids.length ? `-${i}` : ''),
    quarters: 100 + Math.floor(random() * 3),
    keys: [Math.floor(random() * 2), Math.floor(random() * 2)] as [number, number],
    choices: shuffled(programs.map((p) => p.id), random).slice(0, Math.floor(random() * (programs.length + 1))),
  }));
  return { programs, pupils };
}

const toInput = (instance: Instance, rule: AssignmentRule): AssignmentInput => ({
  rule,
  tieBreak: TIE_BREAK,
  programs: instance.programs,
  pupils: instance.pupils.map((p) => ({ id: p.id, total: p.quarters / 4, keys: p.keys, choices: p.choices })),
});

/** The reference order, written from the rule's words: true when pupil a ranks above pupil b at every program. */
function ranksAbove(a: Instance['pupils'][number], b: Instance['pupils'][number]): boolean {
  if (a.quarters !== b.quarters) return a.quarters > b.quarters;
  if (a.keys[0] !== b.keys[0]) return a.keys[0] > b.keys[0];
  if (a.keys[1] !== b.keys[1]) return a.keys[1] < b.keys[1];
  return a.id < b.id;
}

/** A matching as the index of each pupil's choice (position in their list), or -1 for none. */
type Matching = number[];

function allStableMatchings(instance: Instance): Matching[] {
  const { pupils, programs } = instance;
  const quota = new Map(programs.map((p) => [p.id, p.quota]));
  const stable: Matching[] = [];
  const current: Matching = [];
  const used = new Map<string, number>();
  const isStable = (m: Matching): boolean => {
    for (const [i, pupil] of pupils.entries()) {
      const upTo = m[i] === -1 ? pupil.choices.length : m[i]!;
      for (let c = 0; c < upTo; c++) {
        const program = pupil.choices[c]!;
        const holders = pupils.filter((other, j) => m[j] !== -1 && other.choices[m[j]!] === program);
        if (holders.length < quota.get(program)!) return false; // a free seat the pupil wants
        if (holders.some((other) => ranksAbove(pupil, other))) return false; // the program would rather have the pupil
      }
    }
    return true;
  };
  const visit = (i: number) => {
    if (i === pupils.length) {
      if (isStable(current)) stable.push([...current]);
      return;
    }
    current[i] = -1;
    visit(i + 1);
    for (const [c, program] of pupils[i]!.choices.entries()) {
      const taken = used.get(program) ?? 0;
      if (taken >= quota.get(program)!) continue;
      used.set(program, taken + 1);
      current[i] = c;
      visit(i + 1);
      used.set(program, taken);
    }
  };
  visit(0);
  return stable;
}

/** Choice-priority as the rule reads: round k, each program takes its unplaced round-k applicants best first. */
function choicePriorityReference(instance: Instance): Matching {
  const seatsLeft = new Map(instance.programs.map((p) => [p.id, p.quota]));
  const result: Matching = instance.pupils.map(() => -1);
  for (let k = 0; k < 10; k++) {
    for (const program of instance.programs) {
      const applicants = instance.pupils
        .map((pupil, i) => ({ pupil, i }))
        .filter(({ pupil, i }) => result[i] === -1 && pupil.choices[k] === program.id)
        .sort((a, b) => (ranksAbove(a.pupil, b.pupil) ? -1 : 1));
      for (const { i } of applicants) {
        if (seatsLeft.get(program.id)! === 0) break;
        seatsLeft.set(program.id, seatsLeft.get(program.id)! - 1);
        result[i] = k;
      }
    }
  }
  return result;
}

/** The engine's placements as a Matching over the instance's pupils (by id). */
function asMatching(instance: Instance, result: AssignmentResult): Matching {
  const byId = new Map(result.placements.map((p) => [p.pupilId, p]));
  return instance.pupils.map((pupil) => {
    const placement = byId.get(pupil.id)!;
    if (placement.programId === null) {
      expect(placement.choiceRank).toBeNull();
      return -1;
    }
    expect(pupil.choices[placement.choiceRank! - 1]).toBe(placement.programId);
    return placement.choiceRank! - 1;
  });
}

/** Quotas, counts, cut-offs, refusals, stats and the merit order, checked from the placements and the reference order. */
function checkConsistency(instance: Instance, result: AssignmentResult, matching: Matching): void {
  const { pupils } = instance;
  const total = (p: Instance['pupils'][number]) => p.quarters / 4;
  const worstFirst = (list: Instance['pupils']) => [...list].sort((a, b) => (ranksAbove(a, b) ? 1 : -1));
  expect(result.cutoffs.map((c) => c.programId)).toEqual(instance.programs.map((p) => p.id).sort());
  for (const program of instance.programs) {
    const out = result.cutoffs.find((c) => c.programId === program.id)!;
    const admitted = pupils.filter((p, i) => matching[i] !== -1 && p.choices[matching[i]!] === program.id);
    // Refused by the program: listed it and were still looking when they reached it.
    const refused = pupils.filter((p, i) => {
      const at = p.choices.indexOf(program.id);
      return at !== -1 && (matching[i] === -1 || at < matching[i]!);
    });
    expect(admitted.length).toBeLessThanOrEqual(program.quota);
    expect(out.quota).toBe(program.quota);
    expect(out.admitted).toBe(admitted.length);
    const last = worstFirst(admitted)[0];
    const best = worstFirst(refused).at(-1);
    expect(out.cutoff).toBe(last ? Math.min(...admitted.map(total)) : null);
    expect(out.lastAdmitted).toEqual(last ? { pupilId: last.id, total: total(last), keys: last.keys } : null);
    expect(out.firstRefused).toEqual(best ? { pupilId: best.id, total: total(best), keys: best.keys } : null);
    let decidedBy: unknown = null;
    if (last && best) {
      if (ranksAbove(best, last)) decidedBy = { by: 'choice-order' };
      else if (last.quarters !== best.quarters) decidedBy = { by: 'total' };
      else if (last.keys[0] !== best.keys[0]) decidedBy = { by: 'key', name: 'priority' };
      else if (last.keys[1] !== best.keys[1]) decidedBy = { by: 'key', name: 'lottery' };
      else decidedBy = { by: 'pupil-id' };
    }
    expect(out.decidedBy).toEqual(decidedBy);
  }
  const merit = [...pupils].sort((a, b) => (ranksAbove(a, b) ? -1 : 1));
  expect(result.placements.map((p: Placement) => [p.pupilId, p.rank, p.total])).toEqual(merit.map((p, r) => [p.id, r + 1, total(p)]));
  const placed = matching.filter((c) => c !== -1).length;
  // Each pupil applied to every choice down to the one that admitted them (all of them when none did).
  const proposals = pupils.reduce((sum, p, i) => sum + (matching[i] === -1 ? p.choices.length : matching[i]! + 1), 0);
  expect(result.stats).toMatchObject({
    pupils: pupils.length, programs: instance.programs.length, placed, unplaced: pupils.length - placed, proposals,
    seats: instance.programs.reduce((s, p) => s + p.quota, 0),
  });
}

describe('assignment: random instances against independent references', () => {
  it('deferred acceptance gives a stable matching, and the best one for every pupil (300 instances, every matching enumerated)', () => {
    const random = mulberry32(20260701);
    let stableCounted = 0;
    let placedSomewhere = 0;
    let decidedByKeysOrId = 0;
    for (let n = 0; n < 300; n++) {
      const instance = randomInstance(random, { pupils: [3, 8], programs: [2, 4], quota: 3 });
      const result = assign(toInput(instance, 'deferred-acceptance'));
      const ours = asMatching(instance, result);
      const stable = allStableMatchings(instance);
      expect(stable.length).toBeGreaterThan(0);
      stableCounted += stable.length;
      expect(stable).toContainEqual(ours);
      // Student-optimal: no stable matching gives any pupil a better choice (a lower index; -1 is the worst).
      const position = (c: number) => (c === -1 ? Number.POSITIVE_INFINITY : c);
      for (const other of stable) for (const [i, c] of other.entries()) expect(position(ours[i]!)).toBeLessThanOrEqual(position(c));
      checkConsistency(instance, result, ours);
      placedSomewhere += ours.filter((c) => c > 0).length;
      decidedByKeysOrId += result.cutoffs.filter((c) => c.decidedBy && c.decidedBy.by !== 'total').length;
    }
    // The instances exercise what they should: pupils placed below their first choice, ties decided by keys or ID.
    expect(stableCounted).toBeGreaterThanOrEqual(300);
    expect(placedSomewhere).toBeGreaterThan(100);
    expect(decidedByKeysOrId).toBeGreaterThan(50);
  });

  it('choice-priority matches a plain round-by-round simulation (300 instances)', () => {
    const random = mulberry32(766);
    let differsFromDa = 0;
    for (let n = 0; n < 300; n++) {
      const instance = randomInstance(random, { pupils: [3, 8], programs: [2, 4], quota: 3 });
      const result = assign(toInput(instance, 'choice-priority'));
      const ours = asMatching(instance, result);
      expect(ours).toEqual(choicePriorityReference(instance));
      checkConsistency(instance, result, ours);
      if (JSON.stringify(byPupil(result)) !== JSON.stringify(byPupil(assign(toInput(instance, 'deferred-acceptance'))))) differsFromDa++;
    }
    expect(differsFromDa).toBeGreaterThan(10); // the two rules really differ on these instances
  });

  it('a larger instance: deferred acceptance equals taking pupils in merit order, each to their best choice with a seat left', () => {
    const random = mulberry32(103000);
    const instance = randomInstance(random, { pupils: [3000, 3000], programs: [25, 25], quota: 150 });
    for (const p of instance.pupils) p.choices = p.choices.slice(0, 8);
    const result = assign(toInput(instance, 'deferred-acceptance'), {});
    const ours = asMatching(instance, result);
    const seatsLeft = new Map(instance.programs.map((p) => [p.id, p.quota]));
    const reference: Matching = instance.pupils.map(() => -1);
    const merit = instance.pupils.map((pupil, i) => ({ pupil, i })).sort((a, b) => (ranksAbove(a.pupil, b.pupil) ? -1 : 1));
    for (const { pupil, i } of merit) {
      const c = pupil.choices.findIndex((id) => seatsLeft.get(id)! > 0);
      if (c === -1) continue;
      seatsLeft.set(pupil.choices[c]!, seatsLeft.get(pupil.choices[c]!)! - 1);
      reference[i] = c;
    }
    expect(ours).toEqual(reference);
    checkConsistency(instance, result, ours);
    expect(result.stats.rounds).toBeGreaterThan(2);
  });

  it('the same input in another order gives the same output', () => {
    const random = mulberry32(42);
    for (let n = 0; n < 50; n++) {
      const instance = randomInstance(random, { pupils: [20, 60], programs: [3, 8], quota: 8 });
      for (const rule of ['deferred-acceptance', 'choice-priority'] as const) {
        const input = toInput(instance, rule);
        const again = { ...input, programs: shuffled(input.programs, random), pupils: shuffled(input.pupils, random) };
        expect(assign(again)).toEqual(assign(input));
      }
    }
  });
});
