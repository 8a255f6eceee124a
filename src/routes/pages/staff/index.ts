// Staff pages, one file per page, registered in the portal's page scope (CSRF, CSP, error pages: ../index.ts).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { admissionListPages } from './admissions.js';
import { approvalPages } from './approvals.js';
import { dashboardPage } from './dashboard.js';
import { dossierPages } from './dossier.js';
import { digitisePages } from './digitise.js';
import { failedEffectsPage } from './failed-effects.js';
import { feedbackPages } from './feedback.js';
import { inboxPage } from './inbox.js';
import { paymentPages } from './payments.js';
import type { StaffPageOptions } from './shared.js';
import { signInPages } from './sign-in.js';
import { remoteSigningPages } from './remote-signing.js';

export async function staffPages(app: FastifyInstance, ctx: AppContext, options: StaffPageOptions): Promise<void> {
  signInPages(app, ctx);
  inboxPage(app, ctx, options);
  dossierPages(app, ctx);
  paymentPages(app, ctx);
  digitisePages(app, ctx);
  approvalPages(app, ctx);
  remoteSigningPages(app, ctx);
  dashboardPage(app, ctx, options);
  feedbackPages(app, ctx);
  failedEffectsPage(app, ctx);
  admissionListPages(app, ctx);
}
