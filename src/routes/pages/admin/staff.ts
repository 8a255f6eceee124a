// Tài khoản cán bộ: tạo, vai trò, đơn vị, chức danh, thẩm quyền ký, khóa/mở, cấp lại mật khẩu.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';

export function staffAccountPages(_app: FastifyInstance, _ctx: AppContext): void {
  // Not built yet.
}
