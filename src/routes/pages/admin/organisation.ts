// Tổ chức (/quan-tri/to-chuc): the province and the Department (settings), agencies with their QCVN 102 codes, the
// unit tree, the import of units and schools from CSV/XLSX (per-line errors in a table) and which unit plays each part
// of every procedure. Pages only: services/administration/organisation.ts holds the rules, as for the JSON API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError, isAppError } from '../../../errors.js';
import { readMultipart } from '../../../plugins/multipart.js';
import {
  AGENCY_CODE_PATTERN, AGENCY_KIND_LABELS, AGENCY_KINDS, changeAgency, changeUnit, createAgency, createUnit, EVERY_PROCEDURE_TITLE,
  IMPORT_COLUMNS, importUnits, kindsForRole, listAgencyViews, listUnitViews, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, readAgency, readSettings,
  readUnit, readUnitRoles, saveSettings, saveUnitRoles, tooLargeMessage, UNIT_ID_MAX_LENGTH, UNIT_ID_MESSAGE, UNIT_ID_PATTERN,
  UNIT_KIND_LABELS, UNIT_KINDS, type AgencyView, type UnitKind, type UnitView,
} from '../../../services/administration/organisation.js';
import { UNIT_ROLE_LABELS } from '../../../services/procedures/unit-roles.js';
import { UNIT_ROLES } from '../../../db/schema/index.js';
import { readPageForm, render } from '../common.js';
import { sendDownload } from '../downloads.js';
import { enc } from '../staff/shared.js';
import { adminMenu, adminOr, flashText, htmlPattern } from './shared.js';

const BASE = '/quan-tri/to-chuc';
const SECTIONS = [
  { path: BASE, label: 'Tỉnh, Sở và cơ quan' },
  { path: `${BASE}/don-vi`, label: 'Cây đơn vị' },
  { path: `${BASE}/nhap`, label: 'Nhập từ tệp' },
  { path: `${BASE}/phan-cong`, label: 'Phân công xử lý thủ tục' },
];
const TEMPLATE_FILE = 'mau-nhap-don-vi-truong.csv';

interface FieldView {
  id: string; name: string; label: string; value?: string; error?: string; required?: boolean; help?: string;
  kind?: 'select'; inputType?: string; pattern?: string; title?: string; maxLength?: number;
  options?: Array<{ value: string; label: string; selected: boolean }>;
}

type Values = Record<string, string | null | undefined>;
type Errors = Record<string, string>;

function field(spec: Omit<FieldView, 'id' | 'value' | 'error'>, values: Values, errors: Errors): FieldView {
  return { inputType: 'text', ...spec, id: `f-${spec.name}`, value: values[spec.name] ?? '', error: errors[spec.name] };
}

function options(list: Array<{ value: string; label: string }>, selected: string | null | undefined) {
  return list.map((o) => ({ ...o, selected: o.value === (selected ?? '') }));
}

function sectionNav(current: string) {
  return SECTIONS.map((s) => ({ ...s, current: s.path === current }));
}

/** A refusal the form shows next to its fields; anything else goes to the error page. */
function formProblem(error: unknown): { message: string; fields: Errors } {
  if (isAppError(error) && error.statusCode < 500 && error.code !== 'FORBIDDEN' && error.code !== 'UNAUTHENTICATED') {
    return { message: error.message, fields: error.fields ?? {} };
  }
  throw error;
}

/** A 409 (a code or id already taken) and a 422 both come back to the form; the status says which. */
const problemStatus = (error: unknown) => (isAppError(error) ? error.statusCode : 422);

interface FormState { values: Values; errors: Errors; message: string }
type Shown = (request: FastifyRequest, reply: FastifyReply, form: FormState, status: number) => Promise<unknown>;

/**
 * A page form's POST: the administrator's gate, the fields, the use-case; then a redirect to the address `save`
 * returns, or the same form again with the refusal next to its fields.
 */
function formPost(save: (request: FastifyRequest, fields: Record<string, string>) => Promise<string>, show: Shown) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { fields } = await readPageForm(request);
    try {
      return reply.redirect(await save(request, fields), 303);
    } catch (error) {
      const problem = formProblem(error);
      return show(request, reply, { values: fields, errors: problem.fields, message: problem.message }, problemStatus(error));
    }
  };
}

