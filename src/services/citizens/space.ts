// The citizen's space ("Hồ sơ của tôi"): every dossier a signed-in citizen filed or that concerns them or one of their
// children (as the identity provider's claims list the family) — and nobody else's — newest first, a page at a time,
// each with who it is for, its status, unread messages from the office and whether its result can be downloaded.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { listCitizenDossiers, type CitizenDossierRow, type DossierCursor } from '../../db/repositories/citizen-dossiers.js';
import type { CitizenRow } from '../../db/repositories/citizens.js';
import { AppError } from '../../errors.js';
import { personalIdSchema } from '../../identity/personal-id.js';
import { stateLabel } from '../../workflow/engine.js';
import type { WorkflowDefinition } from '../../workflow/types.js';
import type { Caller } from '../access.js';
import { citizenFamily } from './family.js';

export const MY_DOSSIERS_PAGE = { default: 20, max: 100 } as const;

/**
 * The latest time a cursor may name: the last microsecond of year 9999 (microseconds since the epoch). Past it a cursor
 * of the right shape is still nothing we issued, and PostgreSQL could not hold it (bigint, then timestamp range).
 */
const MAX_CURSOR_MICROS = 253_402_300_799_999_999n;

/** The query of GET /api/me/dossiers (and of the page, which names its parameters the same). */
export const myDossiersQuery = z.object({
  before: z.string().regex(/^[0-9]{1,19}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'Con trỏ trang không hợp lệ: dùng `next` của trang trước.')
    // zod runs this check after a failed regex too: only a run of digits is read as a number.
    .refine((cursor) => !/^[0-9]{1,19}_/.test(cursor) || BigInt(cursor.split('_')[0]!) <= MAX_CURSOR_MICROS, 'Con trỏ trang không hợp lệ: dùng `next` của trang trước.')
    .optional().describe('`next` của trang trước'),
  limit: z.coerce.number().int().min(1).max(MY_DOSSIERS_PAGE.max).default(MY_DOSSIERS_PAGE.default),
  person: personalIdSchema().optional()
    .describe('Chỉ hồ sơ của một người: số định danh của chính công dân hoặc của một người con'),
});
export type MyDossiersQuery = z.infer<typeof myDossiersQuery>;

export type PersonRelation = 'self' | 'child';

export interface SpacePerson { relation: PersonRelation; personalId: string; name: string }

export interface MyDossier {
  code: string;
  procedure: { id: string; title: string };
  status: string;
  statusLabel: string;
  submittedAt: string;
  dueAt: string | null;
  /** The person the dossier concerns: the citizen, one of their children, or someone else they filed for (`other`). */
  for: { relation: PersonRelation | 'other'; personalId: string | null; name: string | null };
  /** Filed by this citizen while signed in (otherwise it reaches them as its subject). */
  filedByMe: boolean;
  /** Messages from the office the citizen has not read yet. */
  unreadMessages: number;
  resultAvailable: boolean;
  links: { self: string; page: string; result: string | null };
}

export interface MyDossiers {
  /** Whose dossiers the space shows: the citizen first, then their children. */
  people: SpacePerson[];
  items: MyDossier[];
  /** `before` of the next page, or null on the last one. */
  next: string | null;
}

/** The signed-in citizen, or 401: the space is theirs alone (staff and tracking-token holders have none). */
export function requireCitizen(caller: Caller): CitizenRow {
  if (caller.kind !== 'citizen') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập bằng tài khoản định danh điện tử (VNeID) để xem hồ sơ của bạn.');
  return caller.citizen;
}

export async function spacePeople(ctx: Pick<AppContext, 'db'>, citizen: CitizenRow): Promise<SpacePerson[]> {
  const { children } = await citizenFamily(ctx.db, citizen);
  return [
    { relation: 'self', personalId: citizen.personalId, name: citizen.fullName },
    ...children.map((c) => ({ relation: 'child' as const, personalId: c.personalId, name: c.fullName })),
  ];
}

export async function myDossiers(ctx: Pick<AppContext, 'db' | 'catalog'>, caller: Caller, query: MyDossiersQuery): Promise<MyDossiers> {
  const citizen = requireCitizen(caller);
  const people = await spacePeople(ctx, citizen);
  let person: { personalId: string; self: boolean } | undefined;
  if (query.person) {
    const found = people.find((p) => p.personalId === query.person);
    if (!found) throw new AppError('VALIDATION_FAILED', 'Chỉ xem được hồ sơ của chính bạn hoặc của con bạn.', { person: 'Không phải bạn hoặc con của bạn.' });
    person = { personalId: found.personalId, self: found.relation === 'self' };
  }
  // One row more than asked tells whether a next page exists.
  const rows = await listCitizenDossiers(ctx.db, {
    citizenId: citizen.id, personalIds: people.map((p) => p.personalId), person, before: parseCursor(query.before), limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const definitions = new Map<number, Promise<WorkflowDefinition>>();
  const definitionOf = (versionId: number) => {
    if (!definitions.has(versionId)) definitions.set(versionId, ctx.catalog.definitionFor(versionId));
    return definitions.get(versionId)!;
  };
  const items = await Promise.all(page.map(async (row) => itemOf(row, await definitionOf(row.procedureVersionId), citizen, people)));
  const last = page.at(-1);
  return { people, items, next: rows.length > query.limit && last ? formatCursor(last.cursor) : null };
}

function itemOf(row: CitizenDossierRow, definition: WorkflowDefinition, citizen: CitizenRow, people: SpacePerson[]): MyDossier {
  const subject = row.filedFor === 'proxy' ? undefined
    : row.subjectPersonalId ? people.find((p) => p.personalId === row.subjectPersonalId)
    // Filed while signed in without naming anyone else: the filer's own.
    : people[0];
  const api = `/api/dossiers/${encodeURIComponent(row.code)}`;
  return {
    code: row.code,
    procedure: { id: row.procedureId, title: definition.title },
    status: row.status,
    statusLabel: stateLabel(definition, row.status),
    submittedAt: row.submittedAt.toISOString(),
    dueAt: row.dueAt?.toISOString() ?? null,
    for: subject
      ? { relation: subject.relation, personalId: subject.personalId, name: subject.name }
      // A proxy filing names the person represented (typed, not vouched: no ID number is shown as theirs).
      : { relation: 'other', personalId: row.subjectPersonalId, name: row.principalName },
    filedByMe: row.citizenId === citizen.id,
    unreadMessages: row.unreadMessages,
    resultAvailable: row.resultAvailable,
    links: { self: api, page: `/ho-so/${encodeURIComponent(row.code)}`, result: row.resultAvailable ? `${api}/result` : null },
  };
}

function formatCursor(cursor: DossierCursor): string {
  return `${cursor.submittedAtMicros}_${cursor.id}`;
}

function parseCursor(raw: string | undefined): DossierCursor | undefined {
  if (!raw) return undefined;
  const [submittedAtMicros, id] = raw.split('_') as [string, string];
  return { submittedAtMicros, id };
}
