// /api/admin: The working-day calendar per year.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../../app-context.js';

export const adminCalendarRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (_app, _opts) => {
  // Not built yet.
};
