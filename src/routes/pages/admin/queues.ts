// Hàng đợi tác vụ: số việc chờ, đang chạy, lỗi theo từng hàng đợi.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';

export function queuePages(_app: FastifyInstance, _ctx: AppContext): void {
  // Not built yet.
}
