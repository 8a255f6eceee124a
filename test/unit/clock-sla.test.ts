// The clock effects (effects/clock.ts) as pure functions over dossier rows, on real calendar dates: Tết 2026
// (14–22 Feb off), the 2025 swapped Saturday (26/4 worked), the 15:00 cut-off, a supplement pause, a second receipt.
import { describe, expect, it } from 'vitest';
import { vnInstant } from '../../src/calendar/vn-time.js';
import type { DossierRow } from '../../src/db/repositories/dossiers.js';
import { clockChanges as applyClock, CLOCK_EFFECTS, extendDueAt, needsApology, stepDueAt } from '../../src/effects/clock.js';
import { intakeUnitRef } from '../../src/services/intake/routing.js';
import type { WorkflowDefinition } from '../../src/workflow/types.js';

const at = (day: string, time: string) => vnInstant(day, time);

const definition = {
  id: 't', sla: { workingDays: 1, cutoff: '15:00' }, unit: 'default-unit', intakeForm: 'request',
  states: { submitted: { label: 'x', final: false, on: {} }, review: { label: 'y', final: false, sla: { workingDays: 2 }, on: {} } },
} as unknown as WorkflowDefinition;

/** The registry's clock effects, named as in a workflow file, applied to a dossier row. */
function clockChanges(def: WorkflowDefinition, row: DossierRow, names: Array<keyof typeof CLOCK_EFFECTS>, now: Date, next?: string) {
  return applyClock(names.map((name) => CLOCK_EFFECTS[name]), { definition: def, dossier: row, now }, next);
}

function dossier(overrides: Partial<DossierRow> = {}): DossierRow {
  return {
    status: 'submitted', clockState: 'not_started', receivedAt: null, dueAt: null, clockPausedAt: null, apologyDueAt: null, stateDueAt: null,
    ...overrides,
  } as DossierRow;
}

describe('clock effects', () => {
  it('start-clock: same day before the cut-off, after Tết when received after 15:00 on the last day before it', () => {
    expect(clockChanges(definition, dossier(), ['start-clock'], at('2026-02-13', '10:00')).dueAt).toEqual(at('2026-02-13', '17:00'));
    expect(clockChanges(definition, dossier(), ['start-clock'], at('2026-02-13', '15:00')).dueAt).toEqual(at('2026-02-23', '17:00'));
  });

  it('start-clock does not restart a clock that already ran (second receipt after a supplement)', () => {
    const running = dossier({ clockState: 'running', receivedAt: at('2026-02-10', '09:00'), dueAt: at('2026-02-25', '17:00') });
    expect(clockChanges(definition, running, ['start-clock'], at('2026-02-24', '09:00'))).not.toHaveProperty('dueAt');
    // Asked to supplement before receipt: the clock never ran, so receipt starts it afresh.
    const neverRan = dossier({ clockState: 'not_started' });
    expect(clockChanges(definition, neverRan, ['start-clock'], at('2026-02-24', '09:00')).dueAt).toEqual(at('2026-02-24', '17:00'));
  });

  it('pause and resume move the due date by the working days spent waiting, Tết not counted', () => {
    const received = dossier({ clockState: 'running', receivedAt: at('2026-02-12', '09:00'), dueAt: at('2026-02-13', '17:00') });
    const paused = { ...received, ...clockChanges(definition, received, ['pause-clock'], at('2026-02-12', '10:00')) } as DossierRow;
    expect(paused.clockState).toBe('paused');
    // Waited: Fri 13, Mon 23, Tue 24 = 3 working days (14–22 Feb is Tết).
    const resumed = clockChanges(definition, paused, ['resume-clock'], at('2026-02-24', '11:00'));
    expect(resumed).toMatchObject({ clockState: 'running', dueAt: at('2026-02-25', '17:00') });
    // Pausing a clock that never started does nothing.
    expect(clockChanges(definition, dossier(), ['pause-clock'], at('2026-02-12', '10:00'))).toEqual({});
  });

  it('per-state limits honour the swapped Saturday and clear on leaving the state', () => {
    expect(stepDueAt(at('2025-04-25', '10:00'), 2, '15:00')).toEqual(at('2025-04-26', '17:00'));
    expect(clockChanges(definition, dossier(), [], at('2025-04-25', '10:00'), 'review').stateDueAt).toEqual(at('2025-04-26', '17:00'));
    expect(clockChanges(definition, dossier({ status: 'review', stateDueAt: at('2025-04-26', '17:00') }), [], at('2025-04-28', '10:00'), 'submitted').stateDueAt).toBeNull();
  });

  it('extension counts working days; an overdue running clock needs an apology until its new date', () => {
    expect(extendDueAt(at('2026-02-13', '17:00'), 1)).toEqual(at('2026-02-23', '17:00'));
    const late = dossier({ clockState: 'running', dueAt: at('2026-02-13', '17:00') });
    expect(needsApology(late, at('2026-02-23', '08:00'))).toBe(true);
    expect(needsApology({ ...late, apologyDueAt: at('2026-02-25', '17:00') }, at('2026-02-23', '08:00'))).toBe(false);
    expect(needsApology({ ...late, clockState: 'paused' }, at('2026-02-23', '08:00'))).toBe(false);
  });
});

describe('intake routing rules', () => {
  const routed = {
    ...definition,
    unit: 'desk',
    routing: [{ when: { field: 'scope', in: ['within'] }, field: 'currentSchool' }, { when: { field: 'scope', in: ['between'] }, unit: 'office' }],
  } as unknown as WorkflowDefinition;
  it('takes the first rule that holds, a field value or a unit role, else the definition unit', () => {
    expect(intakeUnitRef(routed, { scope: 'within', currentSchool: 'thpt-a' })).toEqual({ unitId: 'thpt-a' });
    expect(intakeUnitRef(routed, { scope: 'between', currentSchool: 'thpt-a' })).toEqual({ role: 'office' });
    expect(intakeUnitRef(routed, { scope: 'within', currentSchool: '' })).toEqual({ role: 'desk' });
  });
  it('a version stored before unit roles names a unit id: taken literally', () => {
    expect(intakeUnitRef(definition, { scope: 'within' })).toEqual({ unitId: 'default-unit' });
  });
});
