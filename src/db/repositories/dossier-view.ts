// Everything the dossier view (services/viewing/dossier-view.ts) reads of one dossier, in ONE statement: the row, its
// unit's name, documents, history, issued documents (result and forms), the first handover and the payments. The
// status look-up is the hot path of result day: the nine statements it took (issue 15) each cost a round trip, a
// PostgreSQL parse/plan and drizzle's query building. The query object is built once per database and prepared
// (placeholder `code`); the related rows come back as JSON arrays of whole rows, decoded with the columns' own drizzle
// mappers, so each keeps its table's row type and a column added to a table shows up here without a change.
import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../client.js';
import { dossierDocuments, dossierEvents, dossiers } from '../schema/dossiers.js';
import { payments } from '../schema/payments.js';
import { issuedDocuments } from '../schema/results.js';
import { dossierHandovers } from '../schema/routing.js';
import { units } from '../schema/organisation.js';
import type { DossierDocumentRow, DossierEventRow, DossierRow } from './dossiers.js';
import type { IssuedDocumentRow } from './issued-documents.js';
import type { PaymentRow } from './payment-records.js';

export interface DossierViewRows {
  dossier: DossierRow;
  unit: { id: string; name: string } | undefined;
  /** By upload time. */
  documents: DossierDocumentRow[];
  /** In order (by id). */
  events: DossierEventRow[];
  /** The result and the one-stop forms, by creation time. */
  issued: IssuedDocumentRow[];
  /** When the dossier was first handed over between units (the control slip's first entry); undefined when never. */
  firstHandoverAt: Date | undefined;
  /** By creation time. */
  payments: PaymentRow[];
}

/** `(select json_agg(t order by …) from <table> t where t.dossier_id = dossiers.id)`: whole rows, in order. */
function rowsOf(table: PgTable, orderBy: string): SQL<unknown> {
  // Names from the schema, not from input: safe to inline.
  return sql`(select json_agg(t order by ${sql.raw(orderBy)}) from ${table} t where t.dossier_id = ${dossiers.id})`;
}

/** JSON rows back to the table's row type, each column through its drizzle mapper (timestamps to Dates, …). */
function decodeRows<T>(table: PgTable, raw: unknown): T[] {
  const rows = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<Record<string, unknown>> | null;
  if (!rows) return [];
  const columns = Object.entries(getTableColumns(table));
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      const value = row[column.name];
      out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return out as T;
  });
}

function buildQuery(db: Db) {
  return db.select({
    dossier: dossiers,
    unitId: units.id,
    unitName: units.name,
    documents: rowsOf(dossierDocuments, 't.uploaded_at, t.id'),
    events: rowsOf(dossierEvents, 't.id'),
    issued: rowsOf(issuedDocuments, 't.created_at, t.id'),
    payments: rowsOf(payments, 't.created_at, t.id'),
    firstHandoverAt: sql`(select h.at from ${dossierHandovers} h where h.dossier_id = ${dossiers.id} order by h.id limit 1)`.mapWith(dossierHandovers.at),
  }).from(dossiers)
    .leftJoin(units, eq(units.id, dossiers.unitId))
    .where(eq(dossiers.code, sql.placeholder('code')))
    .prepare('dossier_view_rows');
}

const prepared = new WeakMap<Db, ReturnType<typeof buildQuery>>();

export async function loadDossierViewRows(db: Db, code: string): Promise<DossierViewRows | undefined> {
  let query = prepared.get(db);
  if (!query) {
    query = buildQuery(db);
    prepared.set(db, query);
  }
  const [row] = await query.execute({ code });
  if (!row) return undefined;
  return {
    dossier: row.dossier,
    unit: row.unitId !== null && row.unitName !== null ? { id: row.unitId, name: row.unitName } : undefined,
    documents: decodeRows<DossierDocumentRow>(dossierDocuments, row.documents),
    events: decodeRows<DossierEventRow>(dossierEvents, row.events),
    issued: decodeRows<IssuedDocumentRow>(issuedDocuments, row.issued),
    firstHandoverAt: row.firstHandoverAt ?? undefined,
    payments: decodeRows<PaymentRow>(payments, row.payments),
  };
}
