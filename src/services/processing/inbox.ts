// A staff member's inbox: dossiers in their reach that their roles may act on now, oldest due first.
import type { AppContext } from '../../app-context.js';
import { listInbox } from '../../db/repositories/dossiers.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { stateLabel } from '../../workflow/engine.js';
import { staffReach } from '../access.js';
import { needsApology } from '../../effects/clock.js';
import { vnDay } from '../../calendar/vn-time.js';

export interface InboxFilter { status?: string; procedure?: string; overdue?: boolean; limit?: number }

export async function inbox(ctx: AppContext, staff: StaffRow, filter: InboxFilter) {
  // Older pinned versions may still have dossiers: include every version.
  const actionable: Array<{ procedureVersionId: number; status: string }> = [];
  for (const [versionId, definition] of ctx.catalog.allVersions()) {
    for (const [status, state] of Object.entries(definition.states)) {
      if (Object.values(state.on).some((t) => t.roles.some((r) => staff.roles.includes(r)))) actionable.push({ procedureVersionId: versionId, status });
    }
  }
  const reach = await staffReach(ctx.db, staff);
  const now = new Date();
  const rows = await listInbox(ctx.db, {
    actionable, unitIds: reach.unitIds, agencyCodes: reach.agencyCodes,
    status: filter.status, procedureId: filter.procedure, overdueBefore: filter.overdue ? now : undefined, limit: filter.limit ?? 100,
  });
  return Promise.all(rows.map(async (d) => {
    const definition = await ctx.catalog.definitionFor(d.procedureVersionId);
    return {
      code: d.code, procedure: { id: definition.id, title: definition.title }, status: d.status, statusLabel: stateLabel(definition, d.status),
      version: d.version, applicantName: d.applicantName, submittedAt: d.submittedAt.toISOString(),
      dueDate: d.dueAt ? vnDay(d.dueAt) : null, dueAt: d.dueAt?.toISOString() ?? null,
      overdue: needsApology(d, now), apologyDueAt: d.apologyDueAt?.toISOString() ?? null,
      stepDueAt: d.stateDueAt?.toISOString() ?? null, slaMark: d.slaMark, unitId: d.unitId, assigneeId: d.assigneeId,
    };
  }));
}
