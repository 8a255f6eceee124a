// The public page behind the QR code on every result. With the verification key the QR link carries
// (`/verify/:code?k=…`) it shows what was issued for this dossier (title, date, signers, SHA-256 of the file); without
// it — or for a code that does not exist — always the same page, which only offers to check a file, so nobody can
// walk the sequential codes to learn which exist and who signed them. Checking an uploaded copy works for everyone.
// Read-only, no personal data, no session needed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { readMultipart } from '../../plugins/multipart.js';
import { siteNames } from '../../services/administration/organisation-info.js';
import { issuedResultSummary, VERIFY_UPLOAD_LIMITS, verifyDocument, type VerificationResult } from '../../services/results/verify-document.js';

const VERIFIER_UNAVAILABLE = new Set(['SERVICE_UNAVAILABLE', 'VERIFICATION_TIMEOUT']);
const TITLE = 'Xác thực văn bản';

type VerifyRequest = FastifyRequest<{ Params: { code: string }; Querystring: { k?: unknown } }>;

export async function verifyPages(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const keyOf = (request: VerifyRequest) => (typeof request.query.k === 'string' && request.query.k.length <= 64 ? request.query.k : undefined);

  const page = async (request: VerifyRequest, checked?: VerificationResult, error?: string) => {
    const summary = await issuedResultSummary(ctx, request.params.code, keyOf(request));
    // Without a summary the page is the same whatever the code: it does not even repeat it (the form posts back to
    // the address it was loaded from).
    // Rendered without render() (no session, no CSRF): the layout's names are handed in here.
    const site = siteNames(ctx.organisation);
    if (!summary) return { title: TITLE, site, generic: true, checked, error };
    return { title: TITLE, site, ...summary, checked, error: error ?? ('verificationUnavailable' in summary ? summary.verificationUnavailable : undefined) };
  };

  app.get<{ Params: { code: string }; Querystring: { k?: unknown } }>('/verify/:code', async (request, reply) =>
    reply.header('cache-control', 'no-store').page('verify', await page(request)));

  // A copy checked from the page itself: same service as POST /api/verify, the answer rendered in place.
  app.post<{ Params: { code: string }; Querystring: { k?: unknown } }>('/verify/:code', async (request, reply) => {
    let checked: VerificationResult | undefined;
    let error: string | undefined;
    try {
      // Same bounds as POST /api/verify: one file, refused while it streams once it passes the verifier's limit.
      const body = request.isMultipart() ? await readMultipart(request, { limits: VERIFY_UPLOAD_LIMITS, reply }) : undefined;
      const file = body?.files.find((f) => f.fieldName === 'file');
      if (!file) throw new AppError('VALIDATION_FAILED', 'Vui lòng chọn tệp PDF cần kiểm tra.');
      checked = await verifyDocument(ctx, file.data, { handOver: true });
      // The file names its own dossier; that is news only to someone who does not hold it.
      if (checked.dossierCode !== null && checked.dossierCode !== request.params.code) {
        checked = { ...checked, valid: false, reasons: [...checked.reasons, `tệp thuộc hồ sơ ${checked.dossierCode}, không phải hồ sơ này`] };
      }
    } catch (e) {
      // The verifier being busy or out of time is said on the page like a refused file (the message is ours).
      if (!(e instanceof AppError) || (e.statusCode >= 500 && !VERIFIER_UNAVAILABLE.has(e.code))) throw e;
      error = e.message;
    }
    return reply.header('cache-control', 'no-store').page('verify', await page(request, checked, error));
  });
}
