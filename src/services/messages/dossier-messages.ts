// Messages about one dossier between the office and the citizen, with read receipts. Whoever may see the dossier may
// read them and write (the same rules as the dossier itself: services/access.ts) — the citizen signed in or holding the
// tracking token, and staff of a unit that holds the dossier now; staff who only keep sight of a dossier their unit
// handed on read without writing and without marking anything read (they will not answer). Reading is the receipt:
// the citizen reading marks the office's messages read, the office reading marks the citizen's. A staff message is
// audited and, when the dossier has an e-mail, announced to the citizen by a `notify-message` outbox row written in
// the same transaction (notify-message.ts).
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import type { LoadedMessages } from '../../db/repositories/dossier-view.js';
import { insertMessage, listMessagesAndUnread, markMessagesRead, type DossierMessageRow } from '../../db/repositories/messages.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { AppError, validationFailed } from '../../errors.js';
import { loadDossierFor, type Actor, type Caller } from '../access.js';
import { recordAudit, staffActor } from '../audit/audit.js';
import { notifyMessageRow } from './notify-message.js';

export const MAX_MESSAGE_LENGTH = 2000;
/** How many of a dossier's messages are listed: the latest (posting is rate-limited too: routes/message-limit.ts). */
export const MESSAGES_SHOWN = 200;

/** The body of POST /api/dossiers/:code/messages and of the pages' message forms. */
export const messageInput = z.object({
  body: z.string({ error: 'Vui lòng nhập nội dung tin nhắn.' })
    .transform((text) => text.normalize('NFC').replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(1, 'Vui lòng nhập nội dung tin nhắn.').max(MAX_MESSAGE_LENGTH, `Tin nhắn tối đa ${MAX_MESSAGE_LENGTH} ký tự.`)),
});

export type MessageSide = 'staff' | 'citizen';

export interface DossierMessage {
  id: string;
  author: { kind: MessageSide; name: string };
  body: string;
  createdAt: string;
  /** When the other side first read it; null while unread. */
  readAt: string | null;
  /** Written by the caller's side (the office, or the citizen). */
  mine: boolean;
}

export interface DossierMessages {
  items: DossierMessage[];
  /** Whether the caller may write here (staff who only keep sight of a handed-on dossier may not). */
  canWrite: boolean;
  /** More messages exist before the MESSAGES_SHOWN listed. */
  hasEarlier: boolean;
}

/** The caller's side of the conversation, and whether they may write and mark read; null for the system. */
function sideOf(actor: Actor): { side: MessageSide; active: boolean } | null {
  if (actor.kind === 'citizen') return { side: 'citizen', active: true };
  // A staff actor without roles only keeps sight of the dossier (access.ts).
  if (actor.kind === 'staff') return { side: 'staff', active: actor.roles.length > 0 };
  return null;
}

/** The dossier's latest messages, oldest first; the other side's ones unread so far are read now (the receipt). */
export async function readDossierMessages(ctx: AppContext, code: string, caller: Caller): Promise<DossierMessages> {
  const { dossier, actor } = await loadDossierFor(ctx, code, caller);
  return messagesOf(ctx, dossier, actor);
}

/** How many messages messagesOf lists: one more than shown tells whether earlier ones exist. */
export const MESSAGES_LISTED = MESSAGES_SHOWN + 1;

/**
 * For the dossier pages, which have loaded the dossier for the caller already — and, with `loaded`, its latest
 * MESSAGES_LISTED messages and unread flags in the same statement (dossierDetails' `messages` option).
 */
export async function messagesOf(ctx: Pick<AppContext, 'db' | 'database'>, dossier: Pick<DossierRow, 'id'>, actor: Actor, loaded?: LoadedMessages): Promise<DossierMessages> {
  const side = sideOf(actor);
  const other: MessageSide | null = side?.active ? (side.side === 'citizen' ? 'staff' : 'citizen') : null;
  // The receipt is written only when something is unread (most views of a page have nothing to mark), and the
  // listed rows then show it as the UPDATE wrote it.
  const { rows, unread } = loaded
    ? { rows: loaded.rows, unread: other !== null && loaded.unreadFrom[other] }
    : await listMessagesAndUnread(ctx.database, dossier.id, MESSAGES_LISTED, other);
  const newest = rows.at(-1);
  if (other && unread && newest) {
    const at = new Date();
    // Only up to the newest message listed: one posted since was not shown, and stays unread.
    await markMessagesRead(ctx.db, dossier.id, other, at, newest.id);
    for (const row of rows) if (row.authorKind === other && row.readAt === null) row.readAt = at;
  }
  const shown = rows.slice(-MESSAGES_SHOWN);
  return { items: shown.map((row) => messageView(row, side?.side)), canWrite: side?.active ?? false, hasEarlier: rows.length > MESSAGES_SHOWN };
}

export async function postDossierMessage(ctx: AppContext, code: string, caller: Caller, input: unknown): Promise<DossierMessage> {
  // Who may write is decided before what they wrote is looked at: a stranger learns nothing from a 422.
  const { dossier, actor } = await loadDossierFor(ctx, code, caller, 'act');
  const side = sideOf(actor);
  if (!side?.active) {
    throw new AppError('UNIT_FORBIDDEN', 'Hồ sơ hiện không do đơn vị của bạn xử lý: chỉ đơn vị đang giữ hồ sơ nhắn tin cho công dân.');
  }
  const parsed = messageInput.safeParse(input ?? {});
  if (!parsed.success) throw validationFailed(parsed.error, 'Tin nhắn chưa hợp lệ.');
  const { body } = parsed.data;
  const row = await ctx.db.transaction(async (tx) => {
    const message = await insertMessage(tx, {
      dossierId: dossier.id, authorKind: side.side, body, authorName: actor.name,
      authorStaffId: actor.kind === 'staff' ? actor.id : null,
      authorCitizenId: caller.kind === 'citizen' && actor.id === caller.citizen.id ? caller.citizen.id : null,
    });
    if (actor.kind === 'staff' && actor.staff) {
      await recordAudit(tx, staffActor(actor.staff, caller.kind === 'staff' ? caller.ip : null), 'message.sent', dossier.code, {
        messageId: message.id, body, emailed: Boolean(dossier.applicantEmail),
      });
      if (dossier.applicantEmail) await insertOutbox(tx, [notifyMessageRow(dossier.id, message.id)]);
    }
    return message;
  });
  if (row.authorKind === 'staff' && dossier.applicantEmail) ctx.jobs.wake();
  return messageView(row, side.side);
}

function messageView(row: DossierMessageRow, side: MessageSide | undefined): DossierMessage {
  return {
    id: row.id, author: { kind: row.authorKind, name: row.authorName }, body: row.body,
    createdAt: row.createdAt.toISOString(), readAt: row.readAt?.toISOString() ?? null, mine: row.authorKind === side,
  };
}
