// The assignment job runs the engine in a worker thread (src/admissions/assign-thread.ts): the same outcome as assign()
// on the caller's thread, progress delivered while the engine runs (not only at the end), and an input the engine
// refuses arriving as the same AssignmentInputError.
import { describe, expect, it } from 'vitest';
import { assignInThread } from '../../src/admissions/assign-thread.js';
import { assign, AssignmentInputError, type AssignmentInput, type AssignmentPupil } from '../../src/admissions/assignment.js';
import { lotteryKey } from '../../src/admissions/lottery.js';
import { mulberry32 } from '../helpers/seeded-random.js';

function season(pupilCount: number): AssignmentInput {
  const random = mulberry32(766);
  const programs = Array.from({ length: 60 }, (_, i) => ({ id: `school-${i}`, quota: 5 + Math.floor(random() * 60) }));
  const pupils: AssignmentPupil[] = Array.from({ length: pupilCount }, (_, i) => {
    const choices = new Set<string>();
    while (choices.size < 6) choices.add(programs[Math.floor(random() * programs.length)]!.id);
    const id = String(100_000_000_000 + i);
    // Totals in quarter points, many ties: the tie-break keys (priority, then the lottery) decide a lot.
    return { id, total: Math.round(random() * 200) / 4, keys: [Math.floor(random() * 3), lotteryKey('seed-766', id)], choices: [...choices] };
  });
  return { rule: 'deferred-acceptance', maxChoices: 6, tieBreak: [{ name: 'priorityPoints' }, { name: 'lottery', order: 'asc' }], programs, pupils };
}

describe('the assignment in a worker thread', () => {
  it('gives the outcome assign() gives, with progress arriving while it runs', async () => {
    const input = season(60_000);
    const fractions: Array<{ fraction: number; settled: boolean }> = [];
    let settled = false;
    const running = assignInThread(input, (fraction) => fractions.push({ fraction, settled }));
    const outcome = await running.finally(() => { settled = true; });

    expect(outcome).toEqual(assign(input));
    const during = fractions.filter((f) => !f.settled && f.fraction > 0 && f.fraction < 1);
    expect(during.length, JSON.stringify(fractions.slice(0, 5))).toBeGreaterThan(0);
    expect(fractions.map((f) => f.fraction)).toEqual([...fractions.map((f) => f.fraction)].sort((a, b) => a - b));
    expect(fractions.at(-1)?.fraction).toBe(1);
  }, 60_000);

  it('refuses an input the engine refuses with the same error, naming the pupil and the choice', async () => {
    const input: AssignmentInput = {
      rule: 'choice-priority', programs: [{ id: 'A', quota: 1 }],
      pupils: [{ id: '012345678901', total: 10, choices: ['A', 'Z'] }],
    };
    const direct = (() => { try { assign(input); } catch (error) { return error as AssignmentInputError; } })();
    const viaThread = await assignInThread(input, () => {}).then(() => undefined, (error: unknown) => error);
    expect(viaThread).toBeInstanceOf(AssignmentInputError);
    expect(viaThread).toMatchObject({ message: direct!.message, fields: direct!.fields, pupilId: '012345678901', choice: 2, code: 'VALIDATION_FAILED' });
  });
});
