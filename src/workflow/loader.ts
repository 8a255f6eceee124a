// Reads workflow YAML files, validates them with the zod schema, then checks the graph and every
// cross-reference. All problems of all files are collected before throwing, so an author fixes a file
// in one pass; each problem names the file, the path inside it and the offending name.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { core } from 'zod';
import { workflowFileSchema } from './definition.js';
import { isKnownGuard, isKnownIntakeCheck } from './registry.js';
import { SYSTEM_ROLES, type FieldType, type LoadedWorkflow, type PrefillPath, type WorkflowDefinition } from './types.js';

export interface WorkflowProblem {
  file: string;
  path: string;
  message: string;
  /** 1-based line in the file, when the path could be located. */
  line?: number;
}

export interface LoadOptions {
  /** Directory that `result.template` paths are relative to. */
  templatesDir: string;
  /** Effect names a transition may use: the effects registry's (effects/index.ts), handed in by whoever loads. */
  effects: ReadonlySet<string>;
}

export function formatProblem(p: WorkflowProblem): string {
  return `${p.file}: ${p.path || '(tệp)'}: ${p.message}${p.line !== undefined ? ` (dòng ${p.line})` : ''}`;
}

export class WorkflowCheckError extends Error {
  readonly problems: WorkflowProblem[];
  constructor(problems: WorkflowProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'WorkflowCheckError';
    this.problems = problems;
  }
}

