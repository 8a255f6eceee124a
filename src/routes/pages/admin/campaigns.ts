// Kỳ tuyển sinh: thời gian, trường tham gia và chỉ tiêu.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';

export function campaignPages(_app: FastifyInstance, _ctx: AppContext): void {
  // Not built yet.
}
