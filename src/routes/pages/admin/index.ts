// Administration pages (/quan-tri/...), one file per section, and the signed-in account's own page (/tai-khoan);
// registered in the portal's page scope (CSRF, CSP, error pages: ../index.ts). shared.ts gates them and draws the menu.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { accountPages } from './account.js';
import { auditPages } from './audit.js';
import { calendarPages } from './calendar.js';
import { campaignNoticePages } from './campaign-notices.js';
import { campaignRosterPages } from './campaign-roster.js';
import { campaignSeasonPages } from './campaign-season.js';
import { campaignEnrolmentPages } from './campaign-enrolments.js';
import { campaignRemarkingPages } from './campaign-remarking.js';
import { campaignPages } from './campaigns.js';
import { documentRegisterPages } from './document-register.js';
import { nationalInboundPages } from './national-inbound.js';
import { nationalSyncPages } from './national-sync.js';
import { organisationPages } from './organisation.js';
import { paymentAdminPages } from './payments.js';
import { procedurePages } from './procedures.js';
import { queuePages } from './queues.js';
import { setupPages } from './setup.js';
import { signingKeyPages } from './keys.js';
import { staffAccountPages } from './staff.js';

export async function adminPages(app: FastifyInstance, ctx: AppContext): Promise<void> {
  organisationPages(app, ctx);
  staffAccountPages(app, ctx);
  signingKeyPages(app, ctx);
  procedurePages(app, ctx);
  calendarPages(app, ctx);
  campaignPages(app, ctx);
  campaignRemarkingPages(app, ctx);
  campaignEnrolmentPages(app, ctx);
  campaignSeasonPages(app, ctx);
  campaignNoticePages(app, ctx);
  campaignRosterPages(app, ctx);
  documentRegisterPages(app, ctx);
  auditPages(app, ctx);
  paymentAdminPages(app, ctx);
  nationalInboundPages(app, ctx);
  queuePages(app, ctx);
  nationalSyncPages(app, ctx);
  setupPages(app, ctx);
  accountPages(app, ctx);
}