const paramOf = (request: FastifyRequest, name: string) => (request.params as Record<string, string>)[name]!;

function agencyFields(values: Values, errors: Errors, agencies: AgencyView[], creating: boolean): FieldView[] {
  const parents = agencies.filter((a) => a.code !== values.code).map((a) => ({ value: a.code, label: `${a.name} (${a.code})` }));
  return [
    ...(creating ? [field({
      name: 'code', label: 'Mã cơ quan (QCVN 102:2016)', required: true, pattern: htmlPattern(AGENCY_CODE_PATTERN), maxLength: 13,
      title: 'Dạng 000.00.12.H56', help: 'Dạng 000.00.12.H56; in trong mã hồ sơ nên không đổi được sau khi lưu.',
    }, values, errors)] : []),
    field({ name: 'name', label: 'Tên cơ quan', required: true, maxLength: 200, help: 'Ví dụ: Sở Giáo dục và Đào tạo; Trường THPT …' }, values, errors),
    field({ name: 'abbreviation', label: 'Chữ viết tắt (ký hiệu văn bản)', required: creating, maxLength: 30, help: 'Chữ in hoa, ví dụ SGDĐT.' }, values, errors),
    field({ name: 'kind', label: 'Loại cơ quan', kind: 'select', options: options(AGENCY_KINDS.map((k) => ({ value: k, label: AGENCY_KIND_LABELS[k] })), values.kind) }, values, errors),
    field({ name: 'parentCode', label: 'Cơ quan cấp trên (trong hệ thống)', kind: 'select', options: options(parents, values.parentCode), help: 'Để trống với Sở. Trường: chọn Sở.' }, values, errors),
    field({ name: 'parentName', label: 'Tên cơ quan chủ quản (dòng trên cùng của văn bản)', maxLength: 200, help: creating ? 'Để trống: lấy theo cơ quan cấp trên, hoặc Ủy ban nhân dân tỉnh.' : undefined }, values, errors),
    field({ name: 'place', label: 'Địa danh ghi trên văn bản', maxLength: 100, help: creating ? 'Để trống: lấy tên tỉnh.' : undefined }, values, errors),
  ];
}

function unitFields(values: Values, errors: Errors, agencies: AgencyView[], units: UnitView[], creating: boolean): FieldView[] {
  const parents = units.filter((u) => u.id !== values.id).map((u) => ({ value: u.id, label: `${'— '.repeat(u.depth)}${u.name} (${u.id})` }));
  return [
    ...(creating ? [field({
      name: 'id', label: 'Mã đơn vị', required: true, pattern: htmlPattern(UNIT_ID_PATTERN), maxLength: UNIT_ID_MAX_LENGTH,
      title: UNIT_ID_MESSAGE, help: 'Chữ thường không dấu, số và dấu gạch ngang, ví dụ thpt-lam-son. Không đổi được sau khi lưu.',
    }, values, errors)] : []),
    field({ name: 'name', label: 'Tên đơn vị', required: true, maxLength: 200 }, values, errors),
    field({ name: 'kind', label: 'Loại đơn vị', kind: 'select', required: true, options: options((Object.keys(UNIT_KINDS) as UnitKind[]).map((k) => ({ value: k, label: UNIT_KIND_LABELS[k] })), values.kind) }, values, errors),
    field({ name: 'agencyCode', label: 'Thuộc cơ quan', kind: 'select', required: true, options: options(agencies.map((a) => ({ value: a.code, label: `${a.name} (${a.code})` })), values.agencyCode) }, values, errors),
    field({ name: 'parentId', label: 'Đơn vị cấp trên', kind: 'select', options: options(parents, values.parentId), help: 'Cùng cơ quan. Để trống với đơn vị cao nhất (ban lãnh đạo, văn phòng trường).' }, values, errors),
    field({ name: 'abbreviation', label: 'Chữ viết tắt', maxLength: 30 }, values, errors),
  ];
}

