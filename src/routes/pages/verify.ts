// The public page behind the QR code on every result: what was issued for this dossier (title, date, signers,
// SHA-256 of the file) and a form to check a copy. Read-only, no personal data, no session needed.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { issuedResultSummary, verifyDocument, type VerificationResult } from '../../services/results/verify-document.js';

export async function verifyPages(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  const page = async (code: string, checked?: VerificationResult, error?: string) => {
    try {
      return { title: 'Xác thực văn bản', ...(await issuedResultSummary(ctx, code)), checked, error };
    } catch (e) {
      if (e instanceof AppError && e.code === 'DOSSIER_NOT_FOUND') return { title: 'Xác thực văn bản', code, notFound: true, checked, error };
      throw e;
    }
  };

  app.get<{ Params: { code: string } }>('/verify/:code', async (request, reply) => {
    const data = await page(request.params.code);
    return reply.status('notFound' in data ? 404 : 200).view('verify', data);
  });

  // A copy checked from the page itself: same service as POST /api/verify, the answer rendered in place.
  app.post<{ Params: { code: string } }>('/verify/:code', async (request, reply) => {
    let checked: VerificationResult | undefined;
    let error: string | undefined;
    try {
      const file = request.isMultipart() ? await request.file() : undefined;
      if (!file) throw new AppError('VALIDATION_FAILED', 'Vui lòng chọn tệp PDF cần kiểm tra.');
      checked = await verifyDocument(ctx, await file.toBuffer());
      if (checked.dossierCode !== null && checked.dossierCode !== request.params.code) {
        checked = { ...checked, valid: false, reasons: [...checked.reasons, `tệp thuộc hồ sơ ${checked.dossierCode}, không phải hồ sơ này`] };
      }
    } catch (e) {
      if (!(e instanceof AppError) || e.statusCode >= 500) throw e;
      error = e.message;
    }
    return reply.view('verify', await page(request.params.code, checked, error));
  });
}
