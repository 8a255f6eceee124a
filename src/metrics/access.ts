// Who may read /metrics: it names routes, queues and error counts, so it must not be public. A scraper on the
// machine or the private network reaches a copy directly; anyone else needs the METRICS_TOKEN bearer token. A request
// that came through a reverse proxy (it carries X-Forwarded-For, Forwarded or X-Real-IP) needs the token too, because
// without TRUST_PROXY every client behind a local proxy would look like 127.0.0.1.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIPv4 } from 'node:net';

const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6'); // unique local (RFC 4193)

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'] as const;

/** Loopback or a private range (RFC 1918, RFC 4193); an IPv4-mapped IPv6 address counts as its IPv4 one. */
export function isPrivateAddress(address: string | undefined): boolean {
  if (!address) return false;
  const mapped = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return isIPv4(mapped) ? PRIVATE.check(mapped, 'ipv4') : PRIVATE.check(mapped, 'ipv6');
}

export type MetricsAccess =
  | { allowed: true }
  | { allowed: false; status: 401 | 403; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string };

function sameToken(given: string, expected: string): boolean {
  // Digests first: timingSafeEqual needs equal lengths, and the comparison must not reveal the token's length.
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

/**
 * `address`: the client as the server sees it (fastify's request.ip, after TRUST_PROXY; the socket's peer for the
 * worker's health server). A right bearer token is always enough; a wrong one is refused even from a private address.
 */
export function metricsAccess(input: { address: string | undefined; headers: IncomingHttpHeaders; token: string | undefined }): MetricsAccess {
  const authorization = input.headers.authorization;
  const bearer = typeof authorization === 'string' && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : undefined;
  if (bearer !== undefined) {
    if (input.token && sameToken(bearer, input.token)) return { allowed: true };
    return { allowed: false, status: 401, code: 'UNAUTHENTICATED', message: 'Mã truy cập số liệu giám sát không đúng.' };
  }
  const forwarded = FORWARDING_HEADERS.some((name) => input.headers[name] !== undefined);
  if (!forwarded && isPrivateAddress(input.address)) return { allowed: true };
  return input.token
    ? { allowed: false, status: 401, code: 'UNAUTHENTICATED', message: 'Cần mã truy cập (Authorization: Bearer …) để xem số liệu giám sát.' }
    : { allowed: false, status: 403, code: 'FORBIDDEN', message: 'Số liệu giám sát chỉ xem được từ mạng nội bộ (hoặc đặt METRICS_TOKEN).' };
}
