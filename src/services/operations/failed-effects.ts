// Effects that failed for good (a job that used up its retries, or hit a permanent error): listed for the admins
// with the dossier they belong to and the last error, and retried from the product with all their tries again.
import type { AppContext } from '../../app-context.js';
import { findDossierById } from '../../db/repositories/dossiers.js';
import { listFailed, retryFailed } from '../../db/repositories/outbox.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { can } from '../access.js';
import { recordAudit, staffActor } from '../audit/audit.js';

export interface FailedEffect {
  id: number; job: string; label: string; dossierCode: string | null; attempts: number; lastError: string | null; createdAt: string; failedAt: string;
}

/** The jobs no workflow names (the effects registry labels the others). */
const SYSTEM_JOB_LABELS: Record<string, string> = {
  'notify-citizen': 'Gửi thư điện tử / tin nhắn cho công dân.',
  'notify-message': 'Gửi thư điện tử báo công dân có tin nhắn của cán bộ.',
  'notify-feedback': 'Gửi thư điện tử cho người gửi phản ánh, kiến nghị (xác nhận, trả lời).',
  'sla-sweep': 'Rà soát hồ sơ sắp đến hạn, quá hạn.',
  'sync-national-portal': 'Đồng bộ hồ sơ và quá trình xử lý lên Cổng Dịch vụ công quốc gia.',
  'issue-payment-receipt': 'Phát hành biên lai điện tử thu phí, lệ phí.',
  'assign-admissions': 'Xét tuyển (phân tuyến) một kỳ tuyển sinh.',
};

/** A job's Vietnamese label (the failed effects and the queue page), or null for a job nobody named. */
export function jobLabel(effects: AppContext['effects'], job: string): string | null {
  if (effects.names.has(job)) return effects.get(job).label;
  return Object.hasOwn(SYSTEM_JOB_LABELS, job) ? SYSTEM_JOB_LABELS[job]! : null;
}

function requireAdmin(staff: StaffRow): void {
  if (!can(staff, 'operations')) throw new AppError('FORBIDDEN', 'Chỉ quản trị hệ thống được xem và chạy lại các tác vụ lỗi.');
}

export async function listFailedEffects(ctx: AppContext, staff: StaffRow): Promise<FailedEffect[]> {
  requireAdmin(staff);
  const rows = await listFailed(ctx.db);
  const codes = new Map<string, string | null>();
  for (const row of rows) {
    const dossierId = typeof row.payload.dossierId === 'string' ? row.payload.dossierId : null;
    if (dossierId && !codes.has(dossierId)) codes.set(dossierId, (await findDossierById(ctx.db, dossierId))?.code ?? null);
  }
  return rows.map((row) => ({
    id: row.id, job: row.job, label: jobLabel(ctx.effects, row.job) ?? row.job, attempts: row.attempts, lastError: row.lastError,
    dossierCode: typeof row.payload.dossierId === 'string' ? codes.get(row.payload.dossierId) ?? null : null,
    createdAt: row.createdAt.toISOString(), failedAt: row.failedAt!.toISOString(),
  }));
}

export async function retryFailedEffect(ctx: AppContext, staff: StaffRow, id: number, ip?: string): Promise<{ id: number; job: string }> {
  requireAdmin(staff);
  const row = await ctx.db.transaction(async (tx) => {
    const retried = await retryFailed(tx, id);
    if (!retried) throw new AppError('NOT_FOUND', 'Không có tác vụ lỗi này (có thể đã được chạy lại).');
    const dossierId = typeof retried.payload.dossierId === 'string' ? retried.payload.dossierId : null;
    const dossierCode = dossierId ? (await findDossierById(tx, dossierId))?.code ?? null : null;
    await recordAudit(tx, staffActor(staff, ip), 'effect.retried', dossierCode ?? `outbox-${retried.id}`, {
      outboxId: retried.id, job: retried.job, label: jobLabel(ctx.effects, retried.job) ?? retried.job, lastError: retried.lastError,
    });
    return retried;
  });
  ctx.log.info({ admin: staff.username, outboxId: id, job: row.job }, 'failed effect retried by an administrator');
  ctx.jobs.wake();
  return { id: row.id, job: row.job };
}
