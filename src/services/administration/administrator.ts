// The gate of every administration use-case: the caller is a signed-in account with the administration permission
// (PERMISSIONS.administration), and its audit actor, with the address the request came from.
import type { StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { can, type Caller } from '../access.js';
import { staffActor, type AuditActor } from '../audit/audit.js';

export function administratorOf(caller: Caller): { staff: StaffRow; actor: AuditActor } {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  if (!can(caller.staff, 'administration')) throw new AppError('FORBIDDEN', 'Chỉ quản trị hệ thống được thực hiện việc này.');
  return { staff: caller.staff, actor: staffActor(caller.staff, caller.ip) };
}
