// The public page behind the QR code on every result: what was issued for this dossier (title, date, signers,
// SHA-256 of the file) and a form to check a copy. Read-only, no personal data, no session needed.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { readMultipart } from '../../plugins/multipart.js';
import { issuedResultSummary, VERIFY_UPLOAD_LIMITS, verifyDocument, type VerificationResult } from '../../services/results/verify-document.js';

const VERIFIER_UNAVAILABLE = new Set(['SERVICE_UNAVAILABLE', 'VERIFICATION_TIMEOUT']);

export async function verifyPages(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  const page = async (code: string, checked?: VerificationResult, error?: string) => {
    try {
      const summary = await issuedResultSummary(ctx, code);
      return { title: 'Xác thực văn bản', ...summary, checked, error: error ?? ('verificationUnavailable' in summary ? summary.verificationUnavailable : undefined) };
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
      // Same bounds as POST /api/verify: one file, refused while it streams once it passes the verifier's limit.
      const body = request.isMultipart() ? await readMultipart(request, { limits: VERIFY_UPLOAD_LIMITS, reply }) : undefined;
      const file = body?.files.find((f) => f.fieldName === 'file');
      if (!file) throw new AppError('VALIDATION_FAILED', 'Vui lòng chọn tệp PDF cần kiểm tra.');
      checked = await verifyDocument(ctx, file.data, { handOver: true });
      if (checked.dossierCode !== null && checked.dossierCode !== request.params.code) {
        checked = { ...checked, valid: false, reasons: [...checked.reasons, `tệp thuộc hồ sơ ${checked.dossierCode}, không phải hồ sơ này`] };
      }
    } catch (e) {
      // The verifier being busy or out of time is said on the page like a refused file (the message is ours).
      if (!(e instanceof AppError) || (e.statusCode >= 500 && !VERIFIER_UNAVAILABLE.has(e.code))) throw e;
      error = e.message;
    }
    return reply.view('verify', await page(request.params.code, checked, error));
  });
}
