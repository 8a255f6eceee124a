// Khóa ký số và ảnh chữ ký/con dấu, cảnh báo chứng thư sắp hết hạn.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';

export function signingKeyPages(_app: FastifyInstance, _ctx: AppContext): void {
  // Not built yet.
}
