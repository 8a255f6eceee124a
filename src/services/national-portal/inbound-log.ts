// The administrators' view of what the national portal pushed to us (national_inbound_messages): newest first, by
// outcome, paged by id; each message with the dossier it created or answered again.
import type { AppContext } from '../../app-context.js';
import { listInboundMessages, type InboundOutcome } from '../../db/repositories/national-inbound.js';
import type { Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';

export const INBOUND_PAGE_SIZE = { default: 50, max: 200 } as const;

export const INBOUND_OUTCOMES = ['accepted', 'replayed', 'refused'] as const satisfies readonly InboundOutcome[];
export const INBOUND_OUTCOME_LABELS: Readonly<Record<InboundOutcome, string>> = Object.freeze({
  accepted: 'Đã tiếp nhận', replayed: 'Gửi lại (đã có hồ sơ)', refused: 'Từ chối',
});

export interface InboundLogQuery { outcome?: InboundOutcome; before?: number; limit?: number }

export interface InboundLogItem {
  id: number;
  receivedAt: string;
  nationalCode: string | null;
  procedureCode: string | null;
  outcome: InboundOutcome;
  outcomeLabel: string;
  errorCode: string | null;
  errorMessage: string | null;
  /** Per-field problems of a refusal; the attachments taken with an accepted message. */
  details: Record<string, unknown> | null;
  sourceIp: string | null;
  /** Our code of the dossier created or answered again. */
  dossierCode: string | null;
}

export async function listInboundLog(ctx: AppContext, caller: Caller, query: InboundLogQuery): Promise<{ items: InboundLogItem[]; next: number | null }> {
  administratorOf(caller);
  const limit = Math.min(Math.max(query.limit ?? INBOUND_PAGE_SIZE.default, 1), INBOUND_PAGE_SIZE.max);
  // One more than asked tells whether another page exists without counting the log.
  const rows = await listInboundMessages(ctx.db, { outcome: query.outcome, beforeId: query.before, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString(), outcomeLabel: INBOUND_OUTCOME_LABELS[r.outcome] })),
    next: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}
