// The sign-in use-case (services/citizens/sign-in.ts) on edge cases a provider can produce: an account the portal knows
// (issuer, subject) arriving with another personal ID number is refused with CITIZEN_LOGIN_FAILED and a warning —
// never a 500 from the database, never a silent re-keying of someone's space — and each sign-in deletes the citizen's
// sessions that have expired or gone idle (they hold ID tokens), leaving live ones and other citizens' alone.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizens, citizenSessions } from '../../src/db/schema/index.js';
import { AppError } from '../../src/errors.js';
import type { CitizenClaims } from '../../src/identity/citizen-claims.js';
import type { CompletedLogin } from '../../src/identity/oidc-client.js';
import { signInCitizen } from '../../src/services/citizens/sign-in.js';
import { CITIZEN_IDLE_MINUTES } from '../../src/services/citizens/sessions.js';
import { testPersonalId } from '../helpers/citizen-session.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

let env: TestEnvironment;
beforeAll(async () => { env = await startTestEnvironment('production', { seedStaff: false }); });
afterAll(async () => { await env?.close(); });

function login(subject: string, personalId: string, fullName = 'Hoàng Văn Thử'): CompletedLogin {
  const claims: CitizenClaims = {
    personalId, fullName, birthDate: '1980-01-01', gender: 'male', email: null, phone: null,
    permanentAddress: null, currentAddress: null, loa: '2', family: [],
  };
  return { claims, issuer: 'https://vneid.test', subject, idToken: `id-token-of-${subject}` };
}

function recordingLog() {
  const warnings: Array<{ obj: unknown; msg: string }> = [];
  return { warnings, warn: (obj: object, msg: string) => { warnings.push({ obj, msg }); } };
}

describe('signInCitizen', () => {
  it('refuses a known account (issuer, subject) that now brings another personal ID number: CITIZEN_LOGIN_FAILED, a warning, nothing changed', async () => {
    const subject = `sub-${testPersonalId()}`;
    const first = testPersonalId();
    const { citizen } = await signInCitizen(env.ctx.db, login(subject, first), '127.0.0.1');
    const log = recordingLog();
    const other = testPersonalId();
    const refused = await signInCitizen(env.ctx.db, login(subject, other, 'Người Khác'), '127.0.0.1', log).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'CITIZEN_LOGIN_FAILED', statusCode: 400 });
    expect((refused as AppError).message).toMatch(/VNeID/);
    expect(log.warnings).toHaveLength(1);
    expect(JSON.stringify(log.warnings[0])).not.toContain(other);
    // The known citizen is as they were; nobody was created for the other number; no session was started for it.
    const [row] = await env.ctx.db.select().from(citizens).where(eq(citizens.id, citizen.id));
    expect(row).toMatchObject({ personalId: first, fullName: 'Hoàng Văn Thử' });
    expect(await env.ctx.db.select().from(citizens).where(eq(citizens.personalId, other))).toHaveLength(0);
    expect(await env.ctx.db.select().from(citizenSessions).where(eq(citizenSessions.citizenId, citizen.id))).toHaveLength(1);
  });

  it('refuses a known personal ID number coming back through an account another citizen holds', async () => {
    const taken = `sub-${testPersonalId()}`;
    await signInCitizen(env.ctx.db, login(taken, testPersonalId()), null);
    const mine = testPersonalId();
    await signInCitizen(env.ctx.db, login(`sub-${mine}`, mine), null);
    const refused = await signInCitizen(env.ctx.db, login(taken, mine), null, recordingLog()).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CITIZEN_LOGIN_FAILED' });
  });

  it('still lets a known person come back through another account (the account is re-keyed to them)', async () => {
    const id = testPersonalId();
    const { citizen } = await signInCitizen(env.ctx.db, login(`old-${id}`, id), null);
    const again = await signInCitizen(env.ctx.db, login(`new-${id}`, id), null);
    expect(again.citizen.id).toBe(citizen.id);
    expect(again.citizen.subject).toBe(`new-${id}`);
  });

  it("deletes the citizen's expired and idle sessions at sign-in, keeping live ones and other citizens'", async () => {
    const id = testPersonalId();
    const { citizen, token: live } = await signInCitizen(env.ctx.db, login(`s-${id}`, id), null);
    const neighbour = await signInCitizen(env.ctx.db, login(`s-n-${id}`, testPersonalId()), null);
    const stale = (hash: string, expires: string, seen: string) => sql`insert into citizen_sessions (token_hash, citizen_id, loa, id_token, expires_at, last_seen_at)
      values (${hash}, ${citizen.id}, '2', 'old-id-token', now() + ${expires}::interval, now() + ${seen}::interval)`;
    await env.ctx.db.execute(stale(`expired-${id}`, '-1 minute', '-2 hours'));
    await env.ctx.db.execute(stale(`idle-${id}`, '+4 hours', `-${CITIZEN_IDLE_MINUTES + 1} minutes`));
    await env.ctx.db.execute(sql`update citizen_sessions set expires_at = now() - interval '1 minute' where citizen_id = ${neighbour.citizen.id}`);
    const before = await env.ctx.db.select().from(citizenSessions).where(eq(citizenSessions.citizenId, citizen.id));
    expect(before).toHaveLength(3);

    const { token: next } = await signInCitizen(env.ctx.db, login(`s-${id}`, id), null);
    const after = await env.ctx.db.select({ tokenHash: citizenSessions.tokenHash }).from(citizenSessions).where(eq(citizenSessions.citizenId, citizen.id));
    expect(after).toHaveLength(2); // the live one and the new one
    expect(after.map((r) => r.tokenHash)).not.toContain(`expired-${id}`);
    expect(after.map((r) => r.tokenHash)).not.toContain(`idle-${id}`);
    expect(live).not.toBe(next);
    // Another citizen's sessions wait for their own sign-in.
    expect(await env.ctx.db.select().from(citizenSessions).where(eq(citizenSessions.citizenId, neighbour.citizen.id))).toHaveLength(1);
  });
});
