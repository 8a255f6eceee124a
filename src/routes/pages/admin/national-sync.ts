// Đồng bộ Cổng DVC quốc gia (/quan-tri/lien-thong/dong-bo): the steps not yet acknowledged by the national portal, the
// dossiers whose last try failed and why, the latest steps sent, and one button that runs the failed sync effects
// again (services/national-portal/sync-overview.ts; each retry audited). The inbound page /quan-tri/lien-thong links here.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { nationalSyncOverview, retryFailedNationalSync } from '../../../services/national-portal/sync-overview.js';
import { render } from '../common.js';
import { enc } from '../staff/shared.js';
import { vnAge } from './queues.js';
import { adminMenu, adminOr, flashText } from './shared.js';

const PATH = '/quan-tri/lien-thong/dong-bo';

const FLASH = {
  'da-chay-lai': 'Đã cho chạy lại các tác vụ đồng bộ lỗi; kết quả hiện trên trang này sau ít phút.',
  'khong-co': 'Không có tác vụ đồng bộ nào đang lỗi.',
} as const;

export function nationalSyncPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(PATH, async (request, reply) => {
    const staff = await adminOr(request, reply);
    if (!staff) return reply;
    const view = await nationalSyncOverview(ctx, staff);
    const now = new Date();
    return render(request, reply, 'admin-national-sync', {
      title: 'Đồng bộ lên Cổng Dịch vụ công quốc gia',
      adminMenu: adminMenu(PATH),
      flash: flashText(request, FLASH),
      ...view,
      oldestAge: vnAge(view.oldestUnsentAt ? new Date(view.oldestUnsentAt) : null, now),
      failingDossiers: view.failingDossiers.map((f) => ({ ...f, dossierUrl: `/can-bo/ho-so/${enc(f.dossierCode)}` })),
      recentSent: view.recentSent.map((r) => ({ ...r, dossierUrl: `/can-bo/ho-so/${enc(r.dossierCode)}` })),
      readAt: now.toISOString(),
    });
  });

  app.post(`${PATH}/chay-lai`, { preHandler: app.csrfProtection }, async (request, reply) => {
    const staff = await adminOr(request, reply);
    if (!staff) return reply;
    const { retried } = await retryFailedNationalSync(ctx, staff, request.ip);
    return reply.redirect(`${PATH}?tb=${retried.length > 0 ? 'da-chay-lai' : 'khong-co'}`, 303);
  });
}
