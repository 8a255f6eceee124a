// Thủ tục: bật/tắt, các phiên bản và số hồ sơ trên mỗi phiên bản, nạp tệp quy trình mới.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';

export function procedurePages(_app: FastifyInstance, _ctx: AppContext): void {
  // Not built yet.
}
