// buildApp(ctx): the HTTP application — plugins, then routes. It never listens: server.ts and main.ts do,
// and tests call app.inject() or listen on a random port.
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { AppContext } from './app-context.js';
import { failFastRedis } from './redis.js';
import { callerPlugin } from './plugins/caller.js';
import { metricsPlugin } from './metrics/plugin.js';
import { errorsPlugin, frameworkErrors } from './plugins/errors.js';
import { DOCS_CSP, securityHeadersPlugin } from './plugins/security-headers.js';
import { viewsPlugin } from './plugins/views.js';
import { adminEffectRoutes } from './routes/api/admin-effects.js';
import { adminRoutes } from './routes/api/admin/index.js';
import { admissionEnrolmentRoutes } from './routes/api/admission-enrolment.js';
import { admissionLookupRoutes } from './routes/api/admission-lookup.js';
import { admissionRosterRoutes } from './routes/api/admission-roster.js';
import { admissionRemarkingRoutes } from './routes/api/admission-remarking.js';
import { assignmentRoutes } from './routes/api/assignments.js';
import { dossierRoutes } from './routes/api/dossiers.js';
import { feedbackRoutes } from './routes/api/feedback.js';
import { formRoutes } from './routes/api/forms.js';
import { paymentRecordRoutes } from './routes/api/payment-records.js';
import { healthRoutes } from './routes/api/health.js';
import { citizenIdentityRoutes } from './routes/api/citizen-identity.js';
import { meRoutes } from './routes/api/me.js';
import { messageRoutes } from './routes/api/messages.js';
import { citizenDocumentRoutes } from './routes/api/citizen-documents.js';
import { procedureRoutes } from './routes/api/procedures.js';
import { reportRoutes } from './routes/api/reports.js';
import { staffRoutes } from './routes/api/staff.js';
import { statsRoutes } from './routes/api/stats.js';
import { surveyRoutes } from './routes/api/survey.js';
import { pageRoutes } from './routes/pages/index.js';
import { verifyPages } from './routes/pages/verify.js';
import { signingRoutes } from './routes/api/signing.js';
import { signingAgentRoutes } from './routes/api/signing-agent.js';
import { remoteSigningRoutes } from './routes/api/remote-signing.js';
import { verifyRoutes } from './routes/api/verify.js';
import { pkiRoutes } from './routes/api/pki.js';
import { onlinePaymentRoutes } from './routes/api/online-payments.js';
import { nationalPortalRoutes } from './routes/api/national-portal.js';
import { retainVerifierPool } from './signing/verify-pool.js';

/** Text parts a multipart request may carry (each at most 256 KB). */
const MAX_FORM_FIELDS = 100;

export async function buildApp(ctx: AppContext) {
  const app = Fastify({
    loggerInstance: ctx.log,
    // Off unless configured: with it on, any client could pick its own IP (X-Forwarded-For) past the rate limits.
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // While closing, plugins/errors.ts answers 503 in our own error format.
    return503OnClosing: false,
    // A URL that does not decode, a path parameter past the router's limit: our error format too.
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The province's and the Department's names, for every page's title, header and footer (routes/pages/common.ts render()).
  app.decorate('organisation', ctx.organisation);
  // Whether the pages offer "Đăng nhập bằng VNeID" (an identity provider is configured, or the demo one started).
  app.decorate('citizenLogin', ctx.config.citizenLogin.provider !== undefined);

  const redis: Redis | undefined = ctx.config.queue.kind === 'bullmq' ? failFastRedis(ctx.config.queue.url, ctx.log, 'http') : undefined;
  app.addHook('onClose', async () => { redis?.disconnect(); });
  // The PDF verifier's worker threads (started on first use) end with the last app that holds them.
  app.addHook('onClose', retainVerifierPool());

  await app.register(errorsPlugin);
  // Before every route, so its timing hook sees them all; /metrics answers before the session lookup (metrics/).
  await app.register(metricsPlugin, { ctx, redis });
  await app.register(securityHeadersPlugin, { publicUrl: ctx.config.publicUrl });
  await app.register(cookie);
  // A page's application form posts each field as its own part, with the filing choice, a proxy's principal and one
  // "Chọn từ kho giấy tờ của tôi" per document: well past 20 for a signed-in citizen (a school transfer sends 21).
  await app.register(multipart, {
    limits: { fileSize: ctx.config.uploads.maxFileBytes, files: ctx.config.uploads.maxFiles, fields: MAX_FORM_FIELDS, fieldSize: 256 * 1024, parts: ctx.config.uploads.maxFiles + MAX_FORM_FIELDS },
  });
  // Counted in Redis when there is one, so every server copy shares the same login budget; while Redis is down the
  // limit is not applied rather than refusing every login (skipOnError; the client fails fast, redis.ts).
  await app.register(rateLimit, { global: false, skipOnError: true, ...(redis ? { redis, nameSpace: `${ctx.config.queue.kind === 'bullmq' ? ctx.config.queue.prefix : 'motcua'}:rl:` } : {}) });
  await app.register(swagger, {
    openapi: {
      info: { title: 'motcua — Cổng dịch vụ công ngành Giáo dục', version: '1', description: 'Hợp đồng HTTP công khai (xem API.md).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });
  await app.register(viewsPlugin, { templatesDir: ctx.config.templatesDir, production: ctx.config.env === 'production' });
  await app.register(callerPlugin, { ctx });

  await app.register(citizenIdentityRoutes, { ctx });
  await app.register(healthRoutes, { ctx, queuePing: redis ? async () => { await redis.ping(); } : undefined });
  await app.register(procedureRoutes, { ctx });
  await app.register(dossierRoutes, { ctx });
  await app.register(assignmentRoutes, { ctx });
  await app.register(admissionLookupRoutes, { ctx });
  await app.register(admissionEnrolmentRoutes, { ctx });
  await app.register(admissionRosterRoutes, { ctx });
  await app.register(admissionRemarkingRoutes, { ctx });
  await app.register(formRoutes, { ctx });
  await app.register(paymentRecordRoutes, { ctx });
  await app.register(reportRoutes, { ctx });
  await app.register(staffRoutes, { ctx });
  await app.register(surveyRoutes, { ctx });
  await app.register(feedbackRoutes, { ctx });
  await app.register(meRoutes, { ctx });
  await app.register(messageRoutes, { ctx });
  await app.register(citizenDocumentRoutes, { ctx });
  await app.register(statsRoutes, { ctx });
  await app.register(signingRoutes, { ctx });
  await app.register(signingAgentRoutes, { ctx });
  await app.register(remoteSigningRoutes, { ctx });
  await app.register(verifyRoutes, { ctx });
  await app.register(pkiRoutes, { ctx });
  await app.register(onlinePaymentRoutes, { ctx });
  await app.register(nationalPortalRoutes, { ctx });
  await app.register(adminEffectRoutes, { ctx });
  await app.register(adminRoutes, { ctx });
  await app.register(verifyPages, { ctx });
  await app.register(pageRoutes, { ctx });
  return app;
}
