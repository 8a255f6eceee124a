// What the staff pages share: the sign-in redirect for the public, and how an inbox row is drawn (due soon / overdue).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffRow } from '../../../db/repositories/staff.js';
import type { InboxRow } from '../../../services/processing/inbox.js';
import { signedInStaff } from '../common.js';

export const enc = encodeURIComponent;
const DAY_MS = 86_400_000;

export interface StaffPageOptions {
  /** The tracking-book export's URL when this build has it (../index.ts finds it). */
  trackingBookUrl: string | null;
}

/** Staff-only pages send the public to the sign-in page and come back afterwards. */
export function staffOr(request: FastifyRequest, reply: FastifyReply): StaffRow | undefined {
  const staff = signedInStaff(request);
  if (!staff) void reply.redirect(`/dang-nhap?next=${enc(request.url)}`, 303);
  return staff;
}

/**
 * The query string as text: a repeated parameter (`?status=a&status=b`, which the parser makes an array) counts
 * once, with its last value, as in page forms.
 */
export function queryText(request: FastifyRequest): Record<string, string | undefined> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(query).map(([k, v]) => {
    const last = Array.isArray(v) ? v.at(-1) : v;
    return [k, typeof last === 'string' ? last : undefined];
  }));
}

/** A flash message passed on a redirect (`?tb=`). */
export function flashOf(request: FastifyRequest): string | undefined {
  const tb = (request.query as Record<string, unknown>).tb;
  return typeof tb === 'string' ? tb : undefined;
}

/** An inbox row with its link and its due-date highlight: overdue, or due within a day. */
export function inboxItemView<T extends InboxRow>(row: T, now = Date.now()) {
  const dueIn = row.dueAt ? new Date(row.dueAt).getTime() - now : null;
  const dueSoon = !row.overdue && dueIn !== null && dueIn < DAY_MS;
  return { ...row, url: `/can-bo/ho-so/${enc(row.code)}`, dueClass: row.overdue ? 'overdue' : dueSoon ? 'due-soon' : '', dueSoon };
}
