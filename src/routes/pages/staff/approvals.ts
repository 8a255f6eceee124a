// /can-bo/phe-duyet: the approval queue (services/results/approval-queue.ts) with the unsigned preview and batch
// approval, and the results waiting for the official's own signature (PIN, one or many: /can-bo/ky-so).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { ownKeyNotice } from '../../../services/keys/manage-keys.js';
import { performAction } from '../../../services/processing/perform-action.js';
import { approvalQueue, type ApprovalItem } from '../../../services/results/approval-queue.js';
import { batchSign, pendingSignatures } from '../../../services/results/batch-sign.js';
import { fieldErrors, formVersion, render } from '../common.js';
import { enc, flashOf, inboxItemView, staffOr } from './shared.js';

const MAX_BATCH = 100;
const preview = (code: string) => `/can-bo/ho-so/${enc(code)}/xem-truoc`;

function approvalsModel(items: ApprovalItem[], pending: Array<{ code: string; waitingFor: string }>, flash: string | undefined) {
  const waiting = pending.map((p) => ({ ...p, url: `/can-bo/ho-so/${enc(p.code)}`, preview: preview(p.code), byPin: p.waitingFor === 'pin' }));
  return {
    title: 'Hồ sơ chờ phê duyệt và ký số', flash,
    items: items.map((item) => ({ ...inboxItemView(item), preview: preview(item.code) })),
    pending: waiting, pinPending: waiting.some((p) => p.byPin), remotePending: pending.filter((p) => p.waitingFor === 'remote'),
  };
}

/** The checked boxes of a batch form (one value or many), at most MAX_BATCH. */
function picked(body: unknown, name: string): string[] {
  return ([] as unknown[]).concat((body as Record<string, unknown> | undefined)?.[name] ?? []).map(String).slice(0, MAX_BATCH);
}

export function approvalPages(app: FastifyInstance, ctx: AppContext): void {
  app.get('/can-bo/phe-duyet', async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    const [items, pending, keyNotice] = await Promise.all([approvalQueue(ctx, staff), pendingSignatures(ctx, request.caller), ownKeyNotice(ctx, staff)]);
    return render(request, reply, 'approvals', { ...approvalsModel(items, pending, flashOf(request)), keyNotice });
  });

  // Batch approval: each dossier is approved with the version the official saw, one by one (a stale one is reported,
  // the others go on); the signing itself runs in the issue-result job with the approving official's key.
  app.post('/can-bo/phe-duyet', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const comment = typeof body.comment === 'string' ? body.comment : undefined;
    const results: Array<{ code: string; ok: boolean; message: string }> = [];
    for (const entry of picked(body, 'pick')) {
      const [code, action, version] = entry.split('|');
      if (!code || !action || !version) continue;
      try {
        await performAction(ctx, { code, action, caller: request.caller, version: formVersion(version), comment });
        results.push({ code, ok: true, message: 'Đã phê duyệt, đang ký số' });
      } catch (error) {
        const problem = fieldErrors(error);
        if (!problem) throw error;
        results.push({ code, ok: false, message: problem.message });
      }
    }
    if (results.length === 0) return reply.redirect(`/can-bo/phe-duyet?tb=${enc('Chưa chọn hồ sơ nào.')}`, 303);
    return render(request, reply, 'batch-result', { title: 'Kết quả phê duyệt', results });
  });

  // Batch signing with the PIN of the official's server-held key; each dossier reported on its own.
  app.post('/can-bo/ky-so', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const codes = picked(body, 'sign');
    if (codes.length === 0) return reply.redirect(`/can-bo/phe-duyet?tb=${enc('Chưa chọn hồ sơ nào để ký.')}`, 303);
    try {
      const outcome = await batchSign(ctx, request.caller, { codes, pin: typeof body.pin === 'string' ? body.pin : '' });
      const results = outcome.results.map((r) => ({ code: r.code, ok: r.ok, message: r.ok ? 'Đã ký số' : r.error?.message ?? 'Không ký được' }));
      return render(request, reply, 'batch-result', { title: 'Kết quả ký số', results });
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return reply.redirect(`/can-bo/phe-duyet?tb=${enc(problem.message)}`, 303);
    }
  });
}
