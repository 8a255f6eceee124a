// /ho-so/:code/bien-nhan (the receipt with code, due date and QR) and /tra-cuu (tracking by code + token; this
// browser remembers the dossiers it filed or tracked in the motcua_track cookie for TRACK_COOKIE_DAYS, and forgets
// them on "Quên thiết bị này").
// The token never needs to be in a URL the server sees: links carry it in the fragment (`/tra-cuu?ma=CODE#t=TOKEN`)
// and public/assets/track.js posts it with the form (POST /tra-cuu, CSRF-checked). GET /tra-cuu?code=&token= still
// works for links printed before; its token is kept out of request logs (logger.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import { citizenTrackingUrl } from '../../../services/notifications/notify-citizen.js';
import { trackingUrl } from '../../../services/results/one-stop-forms.js';
import { dossierView } from '../../../services/viewing/dossier-view.js';
import { citizenCaller, forgetDossiers, readPageForm, rememberDossier, rememberedDossiers, render, TRACK_COOKIE_DAYS } from '../common.js';
import { formLinks } from '../downloads.js';
import { enc, FLASH } from './shared.js';

const TITLE = 'Tra cứu hồ sơ';
const MAX_CODE = 64;
const MAX_TOKEN = 200;

const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');

export function trackingPages(app: FastifyInstance, ctx: AppContext): void {
  const secure = ctx.config.publicUrl.startsWith('https://');

  app.get('/ho-so/:code/bien-nhan', async (request, reply) => {
    const code = (request.params as { code: string }).code;
    const remembered = rememberedDossiers(request).find((e) => e.code === code);
    const view = await dossierView(ctx, code, citizenCaller(request, code));
    // The QR opens the tracking page with the token in the fragment: scanned on a phone, it needs no typing.
    const trackUrl = remembered ? citizenTrackingUrl(ctx.config.publicUrl, code, remembered.token) : trackingUrl(ctx.config.publicUrl, code);
    const qrSvg = await QRCode.toString(trackUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return render(request, reply, 'receipt', {
      title: 'Biên nhận hồ sơ', dossier: view, token: remembered?.token, trackUrl,
      // The QR SVG comes from the qrcode library (paths only, the URL is not embedded as text): safe to inline.
      qrDataUri: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}`,
      draftKey: `motcua-draft:${view.procedure.id}`, scripts: ['receipt.js'], forms: formLinks(view, `/ho-so/${enc(code)}`),
      rememberDays: TRACK_COOKIE_DAYS,
    });
  });

  const trackPage = (request: FastifyRequest, reply: FastifyReply, data: { code: string; error?: string; flash?: string }, status = 200) =>
    render(request, reply, 'track', { title: TITLE, ...data, remembered: rememberedDossiers(request), rememberDays: TRACK_COOKIE_DAYS, scripts: ['track.js'] }, status);

  /** Opens the dossier with the token given (remembered on this browser from now on), or says why not. */
  const openWithToken = async (request: FastifyRequest, reply: FastifyReply, code: string, token: string) => {
    try {
      await dossierView(ctx, code, { kind: 'public', bearer: token });
    } catch (error) {
      if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
      return trackPage(request, reply, { code, error: error.message }, 404);
    }
    rememberDossier(request, reply, code, token, secure);
    return reply.redirect(`/ho-so/${enc(code)}`, 303);
  };

  app.get('/tra-cuu', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    // `ma` in the links of e-mails, forms and receipts; `code` from the form of earlier versions.
    const code = text(query.code, MAX_CODE) || text(query.ma, MAX_CODE);
    const token = text(query.token, MAX_TOKEN);
    const flash = FLASH[text(query.tb, 32)] as string | undefined;
    // A link printed before tokens moved to the fragment.
    if (code && token) return openWithToken(request, reply, code, token);
    if (code && (rememberedDossiers(request).some((e) => e.code === code) || request.caller.kind === 'staff')) {
      try {
        await dossierView(ctx, code, citizenCaller(request, code));
        return reply.redirect(`/ho-so/${enc(code)}`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
        // A remembered token that was changed or expired: the page asks for the current one (or the link's fragment
        // supplies it).
        return trackPage(request, reply, { code, error: error.message }, 404);
      }
    }
    return trackPage(request, reply, { code, flash });
  });

  // The form (typed, or filled from the link's fragment by track.js): the token travels in the body only.
  app.post('/tra-cuu', { preHandler: app.csrfProtection }, async (request, reply) => {
    const { fields } = await readPageForm(request);
    const code = text(fields.code, MAX_CODE);
    const token = text(fields.token, MAX_TOKEN);
    if (!code || !token) return trackPage(request, reply, { code, error: 'Vui lòng nhập mã hồ sơ và mã tra cứu in trên biên nhận.' }, 422);
    return openWithToken(request, reply, code, token);
  });

  // "Quên thiết bị này": a shared computer (a kiosk, an internet café) keeps nothing of this citizen's dossiers.
  app.post('/tra-cuu/quen-thiet-bi', { preHandler: app.csrfProtection }, async (_request, reply) => {
    forgetDossiers(reply, secure);
    return reply.redirect('/tra-cuu?tb=da-quen', 303);
  });
}
