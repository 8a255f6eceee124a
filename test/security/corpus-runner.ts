// Runs data-driven HTTP cases (the bad-input corpus and the authorization matrix) through app.inject: who calls
// (nobody, a citizen holding a tracking token, a staff member), with which body (JSON, raw bytes, a urlencoded or
// multipart form, possibly truncated), and what must come back (status, stable error code, HTML page, redirect).
// Placeholders such as {code} or {token} in paths, headers and bodies are filled from the fixtures of the test file.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface Part { name: string; value?: string | Buffer; filename?: string; contentType?: string }

export type Body =
  | { json: unknown }
  /** Sent byte for byte; `type` is the Content-Type (none when omitted). */
  | { raw: string | Buffer; type?: string }
  | { form: Record<string, string | string[]> }
  /** multipart/form-data; `truncate` cuts the encoded body to that many bytes, `boundary: null` drops it from the type. */
  | { multipart: Part[]; boundary?: string | null; truncate?: number; type?: string; noClose?: boolean };

/** Who calls: nobody, the citizen with the tracking token (`citizen` = {token}, `citizen2` = {token2}), or a demo staff account. */
export type Who = 'anon' | 'citizen' | 'citizen2' | string;

export interface Expected {
  status: number;
  /** The stable code of a JSON error body. */
  code?: string;
  /** An HTML page (the pages' Vietnamese error page for an error status). */
  html?: boolean;
  /** A redirect's Location: a pattern, or 'same-site' (a path on this site, never another host). */
  location?: RegExp | 'same-site';
}

export interface HttpCase {
  /** Grouping for the summary, e.g. 'POST /api/dossiers'. */
  endpoint: string;
  name: string;
  method: Method;
  path: string;
  who?: Who;
  /** How a caller presents itself: API calls use Bearer, pages the browser's cookies. Default: by path. */
  via?: 'bearer' | 'cookie';
  headers?: Record<string, string>;
  body?: Body;
  /** Add the pages' CSRF cookie and token (x-csrf-token). */
  csrf?: boolean;
  cookies?: Record<string, string>;
  /** The client's address as the server sees it (light-my-request's default: 127.0.0.1). */
  remoteAddress?: string;
  expect: Expected;
}

export interface Fixtures {
  /** Placeholder values: {code}, {token}, … */
  values: Record<string, string>;
  /** Session tokens of demo staff by username. */
  sessions: Record<string, string>;
  /** The pages' CSRF secret (cookie) and a token made from it. */
  csrf: { secret: string; token: string };
  /** Bytes for a multipart part whose whole value is `{name}` (e.g. `{pdf}`). */
  files: Record<string, Buffer>;
}

const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);

function fillDeep(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return fill(value, values);
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [fill(k, values), fillDeep(v, values)]));
  return value;
}

