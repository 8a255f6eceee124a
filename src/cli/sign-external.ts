// `npm run sign:external -- --url http://localhost:3000 --dossier <code> --p12 key.p12 --password <p12 password>
//   (--token <bearer> | --username <u> --login-password <p>)`
// Plays a USB token / remote-signing service against the external-signing API: prepare, sign only the SHA-256
// digest of the signed attributes (as a token does: RSA PKCS#1 v1.5 over DigestInfo), complete. The private key
// never travels; the server checks the signature and the certificate before embedding anything.
import { constants, createHash, privateEncrypt, sign, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parsePkcs12 } from '../signing/pkcs12.js';

// DER prefix of DigestInfo { sha256, NULL } before the 32-byte digest (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

async function call(url: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url} → HTTP ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://localhost:3000' },
      dossier: { type: 'string' },
      p12: { type: 'string' },
      password: { type: 'string', default: '' },
      token: { type: 'string' },
      username: { type: 'string' },
      'login-password': { type: 'string' },
    },
  });
  if (!values.dossier || !values.p12) {
    console.error('Cần --dossier <mã hồ sơ> và --p12 <tệp .p12> (xem đầu tệp src/cli/sign-external.ts).');
    return 2;
  }
  const base = values.url.replace(/\/+$/, '');
  let token = values.token;
  if (!token) {
    if (!values.username) throw new Error('Cần --token hoặc --username/--login-password.');
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: values.username, password: values['login-password'] ?? '' }),
    });
    if (!login.ok) throw new Error(`đăng nhập thất bại: HTTP ${login.status}`);
    token = ((await login.json()) as { token: string }).token;
  }
  const token_ = await readFile(values.p12);
  const device = parsePkcs12(token_, values.password);
  const code = encodeURIComponent(values.dossier);

  const prepared = await call(`${base}/api/dossiers/${code}/signatures/prepare`, token, {});
  const expected = new X509Certificate(String(prepared.certificate));
  if (!expected.raw.equals(new X509Certificate(device.certificatePem).raw)) {
    throw new Error('Máy chủ chờ chứng thư khác với chứng thư trong thiết bị ký.');
  }
  const signedAttributes = Buffer.from(String(prepared.signedAttributes), 'base64');
  const digest = Buffer.from(String(prepared.digest), 'base64');
  if (!createHash('sha256').update(signedAttributes).digest().equals(digest)) throw new Error('digest does not match signedAttributes');
  // The token sees only the digest.
  const signature = device.key.asymmetricKeyType === 'rsa'
    ? privateEncrypt({ key: device.key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]))
    : sign('sha256', signedAttributes, device.key);

  const done = await call(`${base}/api/dossiers/${code}/signatures/${String(prepared.preparationId)}/complete`, token, {
    signature: signature.toString('base64'),
    certificate: device.certificatePem,
  });
  console.log(JSON.stringify(done));
  return 0;
}

main().then((code) => { process.exitCode = code; }, (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
