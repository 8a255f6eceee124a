// The HMAC both ways between motcua and the national portal: each request carries the time it was made and
// HMAC-SHA256(secret, `${timestamp}.${method} ${path}.${body}`) in hex. The portal's own envelope authenticates through
// the provincial data-sharing gateway (LGSP); this shared-secret scheme is our assumption of what that gateway checks,
// kept in one place so a deployment can swap it (e.g. for mutual TLS at the gateway).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-portal-timestamp';
export const SIGNATURE_HEADER = 'x-portal-signature';
/** A signed request older or newer than this is refused: a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export function portalSignature(secret: string, timestamp: string, method: string, pathAndQuery: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.${method.toUpperCase()} ${pathAndQuery}.`).update(body).digest('hex');
}

/** The two headers of a signed request. */
export function signedHeaders(secret: string, method: string, pathAndQuery: string, body: string | Buffer, now = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: portalSignature(secret, timestamp, method, pathAndQuery, body) };
}

export type SignatureProblem = 'missing' | 'stale' | 'mismatch';

/** Why a request's signature does not hold, or null when it does. Compares in constant time. */
export function checkPortalSignature(
  secret: string, headers: Record<string, string | string[] | undefined>, method: string, pathAndQuery: string, body: string | Buffer, now = new Date(),
): SignatureProblem | null {
  const timestamp = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(timestamp) || !/^[0-9a-f]{64}$/.test(signature)) return 'missing';
  if (Math.abs(now.getTime() - Number(timestamp) * 1000) > SIGNATURE_TOLERANCE_MS) return 'stale';
  const expected = Buffer.from(portalSignature(secret, timestamp, method, pathAndQuery, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? null : 'mismatch';
}
