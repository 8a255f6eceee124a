// /can-bo/tuyen-sinh: a principal's lists of admitted pupils, one per campaign their school takes part in (the latest
// published run), and each list's CSV — the results API's file (services/admissions/results.ts) for a browser session.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { principalListRun, principalLists } from '../../../services/admissions/principal-lists.js';
import { readResults, resultsCsv } from '../../../services/admissions/results.js';
import { render } from '../common.js';
import { sendDownload } from '../downloads.js';
import { enc, staffOr } from './shared.js';
import { vnPoints } from '../../../services/admissions/points.js';


export function admissionListPages(app: FastifyInstance, ctx: AppContext): void {
  app.get('/can-bo/tuyen-sinh', async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const lists = (await principalLists(ctx, request.caller)).map((l) => ({
      ...l,
      csvUrl: l.run ? `/can-bo/tuyen-sinh/${enc(l.campaignId)}/ket-qua.csv` : null,
      cutoffText: vnPoints(l.run?.cutoff ?? null),
      pupils: l.pupils.map((p, i) => ({ ...p, n: i + 1, totalText: vnPoints(p.total) })),
    }));
    return render(request, reply, 'staff-admissions', { title: 'Danh sách trúng tuyển', lists });
  });

  app.get('/can-bo/tuyen-sinh/:id/ket-qua.csv', async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { id } = request.params as { id: string };
    // The gate first (readResults refuses whoever is not the campaign's principal or an administrator), then the run.
    await readResults(ctx, request.caller, id);
    const items = await readResults(ctx, request.caller, id, await principalListRun(ctx, id));
    reply.header('cache-control', 'private, no-store');
    return sendDownload(reply, 'text/csv; charset=utf-8', `trung-tuyen-${id}.csv`, Buffer.from(resultsCsv(items), 'utf8'), false);
  });
}
