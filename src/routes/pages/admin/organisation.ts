// Tổ chức: tỉnh, Sở, cơ quan (mã QCVN 102), cây đơn vị, trường (nhập CSV/XLSX), phân công đơn vị xử lý.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';

export function organisationPages(_app: FastifyInstance, _ctx: AppContext): void {
  // Not built yet.
}
