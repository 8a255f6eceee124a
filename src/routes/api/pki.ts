// Public key infrastructure files anyone may fetch: the demo CA's CRL (GET /pki/demo-ca.crl), named as the CRL
// distribution point of the demo certificates, so verifiers (and our own PAdES B-LT step) can check their status.
// Not under /api: it is a plain DER file at the URL written into certificates, which must never change.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { demoCaCrl, DEMO_CRL_PATH } from '../../services/keys/demo-crl.js';

export const pkiRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(DEMO_CRL_PATH, {
    schema: { tags: ['verify'], summary: 'Danh sách chứng thư bị thu hồi (CRL, DER) của CA thử nghiệm — chỉ ở chế độ nhúng' },
  }, async (_request, reply) => {
    const crl = await demoCaCrl(ctx.config.dataDir);
    if (!crl) throw new AppError('NOT_FOUND', 'Máy chủ này không có CA thử nghiệm.');
    // Relying parties may cache it for an hour; it is renewed daily and valid for a week.
    return reply.header('content-type', 'application/pkix-crl').header('cache-control', 'public, max-age=3600').send(crl);
  });
};
