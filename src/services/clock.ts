// The statutory clock on a dossier: started on receipt, paused while the citizen supplements, resumed on
// resubmission (the due day moves by the working days spent waiting), stopped when decided or returned.
import { vnDay, vnInstant } from '../calendar/vn-time.js';
import { addWorkingDays, dueDate, workingCalendar, workingDaysBetween } from '../calendar/working-days.js';
import type { DossierRow, NewDossier } from '../db/repositories/dossiers.js';
import type { WorkflowDefinition } from '../workflow/types.js';

export function clockChanges(definition: WorkflowDefinition, dossier: DossierRow, effects: string[], now: Date): Partial<NewDossier> {
  const changes: Partial<NewDossier> = {};
  for (const effect of effects) {
    switch (effect) {
      case 'start-clock':
        Object.assign(changes, { receivedAt: now, dueAt: dueDate(now, definition.sla).dueAt, clockState: 'running', clockPausedAt: null });
        break;
      case 'pause-clock':
        // Asked at intake, before receipt, the clock has not started: there is nothing to pause.
        if (dossier.clockState === 'running') Object.assign(changes, { clockState: 'paused', clockPausedAt: now });
        break;
      case 'resume-clock':
        if (dossier.clockState === 'paused' && dossier.clockPausedAt && dossier.dueAt) {
          const waited = workingDaysBetween(dossier.clockPausedAt, now);
          const dueDay = addWorkingDays(vnDay(dossier.dueAt), waited);
          Object.assign(changes, { clockState: 'running', clockPausedAt: null, dueAt: vnInstant(dueDay, workingCalendar.closeAt) });
        }
        break;
      case 'stop-clock':
        Object.assign(changes, { clockState: 'stopped', completedAt: now });
        break;
    }
  }
  return changes;
}
