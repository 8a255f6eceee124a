import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { optionsFor } from '../../services/intake/routing.js';
import { procedureAgencies, type ProcedureAgency } from '../../services/procedures/agencies.js';
import type { WorkflowDefinition } from '../../workflow/types.js';

const summary = z.object({
  id: z.string(), version: z.number().int(), title: z.string(),
  agency: z.object({ code: z.string(), name: z.string() }),
  sla: z.object({ workingDays: z.number(), cutoff: z.string() }),
  fee: z.object({ amount: z.number(), note: z.string().optional() }),
});

const field = z.object({
  name: z.string(), type: z.string(), label: z.string(), required: z.boolean(), help: z.string().optional(),
  rules: z.record(z.string(), z.unknown()),
  options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  requiredWhen: z.object({ field: z.string(), in: z.array(z.string()) }).optional(),
});

const detail = summary.extend({
  description: z.string(), applicants: z.string(), legalBasis: z.array(z.string()),
  fields: z.array(field),
  documents: z.array(z.object({
    key: z.string(), label: z.string(), required: z.boolean(), requiredWhen: z.object({ field: z.string(), in: z.array(z.string()) }).optional(),
    accept: z.array(z.string()), maxSizeMb: z.number(), maxFiles: z.number().int(),
  })),
});

function describe(definition: WorkflowDefinition, version: number, agency: ProcedureAgency): z.infer<typeof summary> {
  return {
    id: definition.id, version, title: definition.title, agency,
    sla: definition.sla, fee: definition.fee,
  };
}

export const procedureRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/procedures', {
    schema: { tags: ['procedures'], summary: 'Danh sách thủ tục đang tiếp nhận', response: { 200: z.array(summary) } },
  }, async () => {
    const agencyOf = await procedureAgencies(ctx);
    return ctx.catalog.list().map((p) => describe(p.definition, p.version, agencyOf(p.definition.id)));
  });

  app.get('/api/procedures/:id', {
    schema: { tags: ['procedures'], summary: 'Chi tiết một thủ tục: biểu mẫu, giấy tờ, thời hạn, lệ phí, căn cứ pháp lý', params: z.object({ id: z.string() }), response: { 200: detail } },
  }, async (request) => {
    const procedure = ctx.catalog.find(request.params.id);
    if (!procedure) throw new AppError('PROCEDURE_NOT_FOUND', 'Không tìm thấy thủ tục.');
    const { definition } = procedure;
    const agencyOf = await procedureAgencies(ctx);
    const form = definition.forms[definition.intakeForm]!;
    return {
      ...describe(definition, procedure.version, agencyOf(definition.id)),
      description: definition.description, applicants: definition.applicants, legalBasis: definition.legalBasis,
      // Choices backed by data (schools, open campaigns) are listed like file-declared ones: value + label.
      fields: await Promise.all(form.fields.map(async ({ name, type, label, required, help, options, requiredWhen, optionsFrom, ...rules }) => ({
        name, type, label, required, help, options: optionsFrom ? await optionsFor(ctx.db, optionsFrom) : options, requiredWhen,
        rules: optionsFrom ? { ...rules, optionsFrom } : rules,
      }))),
      documents: Object.entries(definition.documents).map(([key, d]) => ({ key, ...d })),
    };
  });
};
