// Thiết lập ban đầu (lần chạy đầu): dẫn quản trị viên qua thông tin tổ chức; và trang chủ quản trị.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';

export function setupPages(_app: FastifyInstance, _ctx: AppContext): void {
  // Not built yet.
}
