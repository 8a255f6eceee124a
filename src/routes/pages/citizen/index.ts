// Citizen pages, registered in the portal's page scope (CSRF, CSP, error pages: ../index.ts). Every page calls the
// same services as the JSON API.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { admissionPages } from './admissions.js';
import { applyPages } from './apply.js';
import { cataloguePages } from './catalogue.js';
import { dossierPages } from './dossier.js';
import { enrolmentPages } from './enrolment.js';
import { feedbackPages } from './feedback.js';
import { citizenSignInPages } from './sign-in.js';
import { mySpacePages } from './my-space.js';
import { myDocumentsPages } from './my-documents.js';
import { paymentPages } from './payment.js';
import { remarkingPages } from './remarking.js';
import { rosterPages } from './roster.js';
import { serviceIndexPages } from './service-index.js';
import { trackingPages } from './tracking.js';

export async function citizenPages(app: FastifyInstance, ctx: AppContext): Promise<void> {
  cataloguePages(app, ctx);
  applyPages(app, ctx);
  trackingPages(app, ctx);
  dossierPages(app, ctx);
  feedbackPages(app, ctx);
  citizenSignInPages(app, ctx);
  mySpacePages(app, ctx);
  myDocumentsPages(app, ctx);
  paymentPages(app, ctx);
  remarkingPages(app, ctx);
  rosterPages(app, ctx);
  serviceIndexPages(app, ctx);
  admissionPages(app, ctx);
  enrolmentPages(app, ctx);
}
