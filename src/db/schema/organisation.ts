// Who works where: agencies, their units, staff accounts and their sessions.
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';

/** An agency (the department, a school, the public-service centre); `code` is its QCVN 102 code, used in dossier codes. */
export const agencies = pgTable('agencies', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  parentName: text('parent_name').notNull(),
  place: text('place').notNull(),
  kind: text('kind', { enum: ['department', 'school', 'centre'] }).notNull(),
  /** Short name used in document symbols (Decree 30: "125/QĐ-SGDĐT"). */
  abbreviation: text('abbreviation'),
  /** The agency above this one in the QCVN 102 tree, when it is one of ours (a school under the Department). */
  parentCode: text('parent_code'),
  createdAt: createdAt(),
});

/** A unit inside an agency (a division, the one-stop desk, a school's office). Staff belong to one unit. */
export const units = pgTable('units', {
  id: text('id').primaryKey(),
  agencyCode: text('agency_code').notNull().references(() => agencies.code),
  parentId: text('parent_id'),
  name: text('name').notNull(),
  /** A one-stop desk receives for every unit of its agency; other units see their own subtree. */
  kind: text('kind', { enum: ['board', 'division', 'one_stop_desk', 'school_office'] }).notNull(),
  abbreviation: text('abbreviation'),
  createdAt: createdAt(),
});

/** Signing authority (Decree 30, art. 13): "KT. GIÁM ĐỐC" = kind KT for the head's title "GIÁM ĐỐC". */
export interface SigningAuthority { kind: 'KT' | 'TL' | 'TM'; for: string }

export const staffAccounts = pgTable('staff_accounts', {
  id: uuid('id').primaryKey().defaultRandom(),
  username: text('username').notNull().unique(),
  fullName: text('full_name').notNull(),
  title: text('title').notNull(),
  email: text('email'),
  roles: text('roles').array().notNull(),
  unitId: text('unit_id').notNull().references(() => units.id),
  passwordHash: text('password_hash').notNull(),
  /** A temporary password (set by an administrator): the account can do nothing but change it. */
  mustChangePassword: boolean('must_change_password').notNull().default(false),
  /** When the temporary password stops signing in (the administrator issues a new one); null for a chosen password. */
  temporaryPasswordExpiresAt: timestamp('temporary_password_expires_at', { withTimezone: true }),
  authority: jsonb('authority').$type<SigningAuthority>(),
  /** TOTP shared secret, encrypted like signing keys; two-factor is on once `totpEnabledAt` is set. */
  totpSecret: text('totp_secret'),
  totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
  active: boolean('active').notNull().default(true),
  /** Wrong passwords since the last success; kept here (not per server copy) so every copy throttles the same account. */
  failedLogins: integer('failed_logins').notNull().default(0),
  /** While in the future, sign-in is refused without checking the password (accounts/throttle.ts says how long). */
  loginBlockedUntil: timestamp('login_blocked_until', { withTimezone: true }),
  createdAt: createdAt(),
});

export const sessions = pgTable('sessions', {
  /** sha256 of the token: a leaked table does not leak usable tokens. */
  tokenHash: text('token_hash').primaryKey(),
  staffId: uuid('staff_id').notNull().references(() => staffAccounts.id, { onDelete: 'cascade' }),
  /** Absolute end of the session, whatever its use. */
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  /** Last use (refreshed at most once a minute): a session idle for longer than the idle timeout is over. */
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  createdAt: createdAt(),
}, (t) => [index('sessions_staff_idx').on(t.staffId)]);
