// The administration's start page counts the signing keys that need attention with the keys page's own rule
// (keyExpiryWarnings): active keys expiring within EXPIRY_WARNING_DAYS or expired; inactive and healthy keys not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStaffByUsername } from '../../src/db/repositories/staff.js';
import { administrationOverview } from '../../src/services/administration/overview.js';
import { keyExpiryWarnings } from '../../src/services/keys/manage-keys.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { staffCaller } from '../helpers/dossiers.js';
import { certificateValid } from '../helpers/signing-tools.js';

const DAY_MS = 86_400_000;

describe('administration overview: keys needing attention', () => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment('embedded'); });
  afterAll(async () => { await env?.close(); });

  it('counts what keyExpiryWarnings lists: expiring and expired active keys only', async () => {
    const admin = await staffCaller(env.ctx, 'admin');
    const before = await administrationOverview(env.ctx, admin);
    const now = Date.now();
    const leader = (await findStaffByUsername(env.ctx.db, 'leader'))!.id;
    const principal = (await findStaffByUsername(env.ctx.db, 'principal'))!.id;
    const principal2 = (await findStaffByUsername(env.ctx.db, 'principal2'))!.id;
    await env.ctx.signerKeys.store({ staffId: leader }, certificateValid('Expiring', new Date(now - DAY_MS), new Date(now + 10 * DAY_MS)));
    await env.ctx.signerKeys.store({ staffId: principal }, certificateValid('Expired', new Date(now - 400 * DAY_MS), new Date(now - DAY_MS)));
    // Replaced at once by a healthy key: the expired one is inactive and needs nobody.
    await env.ctx.signerKeys.store({ staffId: principal2 }, certificateValid('Old', new Date(now - 400 * DAY_MS), new Date(now - DAY_MS)));
    await env.ctx.signerKeys.store({ staffId: principal2 }, certificateValid('New', new Date(now - DAY_MS), new Date(now + 300 * DAY_MS)));
    const warnings = await keyExpiryWarnings(env.ctx);
    const after = await administrationOverview(env.ctx, admin);
    expect(after.keysExpiring).toBe(warnings.expiring + warnings.expired);
    expect(after.keysExpiring - before.keysExpiring).toBe(2);
    expect(warnings.items.map((i) => i.status)).toEqual(expect.arrayContaining(['expiring', 'expired']));
  });
});
