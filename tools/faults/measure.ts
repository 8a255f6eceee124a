// What a scenario left behind, read from the database (postgres.js, directly) and the SMTP sink, compared with what
// the load generator was told. Definitions (docs/FAULTS.md says the same):
//   lost       an acknowledged request not applied in the database (intake 201/200 without its dossier, action 200
//              without its history event), or an effect nothing will ever perform: missing, and no outbox row left
//              that is not done (so no relay, retry, reconciler or admin retry will do it) — an e-mail, a receipt,
//              a signed result;
//   duplicated two dossiers for one Idempotency-Key (or one applicant e-mail — each logical intake has its own), an
//              action applied twice, an e-mail received twice for one history event (shown apart: how many of those
//              repeated the same Message-ID, i.e. the same message resent);
//   stuck      not at rest after settling: dossiers in a system state (`signing`), events whose e-mail never
//              arrived, receipts not issued, outbox rows not done. Lost effects are counted here too (they never
//              come to rest); the breakdown shows each part.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type postgres from 'postgres';
import { parse } from 'yaml';
import type { ReceivedMail } from './infra.js';
import type { Ack } from './load.js';

/** States only the system leaves (the `issue-result` job): a dossier sitting there after settling is stuck. */
export const SYSTEM_STATES = ['signing'];

export interface OutboxShape {
  /** The SQL condition for "not done yet", from the columns present (the outbox is being reworked). */
  notDone: string;
  /** The SQL condition for "failed for good" (may be `false`). */
  failed: string;
  describe: string;
}

/** Reads the outbox columns and decides what "done" means for this schema. */
export async function outboxShape(sql: postgres.Sql): Promise<OutboxShape> {
  const rows = await sql<{ column_name: string }[]>`
    select column_name from information_schema.columns where table_schema = current_schema() and table_name = 'outbox'`;
  const columns = new Set(rows.map((r) => r.column_name));
  const failed = ['failed_at', 'dead_at', 'gave_up_at'].find((c) => columns.has(c));
  const failedCond = failed ? `${failed} is not null` : 'false';
  const doneCol = ['done_at', 'completed_at', 'succeeded_at', 'processed_at', 'finished_at'].find((c) => columns.has(c));
  if (doneCol) return { notDone: `${doneCol} is null`, failed: failedCond, describe: `not done = ${doneCol} is null` };
  if (columns.has('status')) {
    return { notDone: `status not in ('done','completed','succeeded','sent')`, failed: failedCond, describe: 'not done = status not in (done, completed, succeeded, sent)' };
  }
  if (columns.has('relayed_at')) {
    return { notDone: 'relayed_at is null', failed: failedCond, describe: 'not done = relayed_at is null (no done column: a row counts as done once handed to Redis)' };
  }
  return { notDone: 'true', failed: failedCond, describe: `unknown outbox shape (${[...columns].join(', ')}): every row counted not done` };
}

interface DossierRow { id: string; code: string; status: string; version: number; idempotency_key: string | null; applicant_email: string | null }
interface EventRow { dossier_id: string; dossier_version: number; action: string; from_status: string | null; to_status: string }
interface OutboxRow { id: number; job: string; dossier_id: string | null; dossier_version: number | null; not_done: boolean; failed: boolean; last_error: string | null }

export interface Measurement {
  lost: number;
  duplicated: number;
  stuck: number;
  breakdown: {
    lostIntakes: number; lostActions: number; lostEmails: number; lostReceipts: number; lostResults: number;
    dupDossiers: number; dupEvents: number; dupEmails: number; dupMessageIds: number;
    inSystemState: number; eventsWithoutEmail: number; receiptsMissing: number; outboxNotDone: number; outboxFailed: number;
  };
  dossiers: number;
  events: number;
  emailsReceived: number;
  outbox: string;
  examples: string[];
  /** Changes whenever anything moves: settling stops waiting when it has not changed for a while. */
  signature: string;
}

/** Status label per state, from the workflow file: the e-mail subject is "[code] <label>: <title>". */
export function statusLabels(workflowsDir: string): Record<string, string> {
  const definition = parse(readFileSync(path.join(workflowsDir, 'diploma-copy.yaml'), 'utf8')) as { states: Record<string, { label: string }> };
  return Object.fromEntries(Object.entries(definition.states).map(([state, s]) => [state, s.label.normalize('NFC')]));
}

