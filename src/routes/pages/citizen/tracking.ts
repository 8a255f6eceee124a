// /ho-so/:code/bien-nhan (the receipt with code, due date and QR) and /tra-cuu (tracking by code + token; this
// browser remembers the dossiers it filed in the motcua_track cookie).
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import { dossierView } from '../../../services/viewing/dossier-view.js';
import { citizenCaller, rememberDossier, rememberedDossiers, render } from '../common.js';
import { formLinks } from '../downloads.js';
import { enc } from './shared.js';

const TITLE = 'Tra cứu hồ sơ';

export function trackingPages(app: FastifyInstance, ctx: AppContext): void {
  const secure = ctx.config.publicUrl.startsWith('https://');

  app.get('/ho-so/:code/bien-nhan', async (request, reply) => {
    const code = (request.params as { code: string }).code;
    const remembered = rememberedDossiers(request).find((e) => e.code === code);
    const view = await dossierView(ctx, code, citizenCaller(request, code));
    const trackUrl = `${ctx.config.publicUrl}/tra-cuu?code=${enc(code)}${remembered ? `&token=${enc(remembered.token)}` : ''}`;
    const qrSvg = await QRCode.toString(trackUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return render(request, reply, 'receipt', {
      title: 'Biên nhận hồ sơ', dossier: view, token: remembered?.token, trackUrl,
      // The QR SVG comes from the qrcode library (paths only, the URL is not embedded as text): safe to inline.
      qrDataUri: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}`,
      draftKey: `motcua-draft:${view.procedure.id}`, scripts: ['receipt.js'], forms: formLinks(view, `/ho-so/${enc(code)}`),
    });
  });

  app.get('/tra-cuu', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const code = typeof query.code === 'string' ? query.code.trim().slice(0, 64) : '';
    const token = typeof query.token === 'string' ? query.token.trim().slice(0, 200) : '';
    const remembered = rememberedDossiers(request);
    if (code && (token || remembered.some((e) => e.code === code) || request.caller.kind === 'staff')) {
      try {
        const caller = token ? { kind: 'public' as const, bearer: token } : citizenCaller(request, code);
        await dossierView(ctx, code, caller);
        if (token) rememberDossier(request, reply, code, token, secure);
        return reply.redirect(`/ho-so/${enc(code)}`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
        return render(request, reply, 'track', { title: TITLE, code, error: error.message, remembered }, 404);
      }
    }
    return render(request, reply, 'track', { title: TITLE, code, remembered, error: code ? 'Vui lòng nhập mã tra cứu trên biên nhận.' : undefined });
  });
}