export function multipartBody(parts: Part[], boundary: string, close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const type = p.contentType ?? (p.filename !== undefined ? 'application/octet-stream' : undefined);
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`, 'latin1'));
    chunks.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value ?? '', 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const PAGE_PREFIXES = ['/api/', '/healthz', '/readyz', '/docs'];
const isApiPath = (path: string) => PAGE_PREFIXES.some((p) => path.startsWith(p));

/** The request light-my-request sends for a case. */
export function toInject(c: HttpCase, fx: Fixtures): InjectOptions {
  const values = fx.values;
  const url = fill(c.path, values);
  const headers: Record<string, string> = {};
  const cookies: Record<string, string> = { ...(c.cookies ? (fillDeep(c.cookies, values) as Record<string, string>) : {}) };
  const who = c.who ?? 'anon';
  const via = c.via ?? (isApiPath(url) ? 'bearer' : 'cookie');
  if (who === 'citizen' || who === 'citizen2') {
    const code = values[who === 'citizen' ? 'code' : 'code2']!;
    const token = values[who === 'citizen' ? 'token' : 'token2']!;
    if (via === 'bearer') headers.authorization = `Bearer ${token}`;
    else cookies.motcua_track = Buffer.from(JSON.stringify([{ code, token }])).toString('base64url');
  } else if (who !== 'anon') {
    const session = fx.sessions[who];
    if (!session) throw new Error(`no session for ${who}`);
    if (via === 'bearer') headers.authorization = `Bearer ${session}`;
    else cookies.motcua_session = session;
  }
  if (c.csrf) {
    cookies.motcua_csrf = fx.csrf.secret;
    headers['x-csrf-token'] = fx.csrf.token;
  }
  let payload: string | Buffer | undefined;
  const body = c.body;
  if (body && 'json' in body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(fillDeep(body.json, values));
  } else if (body && 'raw' in body) {
    if (body.type) headers['content-type'] = body.type;
    payload = typeof body.raw === 'string' ? fill(body.raw, values) : body.raw;
  } else if (body && 'form' in body) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body.form)) for (const one of ([] as string[]).concat(v)) form.append(k, fill(one, values));
    payload = form.toString();
  } else if (body && 'multipart' in body) {
    const boundary = body.boundary ?? '----motcua-corpus';
    const bytes = (value: Part['value']) => {
      if (typeof value !== 'string') return value;
      const whole = /^\{(\w+)\}$/.exec(value);
      return whole && fx.files[whole[1]!] ? fx.files[whole[1]!] : fill(value, values);
    };
    const parts = body.multipart.map((p) => ({ ...p, name: fill(p.name, values), value: bytes(p.value) }));
    let encoded = multipartBody(parts, boundary, !body.noClose);
    if (body.truncate !== undefined) encoded = encoded.subarray(0, body.truncate);
    headers['content-type'] = body.type ?? (body.boundary === null ? 'multipart/form-data' : `multipart/form-data; boundary=${boundary}`);
    payload = encoded;
  }
  for (const [k, v] of Object.entries(c.headers ?? {})) headers[k.toLowerCase()] = fill(v, values);
  return {
    method: c.method, url, headers, cookies, ...(payload !== undefined ? { payload } : {}), ...(c.remoteAddress ? { remoteAddress: c.remoteAddress } : {}),
  };
}

/** What came back, in the terms of `Expected`: for comparison and for a readable failure message. */
export function observe(response: LightMyRequestResponse): { status: number; code?: string; html: boolean; location?: string } {
  const type = String(response.headers['content-type'] ?? '');
  let code: string | undefined;
  if (type.includes('application/json')) {
    try { code = (JSON.parse(response.body) as { error?: { code?: string } }).error?.code; } catch { /* not JSON after all */ }
  }
  const location = response.headers.location;
  return { status: response.statusCode, code, html: type.startsWith('text/html'), ...(location !== undefined ? { location: String(location) } : {}) };
}

/** A same-site Location: a path on this site that no browser reads as another host (no //, \, tab, CR/LF, scheme). */
export function isSameSite(location: string): boolean {
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(location)) return false;
  const resolved = new URL(location, 'http://motcua.test');
  return resolved.origin === 'http://motcua.test';
}

/** Mismatches between what was expected and what came back; empty when the case passes. */
export function mismatches(expected: Expected, seen: ReturnType<typeof observe>): string[] {
  const problems: string[] = [];
  if (seen.status !== expected.status) problems.push(`status ${seen.status} (expected ${expected.status})`);
  if (expected.code !== undefined && seen.code !== expected.code) problems.push(`code ${seen.code ?? '-'} (expected ${expected.code})`);
  if (expected.html && !seen.html) problems.push('not an HTML page');
  if (expected.location !== undefined) {
    const ok = seen.location !== undefined && (expected.location === 'same-site' ? isSameSite(seen.location) : expected.location.test(seen.location));
    if (!ok) problems.push(`location ${seen.location ?? '-'} (expected ${String(expected.location)})`);
  }
  if (seen.status >= 500) problems.push('a 5xx answer');
  return problems;
}

/** Cases run per endpoint, as a printable table. */
export function summary(title: string, counts: Map<string, number>): string {
  const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(...rows.map(([e]) => e.length), 10);
  const total = rows.reduce((n, [, c]) => n + c, 0);
  return [`${title}: ${total} cases over ${rows.length} endpoints`, ...rows.map(([e, c]) => `  ${e.padEnd(width)}  ${String(c).padStart(4)}`)].join('\n');
}
