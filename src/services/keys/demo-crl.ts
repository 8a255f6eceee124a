// The demo CA's certificate revocation list, published at GET /pki/demo-ca.crl in the embedded default (where the
// demo CA exists under DATA_DIR/demo-ca): DER, signed by the demo CA, listing nothing (demo keys are never revoked),
// made again when the one on disk is more than a day old. Valid for a week, so a CRL fetched at any moment covers
// the days until the next one and a verifier never sees a gap.
import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../../app-context.js';
import { createCrl, parseCrl } from '../../signing/revocation.js';

export const DEMO_CRL_PATH = '/pki/demo-ca.crl';
const DAY_MS = 24 * 60 * 60 * 1000;
const VALID_FOR_MS = 7 * DAY_MS;
/** thisUpdate a little in the past: a verifier whose clock is behind still sees a CRL already in force. */
const BACKDATE_MS = 60 * 60 * 1000;

/** The URL demo certificates name as their CRL distribution point. */
export function demoCrlUrl(publicUrl: string): string {
  return `${publicUrl}${DEMO_CRL_PATH}`;
}

const cache = new Map<string, { der: Buffer; thisUpdate: number }>();

/**
 * The current demo CRL (DER), or undefined where there is no demo CA (a production deployment). Read from disk once
 * per process, made again once a day; two processes renewing at once each write a whole file (rename), either wins.
 */
export async function demoCaCrl(dataDir: string, now = new Date()): Promise<Buffer | undefined> {
  const dir = path.join(dataDir, 'demo-ca');
  const certFile = path.join(dir, 'ca.crt.pem');
  const keyFile = path.join(dir, 'ca.key.pem');
  const crlFile = path.join(dir, 'demo-ca.crl');
  const fresh = (thisUpdate: number) => now.getTime() - thisUpdate < DAY_MS;
  const cached = cache.get(crlFile);
  if (cached && fresh(cached.thisUpdate)) return cached.der;
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  const certificatePem = await readFile(certFile, 'utf8');
  if (existsSync(crlFile)) {
    const der = await readFile(crlFile);
    try {
      const { thisUpdate } = parseCrl(der);
      if (fresh(thisUpdate.getTime() + BACKDATE_MS)) {
        cache.set(crlFile, { der, thisUpdate: thisUpdate.getTime() + BACKDATE_MS });
        return der;
      }
    } catch {
      // Unreadable: made again below.
    }
  }
  const der = createCrl(certificatePem, createPrivateKey(await readFile(keyFile, 'utf8')), {
    thisUpdate: new Date(now.getTime() - BACKDATE_MS),
    nextUpdate: new Date(now.getTime() + VALID_FOR_MS),
    number: BigInt(now.getTime()),
  });
  const temporary = `${crlFile}.${process.pid}.tmp`;
  await writeFile(temporary, der);
  await rename(temporary, crlFile);
  cache.set(crlFile, { der, thisUpdate: now.getTime() });
  return der;
}

/** The in-process source for our own CRL URL, so issuing a result never waits on an HTTP call to itself. */
export function ownCrlSource(ctx: AppContext): (url: string) => Promise<Buffer | undefined> {
  const own = demoCrlUrl(ctx.config.publicUrl);
  return async (url) => (url === own ? demoCaCrl(ctx.config.dataDir) : undefined);
}
