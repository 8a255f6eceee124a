// What every page route shares: rendering inside the layout with the signed-in staff member and a CSRF token,
// the citizen's remembered tracking tokens (a cookie set on the receipt, so nobody retypes a token), accent-free
// search, and reading page forms (urlencoded or multipart) into plain fields and files.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { readMultipart } from '../../plugins/multipart.js';
import { can, type Caller } from '../../services/access.js';
import { siteNames, type OrganisationInfo } from '../../services/administration/organisation-info.js';
import type { UploadedFile } from '../../services/intake/uploads.js';
import { lazyCsrfToken } from './csrf-token.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The organisation's names (app.ts decorates the root instance with ctx.organisation, kept current by admin-data.ts). */
    organisation: OrganisationInfo;
    /** Whether "Đăng nhập bằng VNeID" is offered (app.ts: an identity provider is configured). */
    citizenLogin: boolean;
  }
}

export const TRACK_COOKIE = 'motcua_track';
const MAX_REMEMBERED = 10;
/** How long a browser remembers the dossiers filed or tracked on it ("Quên thiết bị này" on /tra-cuu forgets at once). */
export const TRACK_COOKIE_DAYS = 30;

export interface StaffNav {
  fullName: string; title: string; isLeader: boolean; canSeeStats: boolean; canOperate: boolean; isClerk: boolean;
  /** The administration pages (/quan-tri). */
  canAdminister: boolean;
  /** The agency's feedback and complaints (/can-bo/phan-anh). */
  canAnswerFeedback: boolean;
}

export function staffNav(staff: StaffRow | undefined): StaffNav | null {
  if (!staff) return null;
  return {
    fullName: staff.fullName, title: staff.title,
    isLeader: staff.roles.includes('leader'), isClerk: staff.roles.includes('clerk'),
    canSeeStats: can(staff, 'stats'),
    canOperate: can(staff, 'operations'),
    canAdminister: can(staff, 'administration'),
    canAnswerFeedback: can(staff, 'feedback'),
  };
}

export function signedInStaff(request: FastifyRequest): StaffRow | undefined {
  // No caller yet when the request failed before its preHandler hooks (a body that did not parse): the error page.
  return request.caller?.kind === 'staff' ? request.caller.staff : undefined;
}

/**
 * Renders templates/pages/<template>.hbs in the layout; every page gets `staff` and `citizenNav` (for the header; a
 * citizen signed in with VNeID), `citizenLogin` (whether to offer it), `csrfToken` (made when a form draws it:
 * csrf-token.ts) and `site` (the province's and the Department's names from the settings, for the title, header and
 * footer).
 */
export function render(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) {
  const csrfToken = lazyCsrfToken(reply);
  return reply.status(status).header('cache-control', 'no-store').page(template, {
    ...data, staff: staffNav(signedInStaff(request)), csrfToken, currentPath: request.url.split('?')[0],
    citizenNav: request.caller?.kind === 'citizen' ? { fullName: request.caller.citizen.fullName } : null,
    citizenLogin: request.server.citizenLogin,
    site: siteNames(request.server.organisation),
  });
}

export { foldAccents } from '../../services/viewing/text.js';

export interface Remembered { code: string; token: string }

export function rememberedDossiers(request: FastifyRequest): Remembered[] {
  const raw = request.cookies[TRACK_COOKIE];
  if (!raw) return [];
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((e): e is Remembered => typeof e?.code === 'string' && typeof e?.token === 'string').slice(0, MAX_REMEMBERED);
  } catch {
    return [];
  }
}

export function rememberDossier(request: FastifyRequest, reply: FastifyReply, code: string, token: string, secure: boolean): void {
  const list = [{ code, token }, ...rememberedDossiers(request).filter((e) => e.code !== code)].slice(0, MAX_REMEMBERED);
  reply.setCookie(TRACK_COOKIE, Buffer.from(JSON.stringify(list)).toString('base64url'), {
    path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: TRACK_COOKIE_DAYS * 86_400,
  });
}

/** "Quên thiết bị này": this browser forgets every dossier it remembered. */
export function forgetDossiers(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(TRACK_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

/**
 * Staff act as themselves; a citizen signed in with VNeID as themselves (a dossier that concerns them opens without a
 * token: services/access.ts), with the tracking token remembered for this code sent along; anyone else is the holder
 * of that remembered token.
 */
export function citizenCaller(request: FastifyRequest, code: string): Caller {
  if (request.caller.kind === 'staff') return request.caller;
  const remembered = rememberedDossiers(request).find((e) => e.code === code);
  if (request.caller.kind === 'citizen') return { ...request.caller, bearer: remembered?.token ?? request.caller.bearer };
  return { kind: 'public', bearer: remembered?.token ?? null };
}

export interface PageForm { fields: Record<string, string>; files: UploadedFile[] }

/** A page form's fields (urlencoded or multipart) with empty file inputs dropped. */
export async function readPageForm(request: FastifyRequest): Promise<PageForm> {
  if (request.isMultipart()) {
    const body = await readMultipart(request);
    return { fields: body.fields, files: body.files.filter((f) => f.data.length > 0) };
  }
  const body = request.body;
  const fields: Record<string, string> = {};
  // A repeated field counts once (its last value); only text, numbers and booleans are read, so a JSON body with
  // objects or deeply nested arrays (String() on them recurses) gives empty fields, which the service refuses.
  if (body && typeof body === 'object') for (const [k, v] of Object.entries(body)) fields[k] = formText(Array.isArray(v) ? v.at(-1) : v);
  return { fields, files: [] };
}

function formText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/**
 * The dossier version a page form sends back (optimistic concurrency): digits only, so "1.0", "0x1" or "1e0" are
 * refused (422) rather than read as 1.
 */
export function formVersion(raw: string | undefined): number {
  if (raw === undefined || !/^[1-9][0-9]{0,8}$/.test(raw)) {
    throw new AppError('VALIDATION_FAILED', 'Thiếu hoặc sai phiên bản hồ sơ. Vui lòng tải lại trang và thử lại.', { version: 'Phải là một số nguyên dương.' });
  }
  return Number(raw);
}

/** `data.<name>` inputs of an action form, as the service's `data` object. */
export function prefixedData(fields: Record<string, string>, prefix: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (k.startsWith(prefix)) data[k.slice(prefix.length)] = v;
  return data;
}

/** True when the browser script asked for JSON (uploads with progress); the plain form gets HTML. */
export function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

export function fieldErrors(error: unknown): { message: string; fields: Record<string, string> } | undefined {
  if (error instanceof AppError && error.statusCode < 500) return { message: error.message, fields: error.fields ?? {} };
  return undefined;
}
