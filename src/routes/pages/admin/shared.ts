// What the administration pages share: the gate (signed in, with the administration permission) and the section menu.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffRow } from '../../../db/repositories/staff.js';
import { readMultipart, type MultipartLimits } from '../../../plugins/multipart.js';
import { can } from '../../../services/access.js';
import { readPageForm, render, type PageForm } from '../common.js';
import { staffOr } from '../staff/shared.js';

/** The administration's sections, in menu order: one list for the menu and the start page. */
export const ADMIN_SECTIONS = [
  { path: '/quan-tri/to-chuc', label: 'Tổ chức: tỉnh, cơ quan, đơn vị, trường' },
  { path: '/quan-tri/can-bo', label: 'Tài khoản cán bộ' },
  { path: '/quan-tri/khoa-ky-so', label: 'Khóa ký số, chữ ký và con dấu' },
  { path: '/quan-tri/thu-tuc', label: 'Thủ tục và quy trình' },
  { path: '/quan-tri/lich', label: 'Lịch ngày làm việc' },
  { path: '/quan-tri/tuyen-sinh', label: 'Kỳ tuyển sinh' },
  { path: '/quan-tri/so-van-ban', label: 'Sổ văn bản và loại văn bản' },
  { path: '/quan-tri/lien-thong', label: 'Liên thông Cổng DVC quốc gia' },
  { path: '/quan-tri/thanh-toan', label: 'Thanh toán trực tuyến' },
  { path: '/quan-tri/nhat-ky', label: 'Nhật ký hệ thống' },
  { path: '/quan-tri/hang-doi', label: 'Hàng đợi tác vụ' },
  { path: '/can-bo/tac-vu-loi', label: 'Tác vụ lỗi' },
] as const;

/**
 * Administration pages send the public to the sign-in page and refuse other staff with a 403 page. Returns the
 * administrator, or undefined when the reply is already sent.
 */
export async function adminOr(request: FastifyRequest, reply: FastifyReply): Promise<StaffRow | undefined> {
  const staff = staffOr(request, reply);
  if (!staff) return undefined;
  if (!can(staff, 'administration')) {
    await render(request, reply, 'error', { title: 'Không có quyền', message: 'Trang này dành cho quản trị hệ thống.', status: 403 }, 403);
    return undefined;
  }
  return staff;
}

/** HTML `pattern` takes the expression without anchors (the browser anchors it). */
export const htmlPattern = (pattern: string) => pattern.replace(/^\^/, '').replace(/\$$/, '');

/** The menu with the current section marked, for templates/pages/partials/admin-menu.hbs. */
export function adminMenu(currentPath: string): Array<{ path: string; label: string; current: boolean }> {
  return ADMIN_SECTIONS.map((s) => ({ ...s, current: currentPath === s.path || currentPath.startsWith(`${s.path}/`) }));
}

/**
 * The notice after a redirect: `?tb=<key>` names one of the page's fixed texts, so a crafted link cannot put its own
 * words inside the administration as an official notice (an unknown key shows nothing).
 */
export function flashText(request: FastifyRequest, messages: Readonly<Record<string, string>>): string | undefined {
  const key = (request.query as Record<string, unknown> | undefined)?.tb;
  return typeof key === 'string' && Object.hasOwn(messages, key) ? messages[key] : undefined;
}

/**
 * An upload form's fields and files read with the route's own limits (the API's for the same upload), refused as
 * soon as a file passes them; empty file inputs dropped. A urlencoded post reads as a form without files.
 */
export async function readUploadForm(request: FastifyRequest, reply: FastifyReply, limits: MultipartLimits): Promise<PageForm> {
  if (!request.isMultipart()) return readPageForm(request);
  const body = await readMultipart(request, { limits, reply });
  return { fields: body.fields, files: body.files.filter((f) => f.data.length > 0) };
}
