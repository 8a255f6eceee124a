// Staff pages: sign-in, the inbox of the caller's units (due-soon and overdue highlighted, filters, search), the
// dossier page with files inline, history and the actions the workflow allows, the approval queue with batch
// approval and the unsigned preview, and the service-quality dashboard for leaders and admins.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app-context.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { SESSION_COOKIE } from '../../plugins/caller.js';
import { login, logout } from '../../services/accounts/auth.js';
import { dossierView, type DossierView } from '../../services/viewing/dossier-view.js';
import { inbox } from '../../services/processing/inbox.js';
import { performAction } from '../../services/processing/perform-action.js';
import { lookupForDossier } from '../../services/processing/master-register.js';
import { assignDossier } from '../../services/processing/assign-dossier.js';
import { batchSign, pendingSignatures, signWithPin } from '../../services/results/batch-sign.js';
import { previewResult } from '../../services/results/preview.js';
import { optionsFor } from '../../services/intake/routing.js';
import type { FieldOption } from '../../workflow/types.js';
import { canSeeStats, serviceStats } from '../../services/reporting/stats.js';
import { statsCharts } from './charts.js';
import { fieldErrors, foldAccents, prefixedData, readPageForm, render, signedInStaff } from './common.js';
import { formLinks, sendDownload } from './downloads.js';
import { documentViews, fieldViews, formDataRows } from './form-view.js';
import { vnToday } from '../../calendar/vn-time.js';

const enc = encodeURIComponent;
const DAY_MS = 86_400_000;
/** Effects that mean "this action issues the signed result": the approval queue and the preview key on them. */
const SIGNING_EFFECTS = ['issue-result'];

