// The administration API (/api/admin/..., role admin: PERMISSIONS.administration), one file per area.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../../app-context.js';
import { adminAuditRoutes } from './audit.js';
import { adminCalendarRoutes } from './calendar.js';
import { adminCampaignAssignmentRoutes } from './campaign-assignment.js';
import { adminCampaignEnrolmentRoutes } from './campaign-enrolments.js';
import { adminCampaignRosterRoutes } from './campaign-roster.js';
import { adminCampaignRemarkingRoutes } from './campaign-remarking.js';
import { adminCampaignRoutes } from './campaigns.js';
import { adminDocumentRegisterRoutes } from './document-register.js';
import { adminKeyRoutes } from './keys.js';
import { adminNationalInboundRoutes } from './national-portal-inbound.js';
import { adminNationalSyncRoutes } from './national-portal-sync.js';
import { adminOrganisationRoutes } from './organisation.js';
import { adminProcedureRoutes } from './procedures.js';
import { adminSetupRoutes } from './setup.js';
import { adminStaffRoutes } from './staff.js';

export const adminRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  await app.register(adminOrganisationRoutes, { ctx });
  await app.register(adminStaffRoutes, { ctx });
  await app.register(adminKeyRoutes, { ctx });
  await app.register(adminProcedureRoutes, { ctx });
  await app.register(adminCalendarRoutes, { ctx });
  await app.register(adminCampaignRoutes, { ctx });
  await app.register(adminCampaignAssignmentRoutes, { ctx });
  await app.register(adminCampaignEnrolmentRoutes, { ctx });
  await app.register(adminCampaignRosterRoutes, { ctx });
  await app.register(adminCampaignRemarkingRoutes, { ctx });
  await app.register(adminDocumentRegisterRoutes, { ctx });
  await app.register(adminAuditRoutes, { ctx });
  await app.register(adminSetupRoutes, { ctx });
  await app.register(adminNationalInboundRoutes, { ctx });
  await app.register(adminNationalSyncRoutes, { ctx });
};