/** Page inputs → the service's input: on an edit form an emptied select or text means "none". */
function editInput(fields: Record<string, string>, names: string[], nullable: string[]): Record<string, string | null> {
  const input: Record<string, string | null> = {};
  for (const name of names) {
    const value = (fields[name] ?? '').trim();
    if (value !== '') input[name] = value;
    else if (nullable.includes(name)) input[name] = null;
  }
  return input;
}

/** A count carried by a notice link: digits only, else nothing is shown. */
function countParam(request: FastifyRequest, name: string): number | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  return typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : undefined;
}

/**
 * The notices after a redirect: `?tb=<key>` names a fixed text; an agency or unit is named by its code or id and
 * read from the list (an unknown one shows nothing), counts are digits — never words taken from the link.
 */
function agencyNotice(request: FastifyRequest, agencies: Array<{ code: string; name: string }>): string | undefined {
  const agency = agencies.find((a) => a.code === (request.query as Record<string, unknown>)['co-quan']);
  return flashText(request, {
    'cai-dat': 'Đã lưu tên tỉnh và Sở; tiêu đề trang, thư và văn bản mới dùng tên này.',
    ...(agency ? { 'them-co-quan': `Đã thêm cơ quan ${agency.name} (${agency.code}).`, 'luu-co-quan': `Đã lưu cơ quan ${agency.name} (${agency.code}).` } : {}),
  });
}

function unitNotice(request: FastifyRequest, units: Array<{ id: string; name: string }>): string | undefined {
  const unit = units.find((u) => u.id === (request.query as Record<string, unknown>)['don-vi']);
  const [created, updated, agencies] = ['moi', 'cap-nhat', 'co-quan-moi'].map((name) => countParam(request, name));
  const imported = created !== undefined && updated !== undefined
    ? `Đã nhập ${created + updated} đơn vị từ tệp: ${created} đơn vị mới, ${updated} đơn vị cập nhật${agencies ? `, ${agencies} cơ quan mới` : ''}.`
    : undefined;
  return flashText(request, {
    ...(unit ? { 'them-don-vi': `Đã thêm đơn vị ${unit.name} (${unit.id}).`, 'luu-don-vi': `Đã lưu đơn vị ${unit.name} (${unit.id}).` } : {}),
    ...(imported ? { nhap: imported } : {}),
  });
}

