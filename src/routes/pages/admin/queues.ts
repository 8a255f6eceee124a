// Hàng đợi tác vụ (/quan-tri/hang-doi): per job queue the waiting, running, delayed, completed and failed counts and
// the oldest waiting job's age, and the outbox's lag, read live (services/operations/queue-status.ts, the same figures
// as /metrics). Our own page rather than bull-board: bull-board brings a React application, its own routes and
// static assets (outside our CSP, CSRF and Vietnamese pages) and buttons that remove or promote jobs behind the
// outbox's back — the outbox, not Redis, is the ledger here, and failed effects are retried at /can-bo/tac-vu-loi.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { queueOverview } from '../../../services/operations/queue-status.js';
import { fileStorageStatus } from '../../../services/operations/file-storage-status.js';
import { render } from '../common.js';
import { adminMenu, adminOr } from './shared.js';

const PATH = '/quan-tri/hang-doi';

/** "3 phút 5 giây", "2 giờ 10 phút", "4 ngày": the largest unit and, when not zero, the next one. */
export function vnAge(since: Date | null, now: Date): string | null {
  if (!since) return null;
  const seconds = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000));
  const units: Array<[number, string]> = [[86_400, 'ngày'], [3_600, 'giờ'], [60, 'phút'], [1, 'giây']];
  const index = units.findIndex(([size]) => seconds >= size);
  if (index < 0) return '0 giây';
  const [size, name] = units[index]!;
  const next = units[index + 1];
  const rest = next ? Math.floor((seconds % size) / next[0]) : 0;
  return `${Math.floor(seconds / size)} ${name}${next && rest > 0 ? ` ${rest} ${next[1]}` : ''}`;
}

const mib = (bytes: number) => (bytes / 1048576).toLocaleString('vi-VN', { maximumFractionDigits: 1 });

export function queuePages(app: FastifyInstance, ctx: AppContext): void {
  app.get(PATH, async (request, reply) => {
    const staff = await adminOr(request, reply);
    if (!staff) return reply;
    const [status, files] = await Promise.all([queueOverview(app.queueInspector, staff), fileStorageStatus(ctx)]);
    const now = status.readAt;
    return render(request, reply, 'admin-queues', {
      title: 'Hàng đợi tác vụ',
      adminMenu: adminMenu(PATH),
      inline: status.driver === 'inline',
      queueError: status.queueError,
      outboxError: status.outboxError,
      queues: status.queues?.map((q) => ({ ...q, oldestWaitingAge: vnAge(q.oldestWaitingAt, now) })) ?? null,
      outbox: status.outbox ? { ...status.outbox, lag: vnAge(status.outbox.oldestUnfinishedAt, now) } : null,
      readAt: now.toISOString(),
      files: {
        ...files, objectStorage: files.driver === 's3',
        postgresMib: mib(files.postgres.bytes), s3Mib: mib(files.s3.bytes),
      },
    });
  });
}
