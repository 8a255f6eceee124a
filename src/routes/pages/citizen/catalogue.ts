// / (the procedures on offer, with accent-free search) and /thu-tuc/:id (documents, time, fee, legal basis).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { procedureAgencies, type ProcedureAgency } from '../../../services/procedures/agencies.js';
import type { WorkflowDefinition } from '../../../workflow/types.js';
import { foldAccents, render } from '../common.js';
import { feeText, findProcedure } from './shared.js';

function catalogue(ctx: AppContext, agencyOf: (procedureId: string) => ProcedureAgency) {
  return ctx.catalog.list()
    .map(({ definition: d }) => ({
      id: d.id, title: d.title, agency: agencyOf(d.id).name,
      workingDays: d.sla.workingDays, fee: feeText(d.fee), search: foldAccents(`${d.title} ${d.description}`),
    }))
    .sort((a, b) => a.title.localeCompare(b.title, 'vi'));
}

function procedureModel(d: WorkflowDefinition, agency: ProcedureAgency) {
  return {
    title: d.title, procedure: {
      id: d.id, title: d.title, description: d.description, applicants: d.applicants, legalBasis: d.legalBasis,
      agency: agency.name, workingDays: d.sla.workingDays, cutoff: d.sla.cutoff, fee: feeText(d.fee),
      documents: Object.values(d.documents).map((doc) => ({ label: doc.label, required: doc.required, conditional: Boolean(doc.requiredWhen), maxSizeMb: doc.maxSizeMb })),
    },
  };
}

export function cataloguePages(app: FastifyInstance, ctx: AppContext): void {
  app.get('/', async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).q;
    const q = typeof raw === 'string' ? raw.slice(0, 100) : '';
    const all = catalogue(ctx, await procedureAgencies(ctx));
    const words = foldAccents(q).split(' ').filter(Boolean);
    const procedures = words.length > 0 ? all.filter((p) => words.every((w) => p.search.includes(w))) : all;
    return render(request, reply, 'home', { title: 'Thủ tục hành chính', q, procedures, total: all.length, scripts: ['catalogue.js'] });
  });

  app.get('/thu-tuc/:id', async (request, reply) => {
    const { definition } = findProcedure(ctx, (request.params as { id: string }).id);
    return render(request, reply, 'procedure', procedureModel(definition, (await procedureAgencies(ctx))(definition.id)));
  });
}
