// /ho-so-cua-toi ("Hồ sơ của tôi"): the signed-in citizen's dossiers and their children's, newest first, filterable by
// person, a page at a time (services/citizens/space.ts). Each dossier opens on /ho-so/:code, which a signed-in
// citizen the dossier concerns reaches without a tracking token. Anyone not signed in with VNeID is sent to sign in.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { validationFailed } from '../../../errors.js';
import { REGISTRATION_PROCEDURE } from '../../../services/admissions/assignment-runs.js';
import { admissionsByCode, type RegistrationAdmission } from '../../../services/admissions/registration-admission.js';
import { myDossiers, myDossiersQuery, type MyDossier, type MyDossiers } from '../../../services/citizens/space.js';
import { render } from '../common.js';
import { enc } from './shared.js';
import { vnPoints } from '../../../services/admissions/points.js';

export const MY_SPACE_PATH = '/ho-so-cua-toi';

export function mySpacePages(app: FastifyInstance, ctx: AppContext): void {
  app.get(MY_SPACE_PATH, async (request, reply) => {
    if (request.caller.kind !== 'citizen') return reply.redirect(`/auth/citizen/login?next=${enc(request.url)}`, 303);
    const { before, person } = request.query as Record<string, unknown>;
    const parsed = myDossiersQuery.safeParse({ before: before || undefined, person: person || undefined });
    if (!parsed.success) throw validationFailed(parsed.error, 'Đường dẫn trang không hợp lệ.');
    const data = await myDossiers(ctx, request.caller, parsed.data);
    // The children's admission results next to their registrations (school, choice, total, cut-off, confirmed or not).
    const admissions = await admissionsByCode(ctx.db, data.items.filter((d) => d.procedure.id === REGISTRATION_PROCEDURE).map((d) => d.code));
    return render(request, reply, 'my-space', mySpaceModel(request.caller.citizen.fullName, data, parsed.data, admissions));
  });
}

function forLabel(d: MyDossier): string {
  if (d.for.relation === 'self') return 'Bản thân';
  if (d.for.relation === 'child') return `Con: ${d.for.name}`;
  return d.for.name ? `Nộp thay cho ${d.for.name}` : 'Người khác (nộp thay)';
}


function admissionSummary(code: string, a: RegistrationAdmission | undefined) {
  if (!a) return null;
  const r = a.result;
  return {
    url: `/ho-so/${enc(code)}/nhap-hoc`, supplementaryUrl: a.supplementary.eligible ? `/ho-so/${enc(code)}/tuyen-bo-sung` : null,
    published: r !== null, school: r?.school?.name ?? null, choiceRank: r?.choiceRank ?? null, total: r ? vnPoints(r.total) : null, cutoff: r ? vnPoints(r.cutoff) : null,
    confirmed: a.enrolment !== null, canConfirm: Boolean(r?.confirmable && a.confirmation.open && !a.enrolment),
  };
}

export function mySpaceModel(name: string, data: MyDossiers, query: { person?: string; before?: string }, admissions = new Map<string, RegistrationAdmission>()) {
  const { person } = query;
  const link = (params: Record<string, string | undefined>) => {
    const query = Object.entries(params).filter(([, v]) => v).map(([k, v]) => `${k}=${enc(v!)}`).join('&');
    return query ? `${MY_SPACE_PATH}?${query}` : MY_SPACE_PATH;
  };
  return {
    title: 'Hồ sơ của tôi', citizenName: name,
    filters: [
      { label: 'Tất cả', url: MY_SPACE_PATH, selected: !person },
      ...data.people.map((p) => ({ label: p.relation === 'self' ? `Của tôi (${p.name})` : `Con: ${p.name}`, url: link({ person: p.personalId }), selected: p.personalId === person })),
    ],
    items: data.items.map((d) => ({
      ...d, forLabel: forLabel(d), url: `/ho-so/${enc(d.code)}`, resultUrl: d.resultAvailable ? `/ho-so/${enc(d.code)}/ket-qua` : null,
      messagesUrl: `/ho-so/${enc(d.code)}#tin-nhan`, admission: admissionSummary(d.code, admissions.get(d.code)),
    })),
    nextUrl: data.next ? link({ person, before: data.next }) : null,
    // Past the first page: a way back to the newest.
    firstUrl: query.before ? link({ person }) : null,
  };
}
