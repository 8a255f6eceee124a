// Tools the signing tests share: approve as a leader and wait for the result, openssl over each extracted CMS,
// hand-made tampering (a swapped certificate inside a CMS), and certificates dated in the past or the future.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import type { CertificateAndKey } from '../../src/signing/keys.js';
import { findSignatures, extractCms } from '../../src/signing/verify-pdf.js';

const run = promisify(execFile);

/** Runs `openssl cms -verify` on every signature: detached content = the bytes /ByteRange covers. */
export async function opensslVerifyAll(pdf: Buffer, caFile: string): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-cms-'));
  try {
    const outputs: string[] = [];
    const signatures = findSignatures(pdf);
    const cmsList = extractCms(pdf);
    for (const [i, sig] of signatures.entries()) {
      const [s1, l1, s2, l2] = sig.byteRange;
      const content = Buffer.concat([pdf.subarray(s1, s1 + l1), pdf.subarray(s2, s2 + l2)]);
      await writeFile(path.join(dir, `c${i}.bin`), content);
      await writeFile(path.join(dir, `s${i}.der`), cmsList[i]!);
      try {
        const { stderr } = await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path.join(dir, `s${i}.der`),
          '-content', path.join(dir, `c${i}.bin`), '-CAfile', caFile, '-purpose', 'any', '-out', '/dev/null']);
        outputs.push(stderr.trim());
      } catch (error) {
        const e = error as { stderr?: string };
        outputs.push(`FAILED: ${e.stderr ?? String(error)}`);
      }
    }
    return outputs;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Replaces the signer certificate inside signature `index`'s CMS with `certificatePem`, keeping the file length. */
export function swapCertificate(pdf: Buffer, index: number, certificatePem: string): Buffer {
  const sig = findSignatures(pdf)[index]!;
  const cms = extractCms(pdf)[index]!;
  const root = forge.asn1.fromDer(cms.toString('binary'));
  const signedData = ((root.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[0]!;
  const certs = (signedData.value as forge.asn1.Asn1[]).find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 0)!;
  (certs.value as forge.asn1.Asn1[])[0] = forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certificatePem));
  const hex = Buffer.from(forge.asn1.toDer(root).getBytes(), 'binary').toString('hex');
  const [, l1, s2] = sig.byteRange;
  const slot = s2 - l1 - 2;
  if (hex.length > slot) throw new Error('swapped CMS does not fit');
  const copy = Buffer.from(pdf);
  copy.write(hex.padEnd(slot, '0'), l1 + 1, 'latin1');
  return copy;
}

/** A self-signed certificate valid from `from` to `to` (the demo CA only issues certificates starting now); ASCII names. */
export function certificateValid(commonName: string, from: Date, to: Date): CertificateAndKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '4a01';
  cert.validity.notBefore = from;
  cert.validity.notAfter = to;
  const name = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Test' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem };
}
