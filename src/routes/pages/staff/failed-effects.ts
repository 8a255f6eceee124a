// /can-bo/tac-vu-loi: effects that failed for good after all their retries (a signed result, a one-stop form, an
// e-mail), for administrators, each with a button to run it again (services/operations/failed-effects.ts decides who).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import { listFailedEffects, retryFailedEffect } from '../../../services/operations/failed-effects.js';
import { fieldErrors, render } from '../common.js';
import { enc, staffOr } from './shared.js';

export function failedEffectsPage(app: FastifyInstance, ctx: AppContext): void {
  app.get('/can-bo/tac-vu-loi', async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    const items = (await listFailedEffects(ctx, staff)).map((item) => ({
      ...item, retryUrl: `/can-bo/tac-vu-loi/${item.id}/chay-lai`,
      dossierUrl: item.dossierCode ? `/can-bo/ho-so/${enc(item.dossierCode)}` : null,
    }));
    return render(request, reply, 'failed-effects', { title: 'Tác vụ lỗi', items, flash: (request.query as Record<string, string>).tb });
  });

  app.post('/can-bo/tac-vu-loi/:id/chay-lai', { preHandler: app.csrfProtection }, async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    const id = Number((request.params as { id: string }).id);
    try {
      if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('NOT_FOUND', 'Không có tác vụ lỗi này.');
      await retryFailedEffect(ctx, staff, id, request.ip);
      return reply.redirect(`/can-bo/tac-vu-loi?tb=${enc(`Đã cho chạy lại tác vụ số ${id}.`)}`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return reply.redirect(`/can-bo/tac-vu-loi?tb=${enc(problem.message)}`, 303);
    }
  });
}
