// Read side of routing and the clock for staff: a dossier's control slip (hand-overs), the unit's SLA alerts,
// and admission campaigns with their quotas.
import type { AppContext } from '../../app-context.js';
import { countPlaces, listCampaignSchools, listCurrentCampaigns } from '../../db/repositories/admissions.js';
import { findUnitsByIds, listHandovers, listSlaAlerts } from '../../db/repositories/routing.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { listEvents } from '../../db/repositories/dossiers.js';
import { loadDossierFor, staffReach, type Caller } from '../access.js';
import { handoverResultForCitizen } from '../history-events.js';

export async function dossierHandovers(ctx: AppContext, code: string, caller: Caller) {
  const { dossier, actor } = await loadDossierFor(ctx, code, caller);
  const rows = await listHandovers(ctx.db, dossier.id);
  // A citizen reads only the comments written for them (history-events.ts).
  const citizenView = actor.kind === 'citizen'
    ? { definition: await ctx.catalog.definitionFor(dossier.procedureVersionId), events: await listEvents(ctx.db, dossier.id) }
    : undefined;
  const names = new Map((await findUnitsByIds(ctx.db, [...new Set(rows.flatMap((r) => [r.fromUnitId, r.toUnitId]).filter((u): u is string => u !== null))]))
    .map((u) => [u.id, u.name]));
  return rows.map((r) => ({
    at: r.at.toISOString(), action: r.action, byName: r.byName, status: r.status,
    result: citizenView ? handoverResultForCitizen(citizenView.definition, citizenView.events, r) : r.result,
    from: r.fromUnitId ? { id: r.fromUnitId, name: names.get(r.fromUnitId) ?? r.fromUnitId } : null,
    to: { id: r.toUnitId, name: names.get(r.toUnitId) ?? r.toUnitId },
  }));
}

export async function unitSlaAlerts(ctx: AppContext, staff: StaffRow) {
  const reach = await staffReach(ctx.db, staff);
  return (await listSlaAlerts(ctx.db, reach.unitIds)).map((a) => ({
    id: a.id, dossierCode: String(a.data?.code ?? ''), unitId: a.unitId, kind: a.kind, dueAt: a.dueAt.toISOString(),
    createdAt: a.createdAt.toISOString(), delivered: a.deliveredAt !== null,
  }));
}

export async function currentCampaigns(ctx: AppContext, now = new Date()) {
  return Promise.all((await listCurrentCampaigns(ctx.db, now)).map(async (c) => ({
    id: c.id, name: c.name, grade: c.grade, schoolYear: c.schoolYear, opensAt: c.opensAt.toISOString(), closesAt: c.closesAt.toISOString(),
    open: c.opensAt <= now && now < c.closesAt,
    schools: await Promise.all((await listCampaignSchools(ctx.db, c.id)).map(async (s) => ({
      unitId: s.schoolUnitId, name: s.name, quota: s.quota, admitted: await countPlaces(ctx.db, c.id, s.schoolUnitId),
    }))),
  })));
}
