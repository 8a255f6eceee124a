// A staff member's inbox: dossiers in their reach that their roles may act on now, oldest due first, a page at a time.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { listInbox, type InboxCursor } from '../../db/repositories/dossiers.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { stateLabel } from '../../workflow/engine.js';
import { staffReach } from '../access.js';
import { needsApology } from '../../effects/clock.js';
import { vnDay } from '../../calendar/vn-time.js';
import { possibleDuplicateCodes } from '../intake/filing-facts.js';
import type { DossierChannel } from '../../db/schema/index.js';
import { channelLabel } from '../viewing/channels.js';
import { foldAccents } from '../viewing/text.js';
import { AppError } from '../../errors.js';

export interface InboxFilter {
  /** A state name (the API's filter). */
  status?: string;
  /** A state label (the page's filter: procedures name the same step differently, "checking", "reviewing"). */
  statusLabel?: string;
  procedure?: string;
  channel?: DossierChannel;
  overdue?: boolean;
  /** Words to find, accents and case aside, in the code, the applicant's name or the procedure's title. */
  search?: string;
  /** `next` of the previous page (checked by `inboxCursor`). */
  after?: string;
  limit?: number;
}

export const INBOX_PAGE = { default: 100, max: 500 } as const;
/** The search reads this many distinct words; the rest are ignored. */
const SEARCH_WORDS = 10;

const CURSOR_INVALID = 'Con trỏ trang không hợp lệ: dùng `next` của trang trước.';
/** Past the last microsecond of year 9999 a cursor of the right shape is nothing we issued (nor a PostgreSQL time). */
const MAX_CURSOR_MICROS = 253_402_300_799_999_999n;
const CURSOR_SHAPE = /^([0-9]{1,9})_([0-9]{1,19}|x)_([0-9]{1,19})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * The inbox's page cursor, `<dossiers before the page>_<due_at µs or x>_<submitted_at µs>_<id>`: opaque to clients,
 * URL-safe, and only a position — the reach and state filters apply to every page, so an altered cursor shows
 * nothing the caller could not see.
 */
export const inboxCursor = z.string()
  .refine((raw) => {
    const m = CURSOR_SHAPE.exec(raw);
    return !!m && [m[2]!, m[3]!].every((t) => t === 'x' || BigInt(t) <= MAX_CURSOR_MICROS);
  }, CURSOR_INVALID)
  .describe('`next` của trang trước (mặc định: từ đầu danh sách)');

function parseCursor(raw: string): { position: number; cursor: InboxCursor } {
  const [, position, due, submitted, id] = CURSOR_SHAPE.exec(raw)!;
  return { position: Number(position), cursor: { dueAtMicros: due === 'x' ? null : due!, submittedAtMicros: submitted!, id: id! } };
}

function formatCursor(position: number, cursor: InboxCursor): string {
  // Capped: an edited cursor's huge count must not give a next cursor that CURSOR_SHAPE refuses.
  return `${Math.min(position, 999_999_999)}_${cursor.dueAtMicros ?? 'x'}_${cursor.submittedAtMicros}_${cursor.id}`;
}

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

/**
 * One page of the inbox: `limit` rows (default 100) after the cursor, `next` the cursor of the following page (null on
 * the last), `position` how many dossiers came before this page. Every filter is in the statement, so a page is full
 * until the end. A malformed cursor: VALIDATION_FAILED (the API's schema says so first; the page asks `inboxCursor`).
 */
export async function inboxPage(ctx: AppContext, staff: StaffRow, filter: InboxFilter) {
  if (filter.after !== undefined && !inboxCursor.safeParse(filter.after).success) {
    throw new AppError('VALIDATION_FAILED', CURSOR_INVALID, { after: CURSOR_INVALID });
  }
  const start = filter.after !== undefined ? parseCursor(filter.after) : { position: 0, cursor: undefined };
  const limit = filter.limit ?? INBOX_PAGE.default;
  const actionable = actionableStates(ctx, staff)
    .filter((a) => filter.statusLabel === undefined || a.label === filter.statusLabel)
    .map(({ procedureVersionId, status }) => ({ procedureVersionId, status }));
  // Each word is a condition of the statement: a pasted paragraph must not make it thousands long.
  const words = [...new Set(foldAccents(filter.search ?? '').split(/\s+/).filter(Boolean))].slice(0, SEARCH_WORDS).map((word) => ({
    word,
    procedureVersionIds: ctx.catalog.allVersions().filter(([, d]) => foldAccents(d.title).includes(word)).map(([id]) => id),
  }));
  const reach = await staffReach(ctx.db, staff);
  const now = new Date();
  // One row more than asked tells whether a next page exists.
  const fetched = await listInbox(ctx.db, {
    actionable, unitIds: reach.unitIds, agencyCodes: reach.agencyCodes,
    status: filter.status, procedureId: filter.procedure, channel: filter.channel, overdueBefore: filter.overdue ? now : undefined,
    words, after: start.cursor, limit: limit + 1,
  });
  const rows = fetched.slice(0, limit);
  // Flagged at filing (services/intake): the desk sees which dossier of the same person and procedure it may repeat.
  const duplicateCodes = await possibleDuplicateCodes(ctx, rows);
  const items = await Promise.all(rows.map(async (d) => {
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
  const last = rows.at(-1);
  return { items, position: start.position, next: fetched.length > limit && last ? formatCursor(start.position + rows.length, last.cursor) : null };
}

/** The first `limit` rows of the inbox (other lists built on it: the leader's approval queue). */
export async function inbox(ctx: AppContext, staff: StaffRow, filter: InboxFilter) {
  return (await inboxPage(ctx, staff, filter)).items;
}

export type InboxRow = Awaited<ReturnType<typeof inboxPage>>['items'][number];
