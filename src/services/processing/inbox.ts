// A staff member's inbox: dossiers in their reach that their roles may act on now, oldest due first.
import type { AppContext } from '../../app-context.js';
import { listInbox } from '../../db/repositories/dossiers.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { stateLabel } from '../../workflow/engine.js';
import { staffReach } from '../access.js';
import { needsApology } from '../../effects/clock.js';
import { vnDay } from '../../calendar/vn-time.js';
import { possibleDuplicateCodes } from '../intake/filing-facts.js';
import type { DossierChannel } from '../../db/schema/index.js';
import { channelLabel } from '../viewing/channels.js';

export interface InboxFilter { status?: string; procedure?: string; channel?: DossierChannel; overdue?: boolean; limit?: number }

/** Every (version, state) where one of the staff member's roles has an action; older pinned versions included. */
function actionableStates(ctx: AppContext, staff: StaffRow): Array<{ procedureVersionId: number; status: string; label: string }> {
  const actionable: Array<{ procedureVersionId: number; status: string; label: string }> = [];
  for (const [versionId, definition] of ctx.catalog.allVersions()) {
    for (const [status, state] of Object.entries(definition.states)) {
      if (Object.values(state.on).some((t) => t.roles.some((r) => staff.roles.includes(r)))) {
        actionable.push({ procedureVersionId: versionId, status, label: state.label });
      }
    }
  }
  return actionable;
}

/**
 * The labels of the states the staff member may act in, sorted: the inbox's status filter. By label, because
 * procedures name the same step differently ("checking", "reviewing").
 */
export function actionableStatusLabels(ctx: AppContext, staff: StaffRow): string[] {
  return [...new Set(actionableStates(ctx, staff).map((a) => a.label))].sort((a, b) => a.localeCompare(b, 'vi'));
}

export async function inbox(ctx: AppContext, staff: StaffRow, filter: InboxFilter) {
  const actionable = actionableStates(ctx, staff).map(({ procedureVersionId, status }) => ({ procedureVersionId, status }));
  const reach = await staffReach(ctx.db, staff);
  const now = new Date();
  const rows = await listInbox(ctx.db, {
    actionable, unitIds: reach.unitIds, agencyCodes: reach.agencyCodes,
    status: filter.status, procedureId: filter.procedure, channel: filter.channel, overdueBefore: filter.overdue ? now : undefined, limit: filter.limit ?? 100,
  });
  // Flagged at filing (services/intake): the desk sees which dossier of the same person and procedure it may repeat.
  const duplicateCodes = await possibleDuplicateCodes(ctx, rows);
  return Promise.all(rows.map(async (d) => {
    const definition = await ctx.catalog.definitionFor(d.procedureVersionId);
    return {
      code: d.code, procedure: { id: definition.id, title: definition.title }, procedureVersionId: d.procedureVersionId,
      status: d.status, statusLabel: stateLabel(definition, d.status),
      version: d.version, channel: d.channel, channelLabel: channelLabel(d.channel), applicantName: d.applicantName, submittedAt: d.submittedAt.toISOString(),
      dueDate: d.dueAt ? vnDay(d.dueAt) : null, dueAt: d.dueAt?.toISOString() ?? null,
      overdue: needsApology(d, now), apologyDueAt: d.apologyDueAt?.toISOString() ?? null,
      stepDueAt: d.stateDueAt?.toISOString() ?? null, slaMark: d.slaMark, unitId: d.unitId, assigneeId: d.assigneeId,
      possibleDuplicateOf: d.possibleDuplicateOf ? duplicateCodes.get(d.possibleDuplicateOf) ?? null : null,
    };
  }));
}

export type InboxRow = Awaited<ReturnType<typeof inbox>>[number];
