// /quan-tri: the administration's start page — the sections with a short status — and, until the organisation is set
// up, /quan-tri/thiet-lap: the first-run set-up (province, the Department's agency, its core units) that an
// administrator of an empty database is led to. Both call services/administration (setup.ts, overview.ts).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { administrationOverview } from '../../../services/administration/overview.js';
import {
  ABBREVIATION_PATTERN, AGENCY_CODE_PATTERN, UNIT_ID_MAX_LENGTH, UNIT_ID_MESSAGE, UNIT_ID_PATTERN,
} from '../../../services/administration/organisation.js';
import { completeSetup, SETUP_OFFICE_SLOTS } from '../../../services/administration/setup.js';
import { fieldErrors, readPageForm, render } from '../common.js';
import { adminMenu, adminOr, ADMIN_SECTIONS, flashText, htmlPattern } from './shared.js';

const SETUP_PATH = '/quan-tri/thiet-lap';
const HOME_PATH = '/quan-tri';
/** The start page's notices after the set-up (flashText: fixed texts by key, never text from the link). */
const SETUP_DONE = 'thiet-lap-xong';
const SETUP_ALREADY = 'da-thiet-lap';

interface FieldOptions { required?: boolean; pattern?: string; title?: string; maxLength?: number; help?: string; placeholder?: string }

/** A view model for templates/pages/partials/field.hbs: the name is the service's field path, so errors land on it. */
function field(name: string, label: string, values: Record<string, string>, errors: Record<string, string>, options: FieldOptions = {}) {
  return {
    id: `f-${name.replaceAll('.', '-')}`, name, label, kind: 'text', inputType: 'text', value: values[name] ?? '', error: errors[name],
    required: options.required ?? false, pattern: options.pattern ? htmlPattern(options.pattern) : undefined, title: options.title,
    maxLength: options.maxLength ?? 200, help: options.help, autocomplete: 'off',
  };
}

/** What an empty form starts with: the names every Department uses (Decree 61/2018 for the one-stop desk). */
const DEFAULTS: Record<string, string> = {
  'department.name': 'Sở Giáo dục và Đào tạo',
  'department.abbreviation': 'SGDĐT',
  'board.name': 'Ban Giám đốc Sở',
  'board.id': 'ban-giam-doc',
  'desk.name': 'Bộ phận Tiếp nhận và Trả kết quả',
  'desk.id': 'mot-cua',
};

const UNIT_ID_HELP = 'Mã đơn vị: chữ thường không dấu, chữ số, gạch nối; bỏ trống để tự tạo từ tên.';

function setupModel(values: Record<string, string>, errors: Record<string, string>, message?: string) {
  const unitFields = (prefix: string, label: string, required: boolean) => [
    field(`${prefix}.name`, label, values, errors, { required, maxLength: 200 }),
    field(`${prefix}.id`, 'Mã đơn vị', values, errors, { pattern: UNIT_ID_PATTERN, title: UNIT_ID_MESSAGE, maxLength: UNIT_ID_MAX_LENGTH, help: UNIT_ID_HELP }),
  ];
  return {
    title: 'Thiết lập ban đầu', message, hasErrors: Object.keys(errors).length > 0,
    province: [field('provinceName', 'Tên tỉnh/thành phố', values, errors, { required: true, maxLength: 100, help: 'Không ghi chữ "tỉnh", ví dụ: Thanh Hóa.' })],
    department: [
      field('department.code', 'Mã cơ quan (QCVN 102:2016)', values, errors, {
        required: true, pattern: AGENCY_CODE_PATTERN, maxLength: 13, title: 'Dạng 000.00.12.H56', help: 'Ví dụ: 000.00.12.H56 (Sở GD&ĐT Thanh Hóa). Mã này đứng đầu mã số mọi hồ sơ.',
      }),
      field('department.name', 'Tên cơ quan', values, errors, { required: true, help: 'Không cần ghi tên tỉnh: trang và văn bản tự ghép "… Thanh Hóa".' }),
      field('department.abbreviation', 'Tên viết tắt', values, errors, {
        required: true, pattern: ABBREVIATION_PATTERN, maxLength: 30, title: 'Tối đa 30 chữ in hoa hoặc chữ số, ví dụ SGDĐT', help: 'Dùng trong số, ký hiệu văn bản (Nghị định 30/2020): 125/QĐ-SGDĐT.',
      }),
      field('department.parentName', 'Cơ quan chủ quản', values, errors, { help: 'Bỏ trống: "Ủy ban nhân dân tỉnh <tên tỉnh>" (thành phố trực thuộc trung ương: "Ủy ban nhân dân thành phố <tên>").' }),
      field('department.place', 'Địa danh ghi trên văn bản', values, errors, { maxLength: 100, help: 'Bỏ trống: tên tỉnh ("Thanh Hóa, ngày … tháng … năm …").' }),
    ],
    board: unitFields('board', 'Tên Ban Giám đốc (lãnh đạo Sở, người ký kết quả)', true),
    desk: unitFields('desk', 'Tên bộ phận một cửa (tiếp nhận hồ sơ, trả kết quả)', true),
    offices: Array.from({ length: SETUP_OFFICE_SLOTS }, (_, i) => ({
      legend: i === 0 ? 'Phòng chuyên môn chủ trì mặc định (mọi thủ tục)' : `Phòng chuyên môn khác ${i} (không bắt buộc)`,
      fields: unitFields(`offices.${i}`, 'Tên phòng', i === 0),
    })),
  };
}

