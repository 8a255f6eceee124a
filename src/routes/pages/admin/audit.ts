// Nhật ký hệ thống: lọc và xuất.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';

export function auditPages(_app: FastifyInstance, _ctx: AppContext): void {
  // Not built yet.
}
