// /api/admin: Settings, agencies, units (and their CSV/XLSX import), unit roles.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../../app-context.js';

export const adminOrganisationRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (_app, _opts) => {
  // Not built yet.
};