/** The form's fields as the service's input; `slots` maps an office's place in the input back to its row on the page. */
function setupInputFrom(values: Record<string, string>): { input: unknown; slots: number[] } {
  const text = (name: string) => values[name] ?? '';
  const unit = (prefix: string) => ({ id: text(`${prefix}.id`), name: text(`${prefix}.name`) });
  const slots = Array.from({ length: SETUP_OFFICE_SLOTS }, (_, i) => i).filter((i) => i === 0 || text(`offices.${i}.name`) || text(`offices.${i}.id`));
  return {
    slots,
    input: {
      provinceName: text('provinceName'),
      department: {
        code: text('department.code'), name: text('department.name'), abbreviation: text('department.abbreviation'),
        parentName: text('department.parentName'), place: text('department.place'),
      },
      board: unit('board'), desk: unit('desk'), offices: slots.map((i) => unit(`offices.${i}`)),
    },
  };
}

/** Error keys of the input ("offices.1.name") as the page's field names ("offices.2.name"). */
function pageFieldErrors(fields: Record<string, string>, slots: number[]): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([key, message]) => {
    const office = /^offices\.(\d+)(\..*)?$/.exec(key);
    if (!office) return [key, message];
    return [office[2] ? `offices.${slots[Number(office[1])] ?? office[1]}${office[2]}` : 'offices.0.name', message];
  }));
}

export function setupPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(HOME_PATH, async (request, reply) => {
    const staff = await adminOr(request, reply);
    if (!staff) return reply;
    if (!ctx.organisation.setupCompleted) return reply.redirect(SETUP_PATH, 303);
    const overview = await administrationOverview(ctx, request.caller);
    const status: Partial<Record<(typeof ADMIN_SECTIONS)[number]['path'], string>> = {
      '/quan-tri/to-chuc': `${overview.units} đơn vị`,
      '/quan-tri/can-bo': `${overview.activeStaff} tài khoản đang hoạt động`,
      '/quan-tri/khoa-ky-so': overview.keysExpiring > 0 ? `${overview.keysExpiring} khóa sắp hết hạn hoặc đã hết hạn` : 'Không có khóa sắp hết hạn',
      '/quan-tri/thu-tuc': `${overview.proceduresEnabled} thủ tục đang nhận hồ sơ`,
      '/can-bo/tac-vu-loi': overview.failedEffects > 0 ? `${overview.failedEffects} tác vụ lỗi cần xử lý` : 'Không có tác vụ lỗi',
    };
    const warnings = new Set(['/quan-tri/khoa-ky-so', '/can-bo/tac-vu-loi']);
    return render(request, reply, 'admin-home', {
      title: 'Quản trị hệ thống', adminMenu: adminMenu(HOME_PATH), overview,
      flash: flashText(request, {
        [SETUP_DONE]: `Đã hoàn tất thiết lập ban đầu: ${ctx.organisation.departmentName}, ${overview.units} đơn vị. `
          + 'Tiếp theo: tạo tài khoản cán bộ, nạp khóa ký số và con dấu.',
        [SETUP_ALREADY]: 'Thiết lập ban đầu đã được thực hiện; thông tin tổ chức sửa tại Quản trị › Tổ chức.',
      }),
      organisation: ctx.organisation,
      sections: ADMIN_SECTIONS.map((s) => ({
        ...s, status: status[s.path],
        attention: warnings.has(s.path) && (s.path === '/can-bo/tac-vu-loi' ? overview.failedEffects > 0 : overview.keysExpiring > 0),
      })),
    });
  });

  app.get(SETUP_PATH, async (request, reply) => {
    const staff = await adminOr(request, reply);
    if (!staff) return reply;
    if (ctx.organisation.setupCompleted) return reply.redirect(`${HOME_PATH}?tb=${SETUP_ALREADY}`, 303);
    return render(request, reply, 'admin-setup', setupModel(DEFAULTS, {}));
  });

  app.post(SETUP_PATH, { preHandler: app.csrfProtection }, async (request, reply) => {
    const staff = await adminOr(request, reply);
    if (!staff) return reply;
    const { fields: values } = await readPageForm(request);
    const { input, slots } = setupInputFrom(values);
    try {
      await completeSetup(ctx, request.caller, input);
      return reply.redirect(`${HOME_PATH}?tb=${SETUP_DONE}`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      if ((error as { code?: string }).code === 'SETUP_ALREADY_DONE') return reply.redirect(`${HOME_PATH}?tb=${SETUP_ALREADY}`, 303);
      const status = (error as { statusCode?: number }).statusCode ?? 422;
      return render(request, reply, 'admin-setup', setupModel(values, pageFieldErrors(problem.fields, slots), problem.message), status);
    }
  });
}