type Segment = string | number;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** sha256 of JSON with object keys sorted, so formatting and key order do not create a new version. */
export function hashDefinition(definition: WorkflowDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const q = (name: unknown) => `"${String(name)}"`;

function describeInput(input: unknown): string {
  if (input === undefined) return '';
  if (input === null || ['string', 'number', 'boolean'].includes(typeof input)) return ` (giá trị: ${JSON.stringify(input)})`;
  return '';
}

/**
 * Top-level keys files once had and no longer may: the province-specific data they held is administration data now.
 * Refused with the reason rather than "unsupported key", so an author updating an old file knows where it went.
 */
const RETIRED_KEYS: Record<string, string> = {
  agency:
    'khóa "agency" không còn dùng trong tệp quy trình: cơ quan giải quyết là cơ quan của đơn vị giữ vai trò office '
    + 'của thủ tục, do quản trị viên phân công trong dữ liệu quản trị; hãy xóa khóa này',
};

/** zod's default messages do not name the offending value; authors need it to find the typo. */
function zodProblems(issues: readonly core.$ZodIssue[]): Array<{ path: Segment[]; message: string }> {
  const out: Array<{ path: Segment[]; message: string }> = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is Segment => typeof s !== 'symbol');
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const retired = path.length === 0 && Object.hasOwn(RETIRED_KEYS, key) ? RETIRED_KEYS[key] : undefined;
          out.push({ path: [...path, key], message: retired ?? `khóa không được hỗ trợ ${q(key)}` });
        }
        break;
      case 'invalid_key': {
        const key = path[path.length - 1];
        const inner = issue.issues[0]?.message ?? issue.message;
        out.push({ path, message: `tên ${q(key)} không hợp lệ: ${inner}` });
        break;
      }
      case 'invalid_type':
        out.push({
          path,
          message:
            issue.input === undefined
              ? `thiếu khóa bắt buộc (kiểu ${issue.expected})`
              : `sai kiểu: cần ${issue.expected}${describeInput(issue.input)}`,
        });
        break;
      case 'invalid_value':
        out.push({
          path,
          message: `giá trị không hợp lệ${describeInput(issue.input)}; cho phép: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
        });
        break;
      default:
        out.push({ path, message: `${issue.message}${describeInput(issue.input)}` });
    }
  }
  return out;
}

/** The field types each vouched value fits (a date into a date field, an ID number into an id-number field, …). */
const PREFILL_FIELD_TYPES: Record<PrefillPath, readonly FieldType[]> = {
  'applicant.fullName': ['text'], 'applicant.personalId': ['id-number'], 'applicant.birthDate': ['date'],
  'applicant.permanentAddress': ['text', 'textarea'], 'applicant.currentAddress': ['text', 'textarea'],
  'applicant.phone': ['phone'], 'applicant.email': ['email'],
  'pupil.fullName': ['text'], 'pupil.personalId': ['id-number'], 'pupil.birthDate': ['date'], 'pupil.gender': ['select'],
};

/** Cross-reference and graph checks on a schema-valid definition. */
export function checkDefinition(def: WorkflowDefinition, opts: LoadOptions): Array<{ path: Segment[]; message: string }> {
  const problems: Array<{ path: Segment[]; message: string }> = [];
  const add = (path: Segment[], message: string) => problems.push({ path, message });
  const has = (obj: object, key: string) => Object.hasOwn(obj, key);
  const systemRoles: readonly string[] = SYSTEM_ROLES;

  for (const role of Object.keys(def.roles)) {
    if (!systemRoles.includes(role)) {
      add(['roles', role], `vai trò ${q(role)} không phải vai trò của hệ thống (${SYSTEM_ROLES.join(', ')})`);
    }
  }
  // `system` acts for jobs (e.g. a finished signature); it never needs declaring.
  const roleDeclared = (role: string) => role === 'system' || has(def.roles, role);

  for (const [formKey, form] of Object.entries(def.forms)) {
    const names = new Map<string, number>();
    form.fields.forEach((field, i) => {
      const base: Segment[] = ['forms', formKey, 'fields', i];
      if (names.has(field.name)) add([...base, 'name'], `trường ${q(field.name)} bị trùng (đã khai báo ở fields[${names.get(field.name)}])`);
      else names.set(field.name, i);
      if (field.type === 'select' && field.optionsFrom === undefined && (field.options === undefined || field.options.length === 0)) {
        add([...base, 'options'], `trường chọn ${q(field.name)} không có danh sách options`);
      }
      if (field.type !== 'select' && field.options !== undefined) {
        add([...base, 'options'], `options chỉ dùng cho trường kiểu select (trường ${q(field.name)} kiểu ${field.type})`);
      }
    });
    form.fields.forEach((field, i) => {
      if (!field.requiredWhen) return;
      const target = form.fields.find((f) => f.name === field.requiredWhen!.field);
      if (!target) {
        add(['forms', formKey, 'fields', i, 'requiredWhen', 'field'], `requiredWhen tham chiếu trường không tồn tại ${q(field.requiredWhen.field)}`);
      } else {
        checkConditionValues(target, field.requiredWhen.in, ['forms', formKey, 'fields', i, 'requiredWhen', 'in'], add);
      }
    });
  }

  const intake = has(def.forms, def.intakeForm) ? def.forms[def.intakeForm] : undefined;
  if (!intake) add(['intakeForm'], `biểu mẫu tiếp nhận không tồn tại ${q(def.intakeForm)}`);
  const intakeField = (name: string) => intake?.fields.find((f) => f.name === name);

  if (intake) {
    const expectedType: Record<string, string | undefined> = { email: 'email', phone: 'phone', idNumber: 'id-number' };
    for (const [key, fieldName] of Object.entries(def.contact)) {
      if (fieldName === undefined) continue;
      const field = intakeField(fieldName);
      if (!field) add(['contact', key], `trường không có trong biểu mẫu tiếp nhận ${q(def.intakeForm)}: ${q(fieldName)}`);
      else if (expectedType[key] !== undefined && field.type !== expectedType[key]) {
        add(['contact', key], `trường ${q(fieldName)} kiểu ${field.type}, cần kiểu ${expectedType[key]}`);
      }
    }
  }

  // Vouched values fill intake fields only (the citizen files the intake form), and only fields that can hold them.
  for (const [formKey, form] of Object.entries(def.forms)) {
    form.fields.forEach((field, i) => {
      if (field.prefill === undefined) return;
      const path: Segment[] = ['forms', formKey, 'fields', i, 'prefill'];
      if (formKey !== def.intakeForm) add(path, `prefill chỉ dùng cho biểu mẫu tiếp nhận ${q(def.intakeForm)}`);
      else if (!PREFILL_FIELD_TYPES[field.prefill].includes(field.type)) {
        add(path, `${q(field.prefill)} không điền được trường kiểu ${field.type} (cần ${PREFILL_FIELD_TYPES[field.prefill].join(' hoặc ')})`);
      }
    });
  }
  if (def.filing) {
    const { for: modes, proxyDocument } = def.filing;
    if (modes.includes('proxy') && proxyDocument === undefined) {
      add(['filing', 'proxyDocument'], 'nộp theo ủy quyền (proxy) cần proxyDocument: giấy tờ ủy quyền bắt buộc khi nộp thay');
    }
    if (proxyDocument !== undefined && !modes.includes('proxy')) add(['filing', 'proxyDocument'], 'proxyDocument chỉ dùng khi filing.for có proxy');
    if (proxyDocument !== undefined && !has(def.documents, proxyDocument)) {
      add(['filing', 'proxyDocument'], `giấy tờ chưa khai báo trong documents: ${q(proxyDocument)}`);
    }
  }

  for (const [docKey, doc] of Object.entries(def.documents)) {
    if (!doc.requiredWhen || !intake) continue;
    const target = intakeField(doc.requiredWhen.field);
    if (!target) {
      add(['documents', docKey, 'requiredWhen', 'field'], `requiredWhen tham chiếu trường không tồn tại trong biểu mẫu tiếp nhận: ${q(doc.requiredWhen.field)}`);
    } else {
      checkConditionValues(target, doc.requiredWhen.in, ['documents', docKey, 'requiredWhen', 'in'], add);
    }
  }

  const stateNames = Object.keys(def.states);
  if (!has(def.states, def.initial)) add(['initial'], `trạng thái khởi đầu không tồn tại ${q(def.initial)}`);

  if (def.fee.lines) {
    const total = def.fee.lines.reduce((sum, line) => sum + line.amount, 0);
    if (total !== def.fee.amount) add(['fee', 'amount'], `tổng các khoản thu (${total}) phải bằng amount (${def.fee.amount})`);
    const codes = def.fee.lines.map((line) => line.code);
    codes.forEach((code, i) => { if (codes.indexOf(code) !== i) add(['fee', 'lines', i, 'code'], `mã khoản thu bị trùng ${q(code)}`); });
  }
  if (def.fee.payment !== undefined && !def.fee.lines) add(['fee', 'payment'], 'payment cần các khoản thu (fee.lines)');
  if (def.national) {
    for (const state of Object.keys(def.national.statuses)) {
      if (!has(def.states, state)) add(['national', 'statuses', state], `trạng thái không tồn tại ${q(state)}`);
    }
    for (const state of stateNames) {
      if (!has(def.national.statuses, state)) add(['national', 'statuses'], `thiếu mã trạng thái quốc gia cho trạng thái ${q(state)}`);
    }
  }

  for (const [stateKey, state] of Object.entries(def.states)) {
    const actions = Object.entries(state.on);
    if (state.final && actions.length > 0) {
      add(['states', stateKey, 'on'], `trạng thái kết thúc ${q(stateKey)} không được có thao tác (${actions.map(([a]) => a).join(', ')})`);
    }
    if (!state.final && actions.length === 0) {
      add(['states', stateKey], `trạng thái ${q(stateKey)} không phải trạng thái kết thúc nhưng không có thao tác nào để ra khỏi`);
    }
    for (const [action, t] of actions) {
      const base: Segment[] = ['states', stateKey, 'on', action];
      if (!has(def.states, t.to)) add([...base, 'to'], `chuyển tới trạng thái không tồn tại ${q(t.to)}`);
      t.roles.forEach((role, i) => {
        if (!roleDeclared(role)) add([...base, 'roles', i], `vai trò chưa khai báo trong roles: ${q(role)}`);
      });
      if (t.form !== undefined && !has(def.forms, t.form)) add([...base, 'form'], `biểu mẫu chưa khai báo trong forms: ${q(t.form)}`);
      t.documents?.forEach((doc, i) => {
        if (!has(def.documents, doc)) add([...base, 'documents', i], `giấy tờ chưa khai báo trong documents: ${q(doc)}`);
      });
      t.guards.forEach((g, i) => {
        if (!isKnownGuard(g)) add([...base, 'guards', i], `điều kiện (guard) không được hỗ trợ: ${q(g)}`);
      });
      t.effects.forEach((e, i) => {
        if (!opts.effects.has(e)) add([...base, 'effects', i], `tác vụ (effect) không được hỗ trợ: ${q(e)}`);
      });
      if (t.routeTo?.field !== undefined && intake && !intakeField(t.routeTo.field)) {
        add([...base, 'routeTo', 'field'], `routeTo tham chiếu trường không tồn tại trong biểu mẫu tiếp nhận: ${q(t.routeTo.field)}`);
      }
    }
  }

  def.intakeChecks.forEach((name, i) => {
    if (!isKnownIntakeCheck(name)) add(['intakeChecks', i], `kiểm tra khi tiếp nhận không được hỗ trợ: ${q(name)}`);
  });

  // Routing reads unit ids from intake fields; a misspelt field would silently route everything to `unit`.
  def.routing?.forEach((rule, i) => {
    if (!intake) return;
    if (rule.field !== undefined && !intakeField(rule.field)) add(['routing', i, 'field'], `trường không có trong biểu mẫu tiếp nhận: ${q(rule.field)}`);
    if (rule.when) {
      const target = intakeField(rule.when.field);
      if (!target) add(['routing', i, 'when', 'field'], `trường không có trong biểu mẫu tiếp nhận: ${q(rule.when.field)}`);
      else checkConditionValues(target, rule.when.in, ['routing', i, 'when', 'in'], add);
    }
  });

  // With an unknown target the graph is already wrong; reachability reports would only echo that typo.
  const targetsKnown = Object.values(def.states).every((st) => Object.values(st.on).every((t) => has(def.states, t.to)));
  if (has(def.states, def.initial) && targetsKnown) {
    const reachable = reach(def.initial, (s) => Object.values(def.states[s]?.on ?? {}).map((t) => t.to));
    for (const s of stateNames) {
      if (!reachable.has(s)) add(['states', s], `trạng thái ${q(s)} không thể tới được từ trạng thái khởi đầu ${q(def.initial)}`);
    }
    // A cycle with no exit would strand dossiers as surely as a dead end; only report reachable states
    // (unreachable ones are reported above) and only when the graph itself is sound.
    const finals = stateNames.filter((s) => def.states[s]!.final);
    const incoming = new Map<string, string[]>();
    for (const [s, state] of Object.entries(def.states)) {
      for (const t of Object.values(state.on)) incoming.set(t.to, [...(incoming.get(t.to) ?? []), s]);
    }
    const canFinish = new Set<string>();
    for (const f of finals) for (const s of reach(f, (x) => incoming.get(x) ?? [])) canFinish.add(s);
    for (const s of stateNames) {
      const state = def.states[s]!;
      if (reachable.has(s) && !state.final && Object.keys(state.on).length > 0 && !canFinish.has(s)) {
        add(['states', s], `từ trạng thái ${q(s)} không có đường tới trạng thái kết thúc nào`);
      }
    }
  }

  const template = resolve(opts.templatesDir, def.result.template);
  if (!existsSync(template) || !statSync(template).isFile()) {
    add(['result', 'template'], `không tìm thấy tệp mẫu ${q(def.result.template)} trong ${q(opts.templatesDir)}`);
  }
  def.result.signers.forEach((s, i) => {
    if (!roleDeclared(s.role)) add(['result', 'signers', i, 'role'], `vai trò ký chưa khai báo trong roles: ${q(s.role)}`);
  });

  return problems;
}

function checkConditionValues(
  target: { name: string; type: string; options?: { value: string }[] },
  values: string[],
  path: Segment[],
  add: (path: Segment[], message: string) => void,
): void {
  if (target.type !== 'select' || !target.options) return;
  const allowed = new Set(target.options.map((o) => o.value));
  values.forEach((v, i) => {
    if (!allowed.has(v)) add([...path, i], `giá trị ${q(v)} không có trong options của trường ${q(target.name)}`);
  });
}

function reach(start: string, next: (s: string) => string[]): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const n of next(queue.shift()!)) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

/** The line of the deepest key or item along `path` that exists in the YAML document. */
function lineOf(doc: Document, counter: LineCounter, path: Segment[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const parent = doc.getIn(path.slice(0, n - 1), true);
    const seg = path[n - 1];
    let node: { range?: [number, number, number] | null } | null | undefined;
    if (isMap(parent)) node = parent.items.find((p) => isScalar(p.key) && p.key.value === seg)?.key as typeof node;
    else if (isSeq(parent) && typeof seg === 'number') node = parent.items[seg] as typeof node;
    if (node?.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** The path of the map key that starts at `offset`, to place YAML-level errors such as duplicate keys. */
function pathAtOffset(node: unknown, offset: number, path: Segment[]): Segment[] | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const seg = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) return [...path, seg];
      const found = pathAtOffset(pair.value, offset, [...path, seg]);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const found = pathAtOffset(item, offset, [...path, i]);
      if (found) return found;
    }
  }
  return undefined;
}

/** The key written at `offset` (yaml reports duplicate keys by position only). */
function keyAt(text: string, offset: number): string {
  return (/^\s*["']?([^"':\n]+)/.exec(text.slice(offset))?.[1] ?? '').trim();
}

interface FileCheck {
  loaded?: LoadedWorkflow;
  problems: WorkflowProblem[];
}

function checkFile(file: string, opts: LoadOptions): FileCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { problems: [{ file, path: '', message: `không đọc được tệp: ${(err as Error).message}` }] };
  }
  const counter = new LineCounter();
  // yaml's default is the YAML 1.2 core schema: `on:` stays a string key and `15:00` a string, unlike YAML 1.1.
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        file,
        // Syntax errors are reported where the parser gave up, which is often the next key: no path for those.
        path: e.code === 'DUPLICATE_KEY' ? formatPath(pathAtOffset(doc.contents, e.pos[0], []) ?? []) : '',
        message:
          e.code === 'DUPLICATE_KEY'
            ? `YAML không hợp lệ: khóa bị lặp ${q(keyAt(text, e.pos[0]))}`
            : `YAML không hợp lệ: ${e.message.split('\n')[0]}`,
        line: counter.linePos(e.pos[0]).line,
      })),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // yaml throws (rather than reporting in doc.errors) when aliases would multiply past the limit: billion laughs.
    if (!(err instanceof ReferenceError)) throw err;
    return { problems: [{ file, path: '', message: 'YAML không hợp lệ: quá nhiều bí danh (alias) lồng nhau.' }] };
  }
  const located = (items: Array<{ path: Segment[]; message: string }>): WorkflowProblem[] =>
    items.map(({ path, message }) => {
      const line = lineOf(doc, counter, path);
      return line === undefined ? { file, path: formatPath(path), message } : { file, path: formatPath(path), message, line };
    });

  const parsed = workflowFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { problems: located(zodProblems(parsed.error.issues)) };
  const definition: WorkflowDefinition = parsed.data;
  const problems = located(checkDefinition(definition, opts));
  if (problems.length > 0) return { problems };
  return { loaded: { file, hash: hashDefinition(definition), definition }, problems };
}

export function loadWorkflowFile(file: string, opts: LoadOptions): LoadedWorkflow {
  const { loaded, problems } = checkFile(file, opts);
  if (!loaded) throw new WorkflowCheckError(problems);
  return loaded;
}

export const WORKFLOW_FILE = /\.ya?ml$/i;

/** Loads every *.yaml / *.yml file of `dir` (not recursive), in name order. */
export function loadWorkflowDir(dir: string, opts: LoadOptions): LoadedWorkflow[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => WORKFLOW_FILE.test(n)).sort();
  } catch (err) {
    throw new WorkflowCheckError([{ file: dir, path: '', message: `không đọc được thư mục: ${(err as Error).message}` }]);
  }
  if (names.length === 0) {
    throw new WorkflowCheckError([{ file: dir, path: '', message: 'thư mục không có tệp quy trình (*.yaml) nào' }]);
  }
  const problems: WorkflowProblem[] = [];
  const loaded: LoadedWorkflow[] = [];
  const byId = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    const result = checkFile(file, opts);
    problems.push(...result.problems);
    if (!result.loaded) continue;
    const id = result.loaded.definition.id;
    const first = byId.get(id);
    if (first !== undefined) {
      problems.push({ file, path: 'id', message: `mã thủ tục ${q(id)} trùng với tệp ${first}` });
      continue;
    }
    byId.set(id, file);
    loaded.push(result.loaded);
  }
  if (problems.length > 0) throw new WorkflowCheckError(problems);
  return loaded;
}
