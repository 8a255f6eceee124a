// "Số hóa vào kho của công dân" on the staff dossier page: the desk puts the dossier's documents into the person's
// e-document store (services/citizens/document-store.ts), or takes one back out ("Gỡ khỏi kho"), then comes back to
// the dossier with what happened.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { digitiseDossierDocuments, removeStoredDocument } from '../../../services/citizens/document-store.js';
import { fieldErrors, readPageForm } from '../common.js';
import { enc, staffOr } from './shared.js';

export function digitisePages(app: FastifyInstance, ctx: AppContext): void {
  app.post('/can-bo/ho-so/:code/so-hoa', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const code = (request.params as { code: string }).code;
    const back = (message: string) => reply.redirect(`/can-bo/ho-so/${enc(code)}?tb=${enc(message)}`, 303);
    const { fields } = await readPageForm(request);
    try {
      const { ownerPersonalId, added } = await digitiseDossierDocuments(ctx, request.caller, code, fields.ownerPersonalId);
      return back(added > 0
        ? `Đã số hóa ${added} giấy tờ vào kho của công dân có số định danh ${ownerPersonalId}.`
        : `Các giấy tờ của hồ sơ đã có trong kho của công dân có số định danh ${ownerPersonalId}.`);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return back(problem.fields.ownerPersonalId ? `${problem.message} (${problem.fields.ownerPersonalId})` : problem.message);
    }
  });

  app.post('/can-bo/ho-so/:code/so-hoa/:id/go', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { code, id } = request.params as { code: string; id: string };
    const back = (message: string) => reply.redirect(`/can-bo/ho-so/${enc(code)}?tb=${enc(message)}`, 303);
    try {
      const removed = await removeStoredDocument(ctx, request.caller, id);
      return back(`Đã gỡ "${removed.title}" khỏi kho của công dân có số định danh ${removed.ownerPersonalId}.`);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return back(problem.message);
    }
  });
}
