// /can-bo/ky-so-tu-xa: remote signing from the official's pages (the partial remote-signing.hbs on a dossier and on
// the approvals page posts here), and the request's page that waits for the phone and then shows each dossier's outcome.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { isAppError } from '../../../errors.js';
import { remoteSigningStatus, startRemoteSigning, type RemoteSigningView } from '../../../services/results/remote-signing.js';
import { fieldErrors, render } from '../common.js';
import { enc, staffOr } from './shared.js';

const PAGE = '/can-bo/ky-so-tu-xa';
const MAX_CODES = 500;

const ITEM_LABELS: Record<RemoteSigningView['items'][number]['status'], string> = {
  pending: 'Đang chờ xác nhận', signed: 'Đã ký số và đóng dấu', failed: 'Không ký được',
};

function outcomeText(view: RemoteSigningView): string {
  if (view.status === 'confirmed') {
    return view.counts.failed === 0 ? `Đã xác nhận trên điện thoại: ${view.counts.signed} văn bản đã được ký số.`
      : `Đã xác nhận trên điện thoại: ${view.counts.signed} văn bản đã được ký số, ${view.counts.failed} văn bản không ký được (xem từng hồ sơ).`;
  }
  return view.error?.message ?? 'Yêu cầu ký số từ xa đã kết thúc mà không có chữ ký.';
}

export function remoteSigningPages(app: FastifyInstance, ctx: AppContext): void {
  app.post(PAGE, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const codes = ([] as unknown[]).concat(body.sign ?? []).map(String).slice(0, MAX_CODES);
    try {
      const started = await startRemoteSigning(ctx, request.caller, { codes });
      return reply.redirect(`${PAGE}/${enc(started.requestId)}`, 303);
    } catch (error) {
      // A refusal, or the provider away (its 503 is the page's answer too, with its message).
      const provider = isAppError(error) && error.code.startsWith('REMOTE_');
      const problem = fieldErrors(error) ?? (provider ? { message: (error as Error).message } : undefined);
      if (!problem) throw error;
      return render(request, reply, 'remote-signing-status', { title: 'Ký số từ xa', error: problem.message }, isAppError(error) ? error.statusCode : 422);
    }
  });

  app.get(`${PAGE}/:requestId`, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { requestId } = request.params as { requestId: string };
    const view = await remoteSigningStatus(ctx, request.caller, requestId);
    const pending = view.status === 'pending' && view.counts.pending > 0;
    return render(request, reply, 'remote-signing-status', {
      title: 'Ký số từ xa', view, pending, outcome: pending ? null : outcomeText(view),
      statusUrl: `/api/signatures/remote/${enc(view.requestId)}`, pageUrl: `${PAGE}/${enc(view.requestId)}`,
      items: view.items.map((i) => ({ code: i.code, url: `/can-bo/ho-so/${enc(i.code)}`, label: ITEM_LABELS[i.status], message: i.error?.message })),
      scripts: pending ? ['remote-signing.js'] : [],
    });
  });
}
