// Anonymous intake sends a message (e-mail, else SMS) to whatever contact the form gives, in the Department's name,
// so each applicant e-mail and phone may be used for at most INTAKE_CONTACT_HOURLY_LIMIT online filings an hour and
// INTAKE_CONTACT_DAILY_LIMIT a day. Counted in PostgreSQL (every server copy sees the same count); an e-mail counts
// lower-case and without a +tag, a phone in its 0… and +84… spellings. Idempotent replays never reach this check.
// Two filings racing past the last free place may both pass: a bound on abuse, not an exact quota. Feedback
// (services/feedback/file-feedback.ts) applies the same rule, contactOverLimit, to what it counts.
import type { AppContext } from '../../app-context.js';
import { recentFilingsByContact } from '../../db/repositories/dossiers.js';
import { AppError } from '../../errors.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Contact { email: string | null; phone: string | null }

/** The spellings of one Vietnamese number the phone field accepts (workflow/form-schema.ts): 0912… and +84912…. */
export function phoneSpellings(phone: string): string[] {
  if (phone.startsWith('+84')) return [phone, `0${phone.slice(3)}`];
  if (phone.startsWith('0')) return [phone, `+84${phone.slice(1)}`];
  return [phone];
}

export function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} giây`;
  if (seconds < 2 * 3600) return `${Math.ceil(seconds / 60)} phút`;
  return `${Math.ceil(seconds / 3600)} giờ`;
}

/** The windows a contact is counted over. */
export type LimitWindow = 'hour' | 'day';
export interface RecentCount { count: number; oldest: number | null }
/**
 * How many items used the e-mail, and how many one of the phone's spellings, since each window's start, with the oldest
 * one's time (epoch ms) — for each contact given (one query may answer both).
 */
export type RecentByContact = (match: { email?: string; phones?: string[] }, windows: Record<LimitWindow, Date>)
  => Promise<{ email?: Record<LimitWindow, RecentCount>; phone?: Record<LimitWindow, RecentCount> }>;

/** The contact's e-mail and phone that reached a limit, and when a place frees up (seconds); undefined when none did. */
export interface ContactOverLimit { over: Set<'email' | 'phone'>; retryAfterSeconds: number }

/**
 * The one rule for every channel that writes to a contact in the Department's name (intake, feedback): each e-mail and
 * phone at most INTAKE_CONTACT_HOURLY_LIMIT an hour and INTAKE_CONTACT_DAILY_LIMIT a day of what `recent` counts.
 */
export async function contactOverLimit(ctx: Pick<AppContext, 'config'>, contact: Contact, recent: RecentByContact, now = new Date()): Promise<ContactOverLimit | undefined> {
  const { perContactHour, perContactDay } = ctx.config.intake;
  const limits: Array<{ name: LimitWindow; max: number; windowMs: number }> = [
    { name: 'hour' as const, max: perContactHour, windowMs: HOUR_MS },
    { name: 'day' as const, max: perContactDay, windowMs: DAY_MS },
  ].filter((l) => l.max > 0);
  if (limits.length === 0) return undefined;
  const windows = Object.fromEntries(limits.map((l) => [l.name, new Date(now.getTime() - l.windowMs)])) as Record<LimitWindow, Date>;
  if (!contact.email && !contact.phone) return undefined;
  const found = await recent({ ...(contact.email ? { email: contact.email } : {}), ...(contact.phone ? { phones: phoneSpellings(contact.phone) } : {}) }, windows);

  let retryAfterMs = 0;
  const over = new Set<'email' | 'phone'>();
  for (const kind of ['email', 'phone'] as const) {
    const counts = found[kind];
    if (!counts) continue;
    for (const limit of limits) {
      const { count, oldest } = counts[limit.name];
      if (count < limit.max) continue;
      over.add(kind);
      // A place frees up when the oldest item in the window leaves it.
      retryAfterMs = Math.max(retryAfterMs, (oldest ?? now.getTime()) + limit.windowMs - now.getTime());
    }
  }
  return over.size === 0 ? undefined : { over, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
}

/** "email này", "số điện thoại này" or both, for a refusal's message. */
export function overLimitWhat(over: Set<'email' | 'phone'>): string {
  return over.size === 2 ? 'email và số điện thoại này' : over.has('email') ? 'email này' : 'số điện thoại này';
}

/**
 * Refuses (429 RATE_LIMITED, Retry-After) a filing whose e-mail or phone has reached its limit. `fields` names the
 * form's contact fields, so the page marks them.
 */
export async function checkContactLimits(ctx: AppContext, contact: Contact, fields: { email?: string; phone?: string }, now = new Date()): Promise<void> {
  const found = await contactOverLimit(ctx, contact, (match, windows) => recentFilingsByContact(ctx.database, match, windows), now);
  if (!found) return;
  const { over, retryAfterSeconds: seconds } = found;
  const { perContactHour, perContactDay } = ctx.config.intake;
  const rule = [perContactHour > 0 ? `${perContactHour} hồ sơ mỗi giờ` : '', perContactDay > 0 ? `${perContactDay} hồ sơ mỗi ngày` : ''].filter(Boolean).join(' và ');
  const note = `Đã có nhiều hồ sơ được nộp gần đây với ${overLimitWhat(over)}.`;
  const problems: Record<string, string> = {};
  if (over.has('email') && fields.email) problems[fields.email] = note;
  if (over.has('phone') && fields.phone) problems[fields.phone] = note;
  const error = new AppError('RATE_LIMITED',
    `${note} Mỗi email hoặc số điện thoại chỉ được dùng để nộp tối đa ${rule}. Vui lòng thử lại sau ${waitText(seconds)}, `
    + 'hoặc liên hệ Bộ phận Tiếp nhận và Trả kết quả.', problems);
  error.retryAfterSeconds = seconds;
  throw error;
}
