// /api/admin: Signing keys and signature/seal images of any account or unit, with expiry.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../../app-context.js';

export const adminKeyRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (_app, _opts) => {
  // Not built yet.
};
