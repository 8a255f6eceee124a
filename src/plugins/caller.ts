// Who is calling: a signed-in staff member (session cookie or Bearer session token), or the public — whose Bearer
// may be a dossier's tracking token, checked later against that dossier.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { StaffRow } from '../db/repositories/staff.js';
import { AppError } from '../errors.js';
import type { Caller } from '../services/access.js';
import { staffForToken } from '../services/accounts/auth.js';
import type { AppContext } from '../app-context.js';

export const SESSION_COOKIE = 'motcua_session';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  return null;
}

export const callerPlugin = fp(async (app: FastifyInstance, opts: { ctx: AppContext }) => {
  // Declared without a value (reference types must not be shared); the hook below always sets it.
  app.decorateRequest('caller');
  app.addHook('preHandler', async (request) => {
    const bearer = bearerOf(request);
    const token = bearer ?? request.cookies[SESSION_COOKIE] ?? null;
    const staff = token ? await staffForToken(opts.ctx.db, token) : undefined;
    request.caller = staff ? { kind: 'staff', staff } : { kind: 'public', bearer };
  });
});

export function requireStaff(request: FastifyRequest): StaffRow {
  if (request.caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  return request.caller.staff;
}
