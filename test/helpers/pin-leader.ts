// A deputy director ("pgd", password "demo") whose key, issued by the demo CA, is to be held on the server locked by
// a PIN: the account is created, and the multipart form that registers the key (POST /api/signing-keys) is returned.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashPassword } from '../../src/accounts/passwords.js';
import { insertStaff } from '../../src/db/repositories/staff.js';
import { issueCertificate } from '../../src/signing/keys.js';
import { createPkcs12 } from '../../src/signing/pkcs12.js';
import type { TestEnvironment } from './context.js';

export async function createPinLeader(env: TestEnvironment, pin: string): Promise<FormData> {
  const caDir = path.join(env.config.dataDir, 'demo-ca');
  const ca = { certificatePem: await readFile(path.join(caDir, 'ca.crt.pem'), 'utf8'), privateKeyPem: await readFile(path.join(caDir, 'ca.key.pem'), 'utf8') };
  const cert = await issueCertificate(ca, { commonName: 'Đỗ Minh Tuấn', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa', title: 'Phó Giám đốc' });
  await insertStaff(env.ctx.db, {
    username: 'pgd', fullName: 'Đỗ Minh Tuấn', title: 'Phó Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('demo'),
  });
  const form = new FormData();
  form.append('staff', 'pgd');
  form.append('password', 'p12-pass');
  form.append('pin', pin);
  form.append('pkcs12', new Blob([createPkcs12(cert.privateKeyPem, cert.certificatePem, [ca.certificatePem], 'p12-pass')]), 'pgd.p12');
  return form;
}
