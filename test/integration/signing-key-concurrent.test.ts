// Two key uploads for the same owner at once (two tabs, two administrators): each replaces the owner's previous key
// under a lock on the owner's row, so exactly one key stays active — for a person and for a unit's seal. PostgreSQL.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKeys, units } from '../../src/db/schema/index.js';
import { findStaffByUsername } from '../../src/db/repositories/staff.js';
import type { KeyOwner } from '../../src/services/keys/signer-keys.js';
import { issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

describe('concurrent signing key uploads', () => {
  let env: TestEnvironment;
  let ca: CertificateAndKey;

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    const caDir = path.join(env.config.dataDir, 'demo-ca');
    ca = { certificatePem: await readFile(path.join(caDir, 'ca.crt.pem'), 'utf8'), privateKeyPem: await readFile(path.join(caDir, 'ca.key.pem'), 'utf8') };
  });
  afterAll(async () => {
    await env?.close();
  });

  const material = async (commonName: string) => ({ ...(await issueCertificate(ca, { commonName, organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' })), chainPem: [ca.certificatePem] });
  const activeKeys = async (owner: KeyOwner) => env.ctx.db.select({ id: signingKeys.id }).from(signingKeys).where(and(
    'staffId' in owner ? eq(signingKeys.staffId, owner.staffId) : eq(signingKeys.unitId, owner.unitId), eq(signingKeys.active, true)));

  it.each(['staff', 'unit'] as const)('leaves exactly one active key for a %s after two uploads at once', async (kind) => {
    const owner: KeyOwner = kind === 'staff'
      ? { staffId: (await findStaffByUsername(env.ctx.db, 'leader'))!.id }
      : { unitId: (await env.ctx.db.select({ id: units.id }).from(units).limit(1))[0]!.id };
    const [first, second] = await Promise.all([material('Khoa A'), material('Khoa B')]);
    for (let round = 0; round < 3; round += 1) {
      const stored = await Promise.all([env.ctx.signerKeys.store(owner, first), env.ctx.signerKeys.store(owner, second)]);
      const active = await activeKeys(owner);
      expect(active).toHaveLength(1);
      expect(stored).toContain(active[0]!.id);
    }
  });
});
