// A leader's approval queue: the inbox rows whose state, in the definition each dossier is pinned to, has an action
// for the caller's roles that renders and signs the result (the effects registry says which effects do).
import type { AppContext } from '../../app-context.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { inbox } from '../processing/inbox.js';

export async function approvalQueue(ctx: AppContext, staff: StaffRow) {
  const items = [];
  for (const row of await inbox(ctx, staff, { limit: 500 })) {
    const definition = await ctx.catalog.definitionFor(row.procedureVersionId);
    const state = Object.hasOwn(definition.states, row.status) ? definition.states[row.status] : undefined;
    const approval = Object.entries(state?.on ?? {})
      .find(([, t]) => t.roles.some((r) => staff.roles.includes(r)) && ctx.effects.issuesResult(t.effects));
    if (approval) items.push({ ...row, action: approval[0], actionLabel: approval[1].label });
  }
  return items;
}

export type ApprovalItem = Awaited<ReturnType<typeof approvalQueue>>[number];