export async function staffPages(app: FastifyInstance, ctx: AppContext, options: { trackingBookUrl: string | null }): Promise<void> {
  const secure = ctx.config.publicUrl.startsWith('https://');

  /** Staff-only pages send the public to the sign-in page and come back afterwards. */
  function staffOr(request: FastifyRequest, reply: FastifyReply): StaffRow | undefined {
    const staff = signedInStaff(request);
    if (!staff) void reply.redirect(`/dang-nhap?next=${enc(request.url)}`, 303);
    return staff;
  }

  const safeNext = (next: unknown) => (typeof next === 'string' && /^\/[^/\\]/.test(next) ? next : '/can-bo');

  app.get('/dang-nhap', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    if (signedInStaff(request)) return reply.redirect(next, 303);
    return render(request, reply, 'login', { title: 'Cán bộ đăng nhập', next });
  });

  app.post('/dang-nhap', {
    preHandler: app.csrfProtection,
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const { fields } = await readPageForm(request);
    const next = safeNext(fields.next);
    try {
      const session = await login(ctx.db, fields.username ?? '', fields.password ?? '');
      reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: session.expiresAt });
      return reply.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'INVALID_CREDENTIALS') throw error;
      return render(request, reply, 'login', { title: 'Cán bộ đăng nhập', next, username: fields.username, error: error.message }, 401);
    }
  });

  app.post('/dang-xuat', { preHandler: app.csrfProtection }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await logout(ctx.db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });

  const inboxRows = async (staff: StaffRow, query: Record<string, string | undefined>) => {
    const now = Date.now();
    // Status is chosen by its label: procedures name their states differently ("checking", "reviewing") for the same step.
    const rows = await inbox(ctx, staff, { procedure: query.procedure || undefined, overdue: query.overdue === 'on', limit: 500 });
    const words = foldAccents(query.q ?? '').split(' ').filter(Boolean);
    return rows
      .filter((r) => !query.status || r.statusLabel === query.status)
      .filter((r) => words.every((w) => foldAccents(`${r.code} ${r.applicantName} ${r.procedure.title}`).includes(w)))
      .map((r) => {
        const dueIn = r.dueAt ? new Date(r.dueAt).getTime() - now : null;
        const dueSoon = !r.overdue && dueIn !== null && dueIn < DAY_MS;
        return { ...r, url: `/can-bo/ho-so/${enc(r.code)}`, dueClass: r.overdue ? 'overdue' : dueSoon ? 'due-soon' : '', dueSoon };
      });
  };

  app.get('/can-bo', async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    const query = request.query as Record<string, string | undefined>;
    const items = await inboxRows(staff, query);
    const statuses = new Set<string>();
    for (const p of ctx.catalog.list()) {
      for (const state of Object.values(p.definition.states)) {
        if (Object.values(state.on).some((t) => t.roles.some((r) => staff.roles.includes(r)))) statuses.add(state.label);
      }
    }
    return render(request, reply, 'inbox', {
      title: 'Hồ sơ cần xử lý', items, query, overdueCount: items.filter((i) => i.overdue).length, dueSoonCount: items.filter((i) => i.dueSoon).length,
      statuses: [...statuses].sort((a, b) => a.localeCompare(b, 'vi')).map((label) => ({ value: label, label, selected: label === query.status })),
      procedures: ctx.catalog.list().map((p) => ({ value: p.definition.id, label: p.definition.title, selected: p.definition.id === query.procedure })),
      // The tracking book (issue 4B) is for the desk, leaders and admins.
      trackingBookUrl: options.trackingBookUrl && ['clerk', 'leader', 'admin'].some((r) => staff.roles.includes(r)) ? `${options.trackingBookUrl}?format=xlsx` : null,
    });
  });

  const signingActionsOf = (view: DossierView) => {
    const definition = ctx.catalog.allVersions().find(([, d]) => d.id === view.procedure.id && d.states[view.status])?.[1];
    const state = definition?.states[view.status];
    return view.actions.filter((a) => state?.on[a.name]?.effects.some((e) => SIGNING_EFFECTS.includes(e)));
  };

  const staffDossierPage = async (request: FastifyRequest, code: string, extra: { actionError?: { action: string; message: string; fields: Record<string, string>; values: Record<string, string> }; flash?: string } = {}) => {
    const view = await dossierView(ctx, code, request.caller);
    const procedure = ctx.catalog.find(view.procedure.id);
    const definition = procedure?.definition;
    const signing = new Set(signingActionsOf(view).map((a) => a.name));
    // Ask nothing twice: the register check is filled from the electronic master register when it has the diploma.
    const register = view.actions.some((a) => a.form?.fields.some((f) => f.name === 'registerBookNumber'))
      ? await lookupForDossier(ctx, code, request.caller).catch(() => null) : null;
    const dataOptions: Record<string, FieldOption[]> = {};
    for (const a of view.actions) for (const f of a.form?.fields ?? []) if (f.optionsFrom) dataOptions[f.name] = await optionsFor(ctx.db, f.optionsFrom);
    const actions = view.actions.map((a) => {
      const err = extra.actionError?.action === a.name ? extra.actionError : undefined;
      const prefill = register?.prefill && a.form?.fields.some((f) => f.name === 'registerBookNumber') ? register.prefill : {};
      const values = err ? prefixedData(err.values, 'data.') : prefill;
      return {
        ...a, url: `/can-bo/ho-so/${enc(code)}/thao-tac/${enc(a.name)}`, id: `action-${a.name}`,
        fields: a.form ? fieldViews(a.form, values, err?.fields ?? {}, 'data.', vnToday(), dataOptions) : [],
        documents: definition && a.documents.length > 0 ? documentViews(definition.documents, a.documents, err?.fields ?? {}) : [],
        multipart: a.documents.length > 0, error: err?.message, commentRule: a.comment, commentValue: err?.values.comment ?? '', commentError: err?.fields.comment,
        signing: signing.has(a.name), open: Boolean(err),
        registerNote: register && a.form?.fields.some((f) => f.name === 'registerBookNumber')
          ? (register.prefill ? 'Đã điền sẵn từ sổ gốc điện tử; vui lòng đối chiếu trước khi xác nhận.'
            : register.matches.length > 1 ? `Sổ gốc điện tử có ${register.matches.length} bản ghi trùng thông tin: đối chiếu và nhập tay.`
              : 'Không tìm thấy trong sổ gốc điện tử: đối chiếu sổ gốc giấy và nhập tay (Nguồn đối chiếu: sổ gốc giấy).')
          : null,
      };
    });
    const api = `/api/dossiers/${enc(code)}`;
    const waiting = request.caller.kind === 'staff' && !view.result
      ? (await pendingSignatures(ctx, request.caller).catch(() => [])).find((p) => p.code === code) : undefined;
    return {
      signature: waiting ? { byPin: waiting.waitingFor === 'pin', url: `/can-bo/ho-so/${enc(code)}/ky-so`, prepareApi: `${api}/signatures/prepare` } : null,
      title: `Hồ sơ ${code}`, dossier: view,
      dataRows: formDataRows(definition?.forms[definition.intakeForm], view.formData),
      documents: view.documents.map((d) => ({ ...d, isPdf: d.mimeType === 'application/pdf', isImage: d.mimeType.startsWith('image/') })),
      history: view.history.map((h) => ({ ...h, dataRows: null })),
      actions, previewUrl: signing.size > 0 ? `/can-bo/ho-so/${enc(code)}/xem-truoc` : null,
      forms: formLinks(view, api), resultUrl: view.result?.url ?? null, flash: extra.flash,
      verifyUrl: view.result ? `/verify/${enc(code)}` : null,
      claimUrl: view.actions.length > 0 ? `/can-bo/ho-so/${enc(code)}/nhan-xu-ly` : null,
      assignee: (view as { assignee?: { name: string } | null }).assignee?.name ?? null,
    };
  };

  app.get('/can-bo/ho-so/:code', async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const code = (request.params as { code: string }).code;
    const flash = (request.query as Record<string, string>).tb;
    return render(request, reply, 'staff-dossier', await staffDossierPage(request, code, { flash }));
  });

  app.post('/can-bo/ho-so/:code/thao-tac/:action', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { code, action } = request.params as { code: string; action: string };
    const { fields, files } = await readPageForm(request);
    const data = prefixedData(fields, 'data.');
    try {
      const outcome = await performAction(ctx, {
        code, action, caller: request.caller, version: Number(fields.version), comment: fields.comment,
        data: Object.keys(data).length > 0 ? data : undefined, files,
      });
      const label = (await dossierView(ctx, code, request.caller)).history.at(-1)?.actionLabel ?? outcome.status;
      const back = fields.back === 'phe-duyet' ? '/can-bo/phe-duyet' : fields.back === 'hop-thu' ? '/can-bo' : `/can-bo/ho-so/${enc(code)}`;
      return reply.redirect(`${back}?tb=${enc(`Đã thực hiện: ${label}`)}`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      const status = (error as AppError).statusCode;
      return render(request, reply, 'staff-dossier', await staffDossierPage(request, code, { actionError: { action, ...problem, values: fields } }), status);
    }
  });

  // Claim: the official takes the dossier from the unit's queue (issue 4A's assignment service).
  app.post('/can-bo/ho-so/:code/nhan-xu-ly', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const code = (request.params as { code: string }).code;
    const { fields } = await readPageForm(request);
    try {
      await assignDossier(ctx, { code, caller: request.caller, version: Number(fields.version) });
      return reply.redirect(`/can-bo/ho-so/${enc(code)}?tb=${enc('Bạn đã nhận xử lý hồ sơ này.')}`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return reply.redirect(`/can-bo/ho-so/${enc(code)}?tb=${enc(problem.message)}`, 303);
    }
  });

  app.get('/can-bo/ho-so/:code/xem-truoc', async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { fileName, data } = await previewResult(ctx, (request.params as { code: string }).code, request.caller);
    return sendDownload(reply, 'application/pdf', fileName, data, true);
  });

  app.get('/can-bo/phe-duyet', async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    const items = [];
    for (const row of await inboxRows(staff, {})) {
      const definition = ctx.catalog.allVersions().find(([, d]) => d.id === row.procedure.id && d.states[row.status])?.[1];
      const state = definition?.states[row.status];
      const approval = Object.entries(state?.on ?? {}).find(([, t]) => t.roles.some((r) => staff.roles.includes(r)) && t.effects.some((e) => SIGNING_EFFECTS.includes(e)));
      if (approval) items.push({ ...row, action: approval[0], actionLabel: approval[1].label, preview: `/can-bo/ho-so/${enc(row.code)}/xem-truoc` });
    }
    const flash = (request.query as Record<string, string>).tb;
    // Approved results waiting for this official's own signature: a PIN-locked server key or a signing device (issue 3).
    const pending = (await pendingSignatures(ctx, request.caller)).map((p) => ({
      ...p, url: `/can-bo/ho-so/${enc(p.code)}`, preview: `/can-bo/ho-so/${enc(p.code)}/xem-truoc`, byPin: p.waitingFor === 'pin',
    }));
    return render(request, reply, 'approvals', {
      title: 'Hồ sơ chờ phê duyệt và ký số', items, flash, pending, pinPending: pending.filter((p) => p.byPin).length > 0,
    });
  });

  // Batch approval: each dossier is approved with the version the official saw, one by one (a stale one is reported,
  // the others go on); the signing itself runs in the issue-result job with the approving official's key.
  app.post('/can-bo/phe-duyet', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const picked = ([] as unknown[]).concat(body.pick ?? []).map(String).slice(0, 100);
    const comment = typeof body.comment === 'string' ? body.comment : undefined;
    const results: Array<{ code: string; ok: boolean; message: string }> = [];
    for (const entry of picked) {
      const [code, action, version] = entry.split('|');
      if (!code || !action || !version) continue;
      try {
        await performAction(ctx, { code, action, caller: request.caller, version: Number(version), comment });
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

  // Batch signing with the PIN of the official's server-held key (issue 3's service); each dossier reported on its own.
  app.post('/can-bo/ky-so', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const codes = ([] as unknown[]).concat(body.sign ?? []).map(String).slice(0, 100);
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

  app.post('/can-bo/ho-so/:code/ky-so', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const code = (request.params as { code: string }).code;
    const { fields } = await readPageForm(request);
    try {
      await signWithPin(ctx, code, request.caller, fields.pin ?? '');
      return reply.redirect(`/can-bo/ho-so/${enc(code)}?tb=${enc('Đã ký số kết quả.')}`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return reply.redirect(`/can-bo/ho-so/${enc(code)}?tb=${enc(problem.message)}`, 303);
    }
  });

  app.get('/can-bo/chi-so', async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    if (!canSeeStats(staff)) throw new AppError('FORBIDDEN', 'Chỉ lãnh đạo và quản trị viên được xem báo cáo chỉ số.');
    const query = request.query as Record<string, string | undefined>;
    const filter = { from: query.from || undefined, to: query.to || undefined, procedure: query.procedure || undefined };
    const stats = await serviceStats(ctx, staff, filter);
    const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1).replace('.', ',')}%`);
    const fmt = <T extends { onlineRate: number | null; onTimeRate: number | null; satisfactionRate: number | null }>(r: T) =>
      ({ ...r, online_: pct(r.onlineRate), onTime_: pct(r.onTimeRate), satisfaction_: pct(r.satisfactionRate) });
    return render(request, reply, 'dashboard', {
      title: 'Chỉ số chất lượng phục vụ', stats, totals: fmt(stats.totals),
      byProcedure: stats.byProcedure.map(fmt), byMonth: stats.byMonth.map(fmt), charts: statsCharts(stats),
      procedures: ctx.catalog.list().map((p) => ({ value: p.definition.id, label: p.definition.title, selected: p.definition.id === filter.procedure })),
      apiUrl: `/api/stats?from=${enc(stats.from)}&to=${enc(stats.to)}${filter.procedure ? `&procedure=${enc(filter.procedure)}` : ''}`,
      trackingBookUrl: options.trackingBookUrl ? `${options.trackingBookUrl}?from=${enc(stats.from)}&to=${enc(stats.to)}&format=xlsx` : null,
    });
  });
}