export function organisationPages(app: FastifyInstance, ctx: AppContext): void {
  // ------------------------------------------------------------ settings + agencies
  const showOverview = async (request: FastifyRequest, reply: FastifyReply, form?: FormState, status = 200) => {
    const [settings, agencies] = await Promise.all([readSettings(ctx, request.caller), listAgencyViews(ctx, request.caller)]);
    const values: Values = form?.values ?? { provinceName: settings.provinceName, departmentAgencyCode: settings.departmentAgencyCode };
    const departments = agencies.filter((a) => a.kind === 'department').map((a) => ({ value: a.code, label: `${a.name} (${a.code})` }));
    return render(request, reply, 'admin-organisation', {
      title: 'Tổ chức: tỉnh, Sở và cơ quan', adminMenu: adminMenu(BASE), sections: sectionNav(BASE), flash: agencyNotice(request, agencies),
      settings, message: form?.message,
      settingsFields: [
        field({ name: 'provinceName', label: 'Tên tỉnh, thành phố', required: true, maxLength: 100, help: 'Ví dụ: Nghệ An (không ghi chữ "tỉnh"). Hiện trên tiêu đề trang, thư gửi công dân và văn bản.' }, values, form?.errors ?? {}),
        field({ name: 'departmentAgencyCode', label: 'Cơ quan là Sở', kind: 'select', options: options(departments, values.departmentAgencyCode), help: 'Tên cơ quan này là tên của cổng dịch vụ công.' }, values, form?.errors ?? {}),
      ],
      agencies: agencies.map((a) => ({ ...a, kindLabel: AGENCY_KIND_LABELS[a.kind], editUrl: `${BASE}/co-quan/${enc(a.code)}`, isDepartment: a.code === settings.departmentAgencyCode })),
    }, status);
  };

  app.get(BASE, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showOverview(request, reply);
  });

  app.post(`${BASE}/cai-dat`, { preHandler: app.csrfProtection }, formPost(async (request, fields) => {
    await saveSettings(ctx, request.caller, { provinceName: fields.provinceName ?? '', departmentAgencyCode: fields.departmentAgencyCode || null });
    return `${BASE}?tb=cai-dat`;
  }, showOverview));

  const showAgency = async (request: FastifyRequest, reply: FastifyReply, code: string | null, form?: FormState, status = 200) => {
    const agencies = await listAgencyViews(ctx, request.caller);
    const current = code ? await readAgency(ctx, request.caller, code) : undefined;
    const values: Values = form?.values ?? (current ? { ...current } : {});
    return render(request, reply, 'admin-organisation-agency', {
      title: current ? `Sửa cơ quan ${current.name}` : 'Thêm cơ quan', adminMenu: adminMenu(BASE), sections: sectionNav(BASE),
      current, action: current ? `${BASE}/co-quan/${enc(current.code)}` : `${BASE}/co-quan`, message: form?.message,
      fields: agencyFields(values, form?.errors ?? {}, agencies, !current),
    }, status);
  };

  app.get(`${BASE}/co-quan/moi`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showAgency(request, reply, null);
  });

  app.post(`${BASE}/co-quan`, { preHandler: app.csrfProtection }, formPost(async (request, fields) => {
    const agency = await createAgency(ctx, request.caller, editInput(fields, ['code', 'name', 'abbreviation', 'kind', 'parentCode', 'parentName', 'place'], []));
    return `${BASE}?tb=them-co-quan&co-quan=${enc(agency.code)}`;
  }, (request, reply, form, status) => showAgency(request, reply, null, form, status)));

  app.get(`${BASE}/co-quan/:code`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showAgency(request, reply, (request.params as { code: string }).code);
  });

  app.post(`${BASE}/co-quan/:code`, { preHandler: app.csrfProtection }, formPost(async (request, fields) => {
    const input = editInput(fields, ['name', 'abbreviation', 'kind', 'parentCode', 'parentName', 'place'], ['abbreviation', 'parentCode']);
    const agency = await changeAgency(ctx, request.caller, paramOf(request, 'code'), input);
    return `${BASE}?tb=luu-co-quan&co-quan=${enc(agency.code)}`;
  }, (request, reply, form, status) => {
    const code = paramOf(request, 'code');
    return showAgency(request, reply, code, { ...form, values: { ...form.values, code } }, status);
  }));

  // ------------------------------------------------------------ units
  app.get(`${BASE}/don-vi`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const units = await listUnitViews(ctx, request.caller);
    return render(request, reply, 'admin-organisation-units', {
      title: 'Cây đơn vị', adminMenu: adminMenu(BASE), sections: sectionNav(`${BASE}/don-vi`), flash: unitNotice(request, units),
      units: units.map((u) => ({ ...u, kindLabel: UNIT_KIND_LABELS[u.kind], editUrl: `${BASE}/don-vi/${enc(u.id)}`, indent: u.depth * 1.5 })),
      count: units.length,
    });
  });

  const showUnit = async (request: FastifyRequest, reply: FastifyReply, id: string | null, form?: FormState, status = 200) => {
    const [agencies, units] = await Promise.all([listAgencyViews(ctx, request.caller), listUnitViews(ctx, request.caller)]);
    const current = id ? await readUnit(ctx, request.caller, id) : undefined;
    const values: Values = form?.values ?? (current ? { ...current, depth: String(current.depth) } : { ...(request.query as Values) });
    return render(request, reply, 'admin-organisation-unit', {
      title: current ? `Sửa đơn vị ${current.name}` : 'Thêm đơn vị', adminMenu: adminMenu(BASE), sections: sectionNav(`${BASE}/don-vi`),
      current, action: current ? `${BASE}/don-vi/${enc(current.id)}` : `${BASE}/don-vi`, message: form?.message,
      fields: unitFields(values, form?.errors ?? {}, agencies, units, !current),
    }, status);
  };

  app.get(`${BASE}/don-vi/moi`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showUnit(request, reply, null);
  });

  app.post(`${BASE}/don-vi`, { preHandler: app.csrfProtection }, formPost(async (request, fields) => {
    const unit = await createUnit(ctx, request.caller, editInput(fields, ['id', 'name', 'kind', 'agencyCode', 'parentId', 'abbreviation'], []));
    return `${BASE}/don-vi?tb=them-don-vi&don-vi=${enc(unit.id)}`;
  }, (request, reply, form, status) => showUnit(request, reply, null, form, status)));

  app.get(`${BASE}/don-vi/:id`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showUnit(request, reply, (request.params as { id: string }).id);
  });

  app.post(`${BASE}/don-vi/:id`, { preHandler: app.csrfProtection }, formPost(async (request, fields) => {
    const input = editInput(fields, ['name', 'kind', 'agencyCode', 'parentId', 'abbreviation'], ['parentId', 'abbreviation']);
    const unit = await changeUnit(ctx, request.caller, paramOf(request, 'id'), input);
    return `${BASE}/don-vi?tb=luu-don-vi&don-vi=${enc(unit.id)}`;
  }, (request, reply, form, status) => {
    const id = paramOf(request, 'id');
    return showUnit(request, reply, id, { ...form, values: { ...form.values, id } }, status);
  }));

  // ------------------------------------------------------------ import
  const showImport = (request: FastifyRequest, reply: FastifyReply, outcome: { message?: string; lines?: Array<{ line: string; message: string }>; done?: string } = {}, status = 200) =>
    render(request, reply, 'admin-organisation-import', {
      title: 'Nhập đơn vị, trường từ tệp', adminMenu: adminMenu(BASE), sections: sectionNav(`${BASE}/nhap`),
      columns: IMPORT_COLUMNS, maxRows: MAX_IMPORT_ROWS, maxMb: MAX_IMPORT_BYTES / 1024 / 1024, templateUrl: `${BASE}/${TEMPLATE_FILE}`,
      kinds: (Object.keys(UNIT_KINDS) as UnitKind[]).map((k) => ({ value: k, label: UNIT_KIND_LABELS[k] })), ...outcome,
    }, status);

  app.get(`${BASE}/nhap`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showImport(request, reply);
  });

  // Multipart: the CSRF token rides in the query string (routes/pages/index.ts getToken).
  app.post(`${BASE}/nhap`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    try {
      if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Biểu mẫu phải gửi tệp (multipart/form-data).');
      const body = await readMultipart(request, { limits: { fileSize: MAX_IMPORT_BYTES, files: 1 }, reply }).catch((error: unknown) => {
        throw isAppError(error) && error.code === 'FILE_TOO_LARGE' ? new AppError('FILE_TOO_LARGE', tooLargeMessage()) : error;
      });
      const file = body.files.find((f) => f.fieldName === 'file' && f.data.length > 0);
      if (!file) throw new AppError('VALIDATION_FAILED', 'Chưa chọn tệp.', { file: 'Chọn tệp CSV hoặc XLSX.' });
      const result = await importUnits(ctx, request.caller, { fileName: file.fileName, data: file.data });
      const counts = new URLSearchParams({ tb: 'nhap', moi: String(result.created), 'cap-nhat': String(result.updated), 'co-quan-moi': String(result.agenciesCreated) });
      return reply.redirect(`${BASE}/don-vi?${counts}`, 303);
    } catch (error) {
      const problem = formProblem(error);
      const lines = Object.entries(problem.fields).map(([line, message]) => ({ line: line.replace(/^line /, 'Dòng ').replace(/^file$/, 'Tệp'), message }));
      return showImport(request, reply, { message: problem.message, lines }, problemStatus(error));
    }
  });

  app.get(`${BASE}/${TEMPLATE_FILE}`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return sendDownload(reply, 'text/csv; charset=utf-8', TEMPLATE_FILE, importTemplate(ctx.organisation.departmentAgencyCode), false);
  });

  // ------------------------------------------------------------ unit roles
  const showRoles = async (request: FastifyRequest, reply: FastifyReply, form?: { values: Record<string, string>; errors: Errors; message: string }, status = 200) => {
    const [view, units] = await Promise.all([readUnitRoles(ctx, request.caller), listUnitViews(ctx, request.caller)]);
    const assigned = new Map(view.items.map((i) => [`${i.procedureId} ${i.role}`, i.unitId]));
    const unitName = new Map(units.map((u) => [u.id, u.name]));
    const rows = view.procedures.map((procedure) => ({
      ...procedure,
      isDefault: procedure.id === '*',
      cells: UNIT_ROLES.map((role) => {
        const name = roleField(procedure.id, role);
        const selected = form ? form.values[name] ?? '' : assigned.get(`${procedure.id} ${role}`) ?? '';
        const fallback = assigned.get(`* ${role}`);
        const fits = units.filter((u) => kindsForRole(role).includes(UNIT_KINDS[u.kind]));
        return {
          name, id: `r-${procedure.id === '*' ? 'all' : procedure.id}-${role}`, error: form?.errors[name],
          label: `${UNIT_ROLE_LABELS[role]} — ${procedure.id === '*' ? EVERY_PROCEDURE_TITLE : procedure.title}`,
          empty: procedure.id === '*' ? '— Chưa chọn —' : `Theo mặc định${fallback ? ` (${unitName.get(fallback) ?? fallback})` : ': chưa có'}`,
          options: options(fits.map((u) => ({ value: u.id, label: `${u.name} (${u.agencyName})` })), selected),
        };
      }),
    }));
    return render(request, reply, 'admin-organisation-roles', {
      title: 'Phân công đơn vị xử lý thủ tục', adminMenu: adminMenu(BASE), sections: sectionNav(`${BASE}/phan-cong`), flash: flashText(request, { 'da-luu': 'Đã lưu phân công; hồ sơ nộp từ bây giờ đi theo phân công mới.' }),
      roles: UNIT_ROLES.map((r) => ({ role: r, label: UNIT_ROLE_LABELS[r] })), rows, message: form?.message,
    }, status);
  };

  app.get(`${BASE}/phan-cong`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showRoles(request, reply);
  });

  app.post(`${BASE}/phan-cong`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { fields } = await readPageForm(request);
    const { procedures } = await readUnitRoles(ctx, request.caller);
    const items = procedures.flatMap((p) => UNIT_ROLES.map((role) => ({ procedureId: p.id, role, unitId: fields[roleField(p.id, role)] || null })))
      // The default's empty choices stay unset (never cleared from the page): only chosen defaults are sent.
      .filter((item) => item.procedureId !== '*' || item.unitId !== null);
    try {
      await saveUnitRoles(ctx, request.caller, { items });
      return reply.redirect(`${BASE}/phan-cong?tb=da-luu`, 303);
    } catch (error) {
      const problem = formProblem(error);
      // The service names errors by position ("items.3.unitId"); the form by select.
      const errors: Errors = {};
      for (const [key, message] of Object.entries(problem.fields)) {
        const item = items[Number(/^items\.(\d+)\./.exec(key)?.[1] ?? -1)];
        if (item) errors[roleField(item.procedureId, item.role)] = message;
      }
      return showRoles(request, reply, { values: fields, errors, message: problem.message }, problemStatus(error));
    }
  });
}

function roleField(procedureId: string, role: string): string {
  return `role.${procedureId}.${role}`;
}

/**
 * The import template: the header and two example rows — a school with its own new agency (agencyName creates it
 * under the Department) and a division of the Department. The codes follow the Department's own.
 */
function importTemplate(departmentCode: string | null): Buffer {
  const province = departmentCode?.slice(-4) ?? '.H00';
  const rows = [
    IMPORT_COLUMNS.join(','),
    `thpt-vi-du,Văn phòng Trường THPT Ví Dụ,000.30${departmentCode?.slice(6, 9) ?? '.00'}${province},school,,THPTVD,Trường THPT Ví Dụ`,
    `phong-vi-du,Phòng Ví Dụ,${departmentCode ?? '000.00.00.H00'},office,,PVD,`,
  ];
  return Buffer.from(`\uFEFF${rows.join('\r\n')}\r\n`, 'utf8');
}
