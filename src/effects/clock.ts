// The statutory clock on a dossier: started on receipt, paused while the citizen supplements, resumed on
// resubmission (the due day moves by the working days spent waiting), stopped when decided or returned.
//
// Second receipt: after a supplement asked AFTER receipt, the resubmitted dossier goes back to the one-stop desk and
// `receive` (with start-clock) runs again. The law counts the time already used (the clock "continues"), so
// start-clock only starts a clock that never ran: a clock already resumed keeps its moved due date. A supplement
// asked BEFORE receipt never started the clock, so the later receipt starts it afresh with the full SLA.
import { vnDay, vnInstant } from '../calendar/vn-time.js';
import { addWorkingDays, dueDate, startDayFor, workingCalendar, workingDaysBetween } from '../calendar/working-days.js';
import type { DossierRow, NewDossier } from '../db/repositories/dossiers.js';
import type { ClockEffect, ClockInput } from './types.js';

/** The four clock effects a workflow file may name; the registry (effects/index.ts) lists them. */
export const CLOCK_EFFECTS = {
  'start-clock': {
    kind: 'clock', label: 'Tiếp nhận: bắt đầu tính hạn giải quyết (đặt ngày hẹn trả).',
    apply: ({ definition, dossier, now }) => (dossier.clockState === 'not_started' || dossier.receivedAt === null
      ? { receivedAt: now, dueAt: dueDate(now, definition.sla).dueAt, clockState: 'running', clockPausedAt: null, slaMark: null }
      : {}),
  },
  'pause-clock': {
    kind: 'clock', label: 'Chờ công dân bổ sung: tạm dừng tính hạn.',
    // Asked at intake, before receipt, the clock has not started: there is nothing to pause.
    apply: ({ dossier, now }) => (dossier.clockState === 'running' ? { clockState: 'paused', clockPausedAt: now } : {}),
  },
  'resume-clock': {
    kind: 'clock', label: 'Công dân nộp bổ sung: tiếp tục tính hạn.',
    apply: ({ dossier, now }) => {
      if (dossier.clockState !== 'paused' || !dossier.clockPausedAt || !dossier.dueAt) return {};
      const waited = workingDaysBetween(dossier.clockPausedAt, now);
      const moved = (d: Date) => vnInstant(addWorkingDays(vnDay(d), waited), workingCalendar.closeAt);
      return {
        clockState: 'running', clockPausedAt: null, dueAt: moved(dossier.dueAt),
        ...(dossier.apologyDueAt ? { apologyDueAt: moved(dossier.apologyDueAt) } : {}),
      };
    },
  },
  'stop-clock': {
    kind: 'clock', label: 'Đã có quyết định / đã trả: dừng tính hạn.',
    apply: ({ now }) => ({ clockState: 'stopped', completedAt: now, stateDueAt: null }),
  },
} as const satisfies Record<string, ClockEffect>;

/**
 * The clock columns an action changes: its clock effects in order, then the deadline of the state it enters (a
 * state with its own time limit gets its own deadline on entry; leaving it clears it).
 */
export function clockChanges(
  effects: ReadonlyArray<ClockEffect>, input: ClockInput, nextStatus?: string,
): Partial<NewDossier> {
  const changes: Partial<NewDossier> = {};
  for (const effect of effects) Object.assign(changes, effect.apply(input));
  const { definition, dossier, now } = input;
  if (nextStatus !== undefined && nextStatus !== dossier.status) {
    const limit = definition.states[nextStatus]?.sla?.workingDays;
    changes.stateDueAt = limit ? stepDueAt(now, limit, definition.sla.cutoff) : null;
  }
  return changes;
}

/** End of the working day `workingDays` after `from` (counted from the next working day after the cut-off). */
export function stepDueAt(from: Date, workingDays: number, cutoff: string): Date {
  return vnInstant(addWorkingDays(startDayFor(from, cutoff), workingDays - 1), workingCalendar.closeAt);
}

/** Moves a due date by `workingDays` working days (an extension). */
export function extendDueAt(due: Date, workingDays: number): Date {
  return vnInstant(addWorkingDays(vnDay(due), workingDays), workingCalendar.closeAt);
}

/** The date the dossier must now be returned by: the apology's new date when one was given, else the due date. */
export function effectiveDueAt(dossier: Pick<DossierRow, 'dueAt' | 'apologyDueAt'>): Date | null {
  return dossier.apologyDueAt ?? dossier.dueAt;
}

/** Running clock past its date with no apology covering it: the next staff action must wait for one. */
export function needsApology(dossier: Pick<DossierRow, 'dueAt' | 'apologyDueAt' | 'clockState'>, now: Date): boolean {
  const due = effectiveDueAt(dossier);
  return dossier.clockState === 'running' && due !== null && due < now;
}