export async function measure(sql: postgres.Sql, input: { acks: Ack[]; inbox: ReceivedMail[]; labels: Record<string, string> }): Promise<Measurement> {
  const shape = await outboxShape(sql);
  const dossiers = await sql<DossierRow[]>`select id, code, status, version, idempotency_key, applicant_email from dossiers`;
  const events = await sql<EventRow[]>`select dossier_id, dossier_version, action, from_status, to_status from dossier_events order by id`;
  const issued = await sql<{ dossier_id: string; kind: string }[]>`select dossier_id, kind from issued_documents`;
  const outbox = await sql.unsafe<OutboxRow[]>(`
    select id, job, payload->>'dossierId' as dossier_id, (payload->>'dossierVersion')::int as dossier_version,
           (${shape.notDone}) as not_done, (${shape.failed}) as failed, last_error
    from outbox`);

  const b: Measurement['breakdown'] = {
    lostIntakes: 0, lostActions: 0, lostEmails: 0, lostReceipts: 0, lostResults: 0,
    dupDossiers: 0, dupEvents: 0, dupEmails: 0, dupMessageIds: 0,
    inSystemState: 0, eventsWithoutEmail: 0, receiptsMissing: 0, outboxNotDone: 0, outboxFailed: 0,
  };
  const examples: string[] = [];
  const example = (text: string) => { if (examples.length < 12) examples.push(text); };

  const byCode = new Map(dossiers.map((d) => [d.code, d]));
  const byId = new Map(dossiers.map((d) => [d.id, d]));
  const eventKey = (dossierId: string, version: number) => `${dossierId}#${version}`;
  const eventsByKey = new Map<string, EventRow[]>();
  for (const e of events) eventsByKey.set(eventKey(e.dossier_id, e.dossier_version), [...(eventsByKey.get(eventKey(e.dossier_id, e.dossier_version)) ?? []), e]);

  // Acknowledged but not applied.
  for (const ack of input.acks) {
    const d = byCode.get(ack.code);
    if (ack.kind === 'intake') {
      if (!d || d.idempotency_key !== ack.key) { b.lostIntakes++; example(`lost intake ${ack.code} (key ${ack.key})`); }
      continue;
    }
    const applied = d && (eventsByKey.get(eventKey(d.id, ack.version)) ?? []).some((e) => e.action === ack.action);
    if (!applied) { b.lostActions++; example(`lost action ${ack.action} on ${ack.code} (acknowledged as v${ack.version})`); }
  }

  // Duplicates in the database.
  for (const [what, values] of [['idempotency key', dossiers.map((d) => d.idempotency_key)], ['applicant e-mail', dossiers.map((d) => d.applicant_email)]] as const) {
    const counts = countBy(values.filter((v): v is string => v !== null));
    for (const [value, n] of counts) if (n > 1) { b.dupDossiers += n - 1; example(`${n} dossiers for one ${what} ${value}`); }
  }
  const actionCounts = countBy(events.map((e) => `${e.dossier_id}|${e.action}`));
  for (const [k, n] of actionCounts) if (n > 1) { b.dupEvents += n - 1; example(`action ${k.split('|')[1]} applied ${n}× on ${byId.get(k.split('|')[0]!)?.code}`); }

  // E-mails: one per history event that changed the status, to the dossier's own address.
  const mailCount = countBy(input.inbox.flatMap((m) => m.to.map((to) => `${to}|${m.subject}`)));
  const subjects = new Map<string, number>();
  for (const [k, n] of mailCount) {
    const [to, subject] = [k.slice(0, k.indexOf('|')), k.slice(k.indexOf('|') + 1)];
    const prefix = subject.slice(0, subject.indexOf(':') >= 0 ? subject.indexOf(':') : subject.length);
    subjects.set(`${to}|${prefix}`, (subjects.get(`${to}|${prefix}`) ?? 0) + n);
  }
  for (const [id, n] of countBy(input.inbox.map((m) => m.messageId))) if (n > 1) { b.dupMessageIds += n - 1; example(`Message-ID ${id} received ${n}×`); }

  // An effect still has a ledger entry while its outbox row is not done — including a row failed for good, which an
  // admin can retry (GET /api/admin/effects): that is stuck, not lost. Lost is when no row is left to do it.
  const pending = (job: string, dossierId: string, version?: number) => outbox.some((o) =>
    o.job === job && o.dossier_id === dossierId && o.not_done && (version === undefined || o.dossier_version === version));

  for (const e of events) {
    const d = byId.get(e.dossier_id);
    if (!d?.applicant_email) continue;
    if (e.from_status !== null && e.from_status === e.to_status) continue; // no status change, no message
    const label = e.action === 'submit' ? 'Đã nhận hồ sơ trực tuyến' : input.labels[e.to_status] ?? e.to_status;
    const received = subjects.get(`${d.applicant_email.toLowerCase()}|[${d.code}] ${label}`) ?? 0;
    if (received > 1) { b.dupEmails += received - 1; example(`e-mail "${label}" for ${d.code} v${e.dossier_version} received ${received}×`); }
    if (received === 0) {
      b.eventsWithoutEmail++;
      if (!pending('notify-citizen', d.id, e.dossier_version)) { b.lostEmails++; example(`e-mail "${label}" for ${d.code} v${e.dossier_version} never arrived and no outbox row will send it`); }
    }
    if (e.action === 'receive' && !issued.some((i) => i.dossier_id === d.id && i.kind.startsWith('receipt'))) {
      b.receiptsMissing++;
      if (!pending('issue-receipt', d.id)) { b.lostReceipts++; example(`receipt of ${d.code} never issued and no outbox row will issue it`); }
    }
  }

  for (const d of dossiers) {
    if (!SYSTEM_STATES.includes(d.status)) continue;
    b.inSystemState++;
    if (!pending('issue-result', d.id)) {
      b.lostResults++;
      example(`${d.code} in ${d.status} (v${d.version}), result ${issued.some((i) => i.dossier_id === d.id && i.kind === 'result') ? 'issued' : 'not issued'}, no outbox row will move it`);
    }
  }
  for (const o of outbox) {
    if (o.not_done) { b.outboxNotDone++; if (examples.length < 12 && o.last_error) example(`outbox #${o.id} ${o.job} not done: ${o.last_error.slice(0, 160)}`); }
    if (o.failed) b.outboxFailed++;
  }

  const lost = b.lostIntakes + b.lostActions + b.lostEmails + b.lostReceipts + b.lostResults;
  // A Message-ID received twice is also an e-mail received twice for its event: counted once, under dupEmails.
  const duplicated = b.dupDossiers + b.dupEvents + b.dupEmails;
  const stuck = b.inSystemState + b.eventsWithoutEmail + b.receiptsMissing + b.outboxNotDone;
  return {
    lost, duplicated, stuck, breakdown: b, dossiers: dossiers.length, events: events.length, emailsReceived: input.inbox.length,
    outbox: shape.describe, examples,
    signature: JSON.stringify([b, dossiers.length, events.length, input.inbox.length, issued.length]),
  };
}

function countBy(values: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
  return map;
}
