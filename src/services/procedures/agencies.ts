// The names of the agencies that decide procedures (QCVN 102 codes → "Sở Giáo dục và Đào tạo …"), for catalogue
// pages and the procedures API; a procedure whose agency is not in the organisation data shows its code.
import type { AppContext } from '../../app-context.js';
import { listAgencies } from '../../db/repositories/staff.js';

export async function agencyNames(ctx: AppContext): Promise<Map<string, string>> {
  return new Map((await listAgencies(ctx.db)).map((a) => [a.code, a.name]));
}
