// Everything the dossier view (services/viewing/dossier-view.ts) reads of one dossier, in ONE statement: the row, its
// unit's name, documents, history, issued documents (result and forms), the first handover, the payments and the survey rating. The
// status look-up is the hot path of result day: the nine statements it took (issue 15) each cost a round trip, a
// PostgreSQL parse/plan and drizzle's query building. This one is plain SQL sent through the raw client (prepared
// once per connection, no query builder, no builder-side row mapping); the dossier and its related rows come back as
// JSON of whole rows, decoded with the columns' own drizzle mappers, so each keeps its table's row type and a column
// added to a table shows up here without a change.
import type { Database } from '../client.js';
import { dossierDocuments, dossierEvents, dossiers } from '../schema/dossiers.js';
import { payments } from '../schema/payments.js';
import { issuedDocuments } from '../schema/results.js';
import type { DossierDocumentRow, DossierEventRow, DossierRow } from './dossiers.js';
import type { IssuedDocumentRow } from './issued-documents.js';
import { decodeRows } from './json-rows.js';
import { decodeMessages, latestMessagesSql, unreadMessagesSql, type DossierMessageRow } from './messages.js';
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
  /** The citizen's satisfaction rating (survey_answers, one per dossier); null when not rated. The page shows it. */
  surveyRating: string | null;
  /** Asked for with `messages`: the latest messages, oldest of them first, and which side has unread ones. */
  messages?: LoadedMessages;
}

export interface LoadedMessages {
  rows: DossierMessageRow[];
  /** Whether any message written by that side (listed or not) is still unread. */
  unreadFrom: Record<DossierMessageRow['authorKind'], boolean>;
}

/** Whole rows of `table` about the dossier, as a JSON array in order (null when none). */
const rowsOf = (table: string, orderBy: string) => `(select json_agg(t order by ${orderBy}) from ${table} t where t.dossier_id = d.id)`;

// Written out, not built per request: sent through the raw client, prepared once per connection (Database.query).
const viewSql = (extraColumns: string) => `select row_to_json(d) as dossier, u.id as unit_id, u.name as unit_name,${extraColumns}
  ${rowsOf('dossier_documents', 't.uploaded_at, t.id')} as documents,
  ${rowsOf('dossier_events', 't.id')} as events,
  ${rowsOf('issued_documents', 't.created_at, t.id')} as issued,
  ${rowsOf('payments', 't.created_at, t.id')} as payments,
  (select h.at from dossier_handovers h where h.dossier_id = d.id order by h.id limit 1) as first_handover_at,
  (select s.rating from survey_answers s where s.dossier_id = d.id) as survey_rating
  from dossiers d left join units u on u.id = d.unit_id
  where d.code = $1`;
const DOSSIER_VIEW_SQL = viewSql('');
// The pages also show the conversation: its latest $2 messages and the unread flags come in the same statement.
const DOSSIER_PAGE_SQL = viewSql(`
  ${latestMessagesSql('d.id', '$2')} as messages,
  ${unreadMessagesSql('d.id', "'staff'")} as unread_staff, ${unreadMessagesSql('d.id', "'citizen'")} as unread_citizen,`);

interface RawRow {
  dossier: unknown; unit_id: string | null; unit_name: string | null;
  documents: unknown; events: unknown; issued: unknown; payments: unknown; first_handover_at: Date | string | null;
  survey_rating: string | null;
  messages?: unknown; unread_staff?: boolean; unread_citizen?: boolean;
}

/** With `options.messages` (how many of the latest to list), the dossier's messages too (the pages' conversation). */
export async function loadDossierViewRows(database: Pick<Database, 'query'>, code: string, options: { messages?: number } = {}): Promise<DossierViewRows | undefined> {
  const [row] = options.messages === undefined
    ? await database.query<RawRow>(DOSSIER_VIEW_SQL, [code])
    : await database.query<RawRow>(DOSSIER_PAGE_SQL, [code, options.messages]);
  if (!row) return undefined;
  return {
    dossier: decodeRows<DossierRow>(dossiers, [row.dossier])[0]!,
    unit: row.unit_id !== null && row.unit_name !== null ? { id: row.unit_id, name: row.unit_name } : undefined,
    documents: decodeRows<DossierDocumentRow>(dossierDocuments, row.documents),
    events: decodeRows<DossierEventRow>(dossierEvents, row.events),
    issued: decodeRows<IssuedDocumentRow>(issuedDocuments, row.issued),
    firstHandoverAt: row.first_handover_at === null ? undefined : new Date(row.first_handover_at),
    payments: decodeRows<PaymentRow>(payments, row.payments),
    surveyRating: row.survey_rating,
    ...(options.messages === undefined ? {} : {
      messages: { rows: decodeMessages(row.messages ?? null), unreadFrom: { staff: row.unread_staff === true, citizen: row.unread_citizen === true } },
    }),
  };
}
