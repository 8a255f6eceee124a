// Lịch ngày làm việc theo năm: ngày nghỉ và ngày làm bù.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';

export function calendarPages(_app: FastifyInstance, _ctx: AppContext): void {
  // Not built yet.
}
