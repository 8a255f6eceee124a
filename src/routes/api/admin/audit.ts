// /api/admin: The audit log: filter and export.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../../app-context.js';

export const adminAuditRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (_app, _opts) => {
  // Not built yet.
};
