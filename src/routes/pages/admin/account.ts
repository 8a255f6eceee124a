// Tài khoản của chính mình (mọi cán bộ): đổi mật khẩu, bắt buộc đổi mật khẩu tạm, xác thực hai lớp (TOTP).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';

export function accountPages(_app: FastifyInstance, _ctx: AppContext): void {
  // Not built yet.
}
