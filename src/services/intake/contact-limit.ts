// Anonymous intake sends a message (e-mail, else SMS) to whatever contact the form gives, in the Department's name,
// so each applicant e-mail and phone may be used for at most INTAKE_CONTACT_HOURLY_LIMIT online filings an hour and
// INTAKE_CONTACT_DAILY_LIMIT a day. Counted in PostgreSQL (every server copy sees the same count); an e-mail counts
// lower-case and without a +tag, a phone in its 0… and +84… spellings. Idempotent replays never reach this check.
// Two filings racing past the last free place may both pass: a bound on abuse, not an exact quota.
import type { AppContext } from '../../app-context.js';
import { recentFilingsByContact, type RecentFilings } from '../../db/repositories/dossiers.js';
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

function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} giây`;
  if (seconds < 2 * 3600) return `${Math.ceil(seconds / 60)} phút`;
  return `${Math.ceil(seconds / 3600)} giờ`;
}

/**
 * Refuses (429 RATE_LIMITED, Retry-After) a filing whose e-mail or phone has reached its limit. `fields` names the
 * form's contact fields, so the page marks them.
 */
export async function checkContactLimits(ctx: AppContext, contact: Contact, fields: { email?: string; phone?: string }, now = new Date()): Promise<void> {
  const { perContactHour, perContactDay } = ctx.config.intake;
  const limits: Array<{ name: 'hour' | 'day'; max: number; windowMs: number }> = [
    { name: 'hour' as const, max: perContactHour, windowMs: HOUR_MS },
    { name: 'day' as const, max: perContactDay, windowMs: DAY_MS },
  ].filter((l) => l.max > 0);
  if (limits.length === 0) return;
  const windows = Object.fromEntries(limits.map((l) => [l.name, new Date(now.getTime() - l.windowMs)])) as Record<'hour' | 'day', Date>;
  const checks: Array<{ kind: 'email' | 'phone'; counts: Promise<Record<'hour' | 'day', RecentFilings>> }> = [];
  if (contact.email) checks.push({ kind: 'email', counts: recentFilingsByContact(ctx.db, { email: contact.email }, windows) });
  if (contact.phone) checks.push({ kind: 'phone', counts: recentFilingsByContact(ctx.db, { phones: phoneSpellings(contact.phone) }, windows) });

  let retryAfterMs = 0;
  const over = new Set<'email' | 'phone'>();
  for (const check of checks) {
    const counts = await check.counts;
    for (const limit of limits) {
      const { count, oldest } = counts[limit.name];
      if (count < limit.max) continue;
      over.add(check.kind);
      // A place frees up when the oldest filing in the window leaves it.
      retryAfterMs = Math.max(retryAfterMs, (oldest ?? now.getTime()) + limit.windowMs - now.getTime());
    }
  }
  if (over.size === 0) return;

  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const what = over.size === 2 ? 'email và số điện thoại này' : over.has('email') ? 'email này' : 'số điện thoại này';
  const rule = [perContactHour > 0 ? `${perContactHour} hồ sơ mỗi giờ` : '', perContactDay > 0 ? `${perContactDay} hồ sơ mỗi ngày` : ''].filter(Boolean).join(' và ');
  const note = `Đã có nhiều hồ sơ được nộp gần đây với ${what}.`;
  const problems: Record<string, string> = {};
  if (over.has('email') && fields.email) problems[fields.email] = note;
  if (over.has('phone') && fields.phone) problems[fields.phone] = note;
  const error = new AppError('RATE_LIMITED',
    `${note} Mỗi email hoặc số điện thoại chỉ được dùng để nộp tối đa ${rule}. Vui lòng thử lại sau ${waitText(seconds)}, `
    + 'hoặc liên hệ Bộ phận Tiếp nhận và Trả kết quả.', problems);
  error.retryAfterSeconds = seconds;
  throw error;
}
