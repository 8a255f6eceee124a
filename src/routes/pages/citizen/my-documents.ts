// /ho-so-cua-toi/giay-to: the signed-in citizen's e-document store ("Kho giấy tờ"): results issued to them or their
// children and documents the desk digitised, each downloadable and ready to attach to a later dossier by reference.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { myDocuments } from '../../../services/citizens/document-store.js';
import { render } from '../common.js';
import { enc } from './shared.js';

export const MY_DOCUMENTS_PAGE = '/ho-so-cua-toi/giay-to';

export function myDocumentsPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(MY_DOCUMENTS_PAGE, async (request, reply) => {
    // Nobody else has a store: the VNeID sign-in comes back here.
    if (request.caller.kind !== 'citizen') return reply.redirect(`/auth/citizen/login?next=${enc(MY_DOCUMENTS_PAGE)}`, 303);
    const documents = await myDocuments(ctx, request.caller);
    return render(request, reply, 'my-documents', {
      title: 'Kho giấy tờ của tôi', citizenName: request.caller.citizen.fullName,
      documents: documents.map((d) => ({ ...d, sizeKb: Math.max(1, Math.round(d.sizeBytes / 1024)), isChild: d.owner.relation === 'child' })),
    });
  });
}
