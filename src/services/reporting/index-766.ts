// The Decision 766/QĐ-TTg (2022) service-quality index: its five groups (100 points) computed from our own data, each
// indicator with its numerator, denominator and the formula shown to the reader, and the points each group earns.
//
// Scoring assumption (the decision's detailed scoring annex is not in our sources): every scored indicator carries a
// share of its group's points, and earns that share in proportion to its rate (a rate of 0.75 on a 12-point indicator
// earns 9 points). An indicator with no denominator in the period earns nothing and its points are reported as not
// measured. The shares are ours (INDEX_766_GROUPS); the group maxima are the decision's.
//
// Used by GET /api/stats and the leader's dashboard (the caller's reach) and by the public page /chi-so-phuc-vu and
// GET /api/public/index-766 (the whole Department, cached per process for PUBLIC_CACHE_MS).
import type { AppContext } from '../../app-context.js';
import { addDays, vnInstant, vnToday } from '../../calendar/vn-time.js';
import { feedbackCounts, type FeedbackCounts } from '../../db/repositories/feedback.js';
import {
  digitisedDocumentCount, periodFigures, type DigitalDossierCounts, type Index766Counts, type StatsQuery, type StatsRow,
} from '../../db/repositories/stats.js';
import { AppError } from '../../errors.js';
import type { WorkflowDefinition } from '../../workflow/types.js';

export const INDEX_766_NOTE = 'Điểm được tính theo cách đọc tỷ lệ thuận: mỗi chỉ tiêu có số điểm tối đa trong nhóm và đạt số điểm '
  + 'bằng tỷ lệ của nó nhân với số điểm tối đa (ví dụ tỷ lệ 75% của chỉ tiêu 12 điểm được 9 điểm). Điểm tối đa của năm nhóm theo '
  + 'Quyết định 766/QĐ-TTg; cách chia điểm giữa các chỉ tiêu trong nhóm là giả định của hệ thống, vì phụ lục chấm điểm chi tiết '
  + 'chưa có trong nguồn tài liệu. Chỉ tiêu chưa có mẫu số trong kỳ không được tính điểm (ghi là "chưa đo được").';

/** The national code of "Đã trả kết quả" (TrangThaiHoSo): a dossier in a state mapped to it has had its result returned. */
const RESULT_RETURNED_STATUS = '10';

export const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
const round2 = (n: number) => Math.round(n * 100) / 100;

export interface Index766Indicator {
  key: string;
  title: string;
  /** The formula as the reader sees it (Vietnamese). */
  formula: string;
  numerator: number;
  /** null for a plain count (shown, not scored). */
  denominator: number | null;
  /** numerator / denominator, 0..1, 4 decimals; null without a denominator. */
  value: number | null;
  /** This indicator's share of its group's points (0: shown for information). */
  maxPoints: number;
  /** value × maxPoints, 2 decimals; null when not scored or not measured. */
  points: number | null;
  note: string | null;
}

export interface Index766Group {
  key: string; title: string; maxPoints: number; points: number;
  /** Points of indicators with no denominator in the period. */
  unmeasuredPoints: number;
  indicators: Index766Indicator[];
}

export interface Index766 {
  points: number; maxPoints: 100; unmeasuredPoints: number; note: string; groups: Index766Group[];
}

/** What the index is computed from: the figures the stats queries return over one period and reach. */
export interface Index766Figures {
  rows: StatsRow[];
  complaints: FeedbackCounts;
  digital: DigitalDossierCounts;
  digitisedDocuments: number;
  counts: Index766Counts;
}

/** The procedures the national portal knows and the states where a result was returned, from every definition. */
function catalogScope(ctx: AppContext) {
  const all = ctx.catalog.listAll().map((p) => p.definition);
  return {
    nationalProcedureIds: all.filter((d) => d.national).map((d) => d.id),
    resultStates: all.flatMap((d) => Object.keys(d.states)
      .filter((state) => (d.national ? d.national.statuses[state] === RESULT_RETURNED_STATUS : state === 'returned' && d.states[state]?.final))
      .map((state): [string, string] => [d.id, state])),
  };
}

/**
 * Runs the stats queries side by side over one period and reach. `agencyCode`: the agency whose answers to complaints
 * count (undefined: all). Every query starts before the first await, so none is left rejected unhandled meanwhile.
 */
export async function gatherFigures(ctx: AppContext, q: StatsQuery, agencyCode: string | undefined): Promise<Index766Figures> {
  const [{ rows, digital, counts }, complaints, digitisedDocuments] = await Promise.all([
    periodFigures(ctx.db, { ...q, ...catalogScope(ctx) }),
    feedbackCounts(ctx.db, { ...q, departmentAgencyCode: ctx.organisation.departmentAgencyCode, agencyCode }),
    digitisedDocumentCount(ctx.db, q),
  ]);
  return { rows, complaints, digital, digitisedDocuments, counts };
}

/**
 * A procedure is published with full data when the citizen can read, before filing, its legal basis, its time limit,
 * its fee (free, or the fee lines the Payment Platform is asked for) and a form to fill in.
 */
export function publishedInFull(d: WorkflowDefinition): boolean {
  const form = d.forms[d.intakeForm];
  return d.legalBasis.some((l) => l.trim() !== '') && d.sla.workingDays > 0
    && (d.fee.amount === 0 || (d.fee.lines?.length ?? 0) > 0) && (form?.fields.length ?? 0) > 0;
}

/** One indicator: `denominator` null for a plain count shown for information (maxPoints 0). */
function indicator(key: string, maxPoints: number, title: string, formula: string, numerator: number, denominator: number | null, note: string | null = null): Index766Indicator {
  const value = denominator === null ? null : ratio(numerator, denominator);
  const points = maxPoints > 0 && value !== null ? round2(value * maxPoints) : null;
  return { key, title, formula, numerator, denominator, value, maxPoints, points, note };
}

function group(key: string, title: string, maxPoints: number, indicators: Index766Indicator[]): Index766Group {
  const points = round2(indicators.reduce((n, i) => n + (i.points ?? 0), 0));
  const unmeasuredPoints = indicators.reduce((n, i) => n + (i.maxPoints > 0 && i.value === null ? i.maxPoints : 0), 0);
  return { key, title, maxPoints, points, unmeasuredPoints, indicators };
}

/**
 * The five groups. `published`: the procedures open for filing that the period's reader looks at (all of them, or
 * the one chosen).
 */
export function scoreIndex766(f: Index766Figures, published: WorkflowDefinition[]): Index766 {
  const sum = (k: 'dossiers' | 'online' | 'completed' | 'onTime' | 'lateOpen' | 'satisfactory') => f.rows.reduce((n, r) => n + r[k], 0);
  const t = { dossiers: sum('dossiers'), online: sum('online'), completed: sum('completed'), onTime: sum('onTime'), lateOpen: sum('lateOpen'), satisfactory: sum('satisfactory') };
  const c = f.counts;
  const groups = [
    group('transparency', 'Công khai, minh bạch', 18, [
      indicator('proceduresPublished', 6, 'Thủ tục công khai đầy đủ thông tin',
        'Số thủ tục công khai đủ căn cứ pháp lý, thời hạn giải quyết, phí, lệ phí và biểu mẫu / Tổng số thủ tục đang công khai',
        published.filter(publishedInFull).length, published.length),
      indicator('nationalSync', 6, 'Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia',
        'Số hồ sơ đã gửi đủ các bước xử lý lên Cổng Dịch vụ công quốc gia / Tổng số hồ sơ của thủ tục có trên Cổng Dịch vụ công quốc gia',
        c.synced, c.nationalKnown, c.nationalKnown > 0 && c.withSyncSteps === 0 ? 'Chưa liên thông với Cổng Dịch vụ công quốc gia.' : null),
      indicator('followedOnline', 6, 'Hồ sơ được cập nhật tiến độ trực tuyến cho người nộp',
        'Số hồ sơ người nộp nhận thông báo tiến độ trực tuyến (tài khoản VNeID, thư điện tử hoặc tin nhắn) / Tổng số hồ sơ tiếp nhận',
        c.followedOnline, c.dossiers),
    ]),
    group('progress', 'Tiến độ, kết quả giải quyết', 20, [
      indicator('onTime', 12, 'Hồ sơ giải quyết đúng hạn', 'Số hồ sơ giải quyết đúng hạn / Tổng số hồ sơ đã giải quyết', t.onTime, t.completed),
      indicator('openWithinTime', 4, 'Hồ sơ đang giải quyết còn trong hạn',
        '(Số hồ sơ đang giải quyết − Số hồ sơ đang giải quyết quá hạn) / Số hồ sơ đang giải quyết',
        Math.max(0, c.open - t.lateOpen), c.open),
      indicator('lateApologised', 4, 'Hồ sơ trễ hạn có phiếu xin lỗi và hẹn lại',
        'Số hồ sơ trễ hạn đã có phiếu xin lỗi và hẹn lại ngày trả kết quả / Số hồ sơ trễ hạn (đã giải quyết quá hạn hoặc đang quá hạn)',
        c.lateApologised, c.late),
      indicator('lateOpen', 0, 'Hồ sơ đang giải quyết quá hạn',
        'Số hồ sơ đã tiếp nhận, chưa giải quyết xong, đã quá hạn giải quyết',
        t.lateOpen, null),
    ]),
    group('digitisation', 'Số hóa hồ sơ', 22, [
      indicator('digitisedOrReused', 8, 'Hồ sơ có thành phần được số hóa hoặc tái sử dụng',
        'Số hồ sơ có ít nhất một giấy tờ được số hóa hoặc lấy lại từ kho dữ liệu điện tử / Tổng số hồ sơ tiếp nhận',
        c.digitisedOrReused, c.dossiers),
      indicator('reuse', 6, 'Hồ sơ tái sử dụng dữ liệu',
        'Số hồ sơ có ít nhất một giấy tờ lấy lại từ kho dữ liệu điện tử của công dân / Tổng số hồ sơ tiếp nhận',
        f.digital.withReusedDocument, f.digital.dossiers),
      indicator('electronicResults', 8, 'Kết quả giải quyết cấp bản điện tử',
        'Số hồ sơ có kết quả là văn bản điện tử đã ký số / Tổng số hồ sơ đã có kết quả',
        c.signedResults, c.results),
      indicator('digitisedDocuments', 0, 'Giấy tờ đã số hóa vào kho dữ liệu',
        'Số giấy tờ bộ phận một cửa số hóa vào kho dữ liệu điện tử của công dân trong kỳ',
        f.digitisedDocuments, null),
    ]),
    group('online', 'Dịch vụ trực tuyến (12 điểm) và thanh toán trực tuyến (10 điểm)', 22, [
      indicator('onlineRate', 8, 'Hồ sơ nộp trực tuyến',
        'Số hồ sơ nộp trực tuyến (Cổng này và Cổng Dịch vụ công quốc gia) / Tổng số hồ sơ tiếp nhận',
        t.online, t.dossiers),
      indicator('vneid', 4, 'Hồ sơ xác thực bằng VNeID',
        'Số hồ sơ nộp trực tuyến khi đăng nhập bằng VNeID / Số hồ sơ nộp trực tuyến',
        f.digital.vneid, f.digital.online),
      indicator('onlinePayment', 10, 'Hồ sơ thanh toán trực tuyến',
        'Số hồ sơ có phí, lệ phí đã thanh toán trực tuyến / Tổng số hồ sơ có phí, lệ phí',
        c.paidOnline, c.withFee, c.withFee === 0 ? 'Không có hồ sơ phải nộp phí, lệ phí trong kỳ.' : null),
    ]),
    group('satisfaction', 'Mức độ hài lòng', 18, [
      indicator('satisfaction', 12, 'Mức độ hài lòng',
        'Số hồ sơ giải quyết đúng hạn, không bị đánh giá "Không hài lòng" và không bị phản ánh, kiến nghị / Tổng số hồ sơ đã giải quyết',
        t.satisfactory, t.completed),
      indicator('complaintsOnTime', 6, 'Phản ánh, kiến nghị được xử lý đúng hạn',
        'Số phản ánh, kiến nghị đã trả lời đúng hạn / Số phản ánh, kiến nghị đã trả lời',
        f.complaints.answeredOnTime, f.complaints.answered, f.complaints.overdue > 0 ? `${f.complaints.overdue} phản ánh, kiến nghị quá hạn chưa trả lời.` : null),
    ]),
  ];
  return {
    points: round2(groups.reduce((n, g) => n + g.points, 0)), maxPoints: 100,
    unmeasuredPoints: groups.reduce((n, g) => n + g.unmeasuredPoints, 0), note: INDEX_766_NOTE, groups,
  };
}

// ---- The public summary: the whole Department over a month, a quarter or a year -------------------------------------

export const PERIOD_KINDS = ['month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
export interface PublicPeriodInput { period?: string; year?: string; month?: string; quarter?: string }
export interface PublicPeriod { kind: PeriodKind; year: number; month: number | null; quarter: number | null; from: string; to: string; label: string }

const FIRST_YEAR = 2020;
const intIn = (text: string | undefined, min: number, max: number) => (text !== undefined && /^\d{1,4}$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : undefined);
const lastDayOf = (year: number, month: number) => addDays(`${month === 12 ? year + 1 : year}-${String(month === 12 ? 1 : month + 1).padStart(2, '0')}-01`, -1);

/** Reads the period (default: this month, Vietnam time); bad input is VALIDATION_FAILED (422) with each field's problem. */
export function publicPeriod(input: PublicPeriodInput, now = new Date()): PublicPeriod {
  const today = vnToday(now);
  const thisYear = Number(today.slice(0, 4));
  const thisMonth = Number(today.slice(5, 7));
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const kindText = blank(input.period) ?? 'month';
  const bad: Record<string, string> = {};
  const kind = (PERIOD_KINDS as readonly string[]).includes(kindText) ? kindText as PeriodKind : undefined;
  if (!kind) bad.period = 'Kỳ báo cáo phải là tháng (month), quý (quarter) hoặc năm (year).';
  const yearText = blank(input.year);
  const year = yearText === undefined ? thisYear : intIn(yearText, FIRST_YEAR, thisYear);
  if (year === undefined) bad.year = `Năm phải là số từ ${FIRST_YEAR} đến ${thisYear}.`;
  const monthText = blank(input.month);
  const month = kind === 'month' ? (monthText === undefined ? thisMonth : intIn(monthText, 1, 12)) : null;
  if (month === undefined) bad.month = 'Tháng phải là số từ 1 đến 12.';
  const quarterText = blank(input.quarter);
  const quarter = kind === 'quarter' ? (quarterText === undefined ? Math.ceil(thisMonth / 3) : intIn(quarterText, 1, 4)) : null;
  if (quarter === undefined) bad.quarter = 'Quý phải là số từ 1 đến 4.';
  if (Object.keys(bad).length > 0 || !kind || year === undefined || month === undefined || quarter === undefined) {
    throw new AppError('VALIDATION_FAILED', 'Kỳ báo cáo không hợp lệ.', bad);
  }
  const [firstMonth, lastMonth] = kind === 'month' ? [month!, month!] : kind === 'quarter' ? [quarter! * 3 - 2, quarter! * 3] : [1, 12];
  const from = `${year}-${String(firstMonth).padStart(2, '0')}-01`;
  if (from > today) throw new AppError('VALIDATION_FAILED', 'Kỳ báo cáo chưa bắt đầu.', { [kind]: 'Chọn một kỳ đã bắt đầu.' });
  const end = lastDayOf(year, lastMonth);
  const label = kind === 'month' ? `Tháng ${month}/${year}` : kind === 'quarter' ? `Quý ${quarter}/${year}` : `Năm ${year}`;
  return { kind, year, month, quarter, from, to: end < today ? end : today, label };
}

/** How long a computed public summary is served before the queries run again. */
export const PUBLIC_CACHE_MS = 5 * 60_000;
// Per context, like the other caches (stats.ts, campaign-cache.ts): one process serves one database, but test files
// that share a worker (vitest isolate: false) each have their own context and data for the same period.
let publicCaches = new WeakMap<AppContext, Map<string, { at: number; value: PublicIndex766 }>>();

export interface PublicIndex766 { departmentName: string; period: PublicPeriod; generatedAt: string; index766: Index766 }

/**
 * The Department's index over a public period: every unit, no personal data (counts only). An anonymous reader can
 * ask for it at will, so the figures of each period are kept for PUBLIC_CACHE_MS in this process (the keys are
 * bounded: a few hundred periods since FIRST_YEAR) and the routes are rate-limited per client.
 */
export async function publicIndex766(ctx: AppContext, input: PublicPeriodInput, now = new Date()): Promise<PublicIndex766> {
  const period = publicPeriod(input, now);
  const key = `${period.from}|${period.to}`;
  let publicCache = publicCaches.get(ctx);
  if (!publicCache) publicCaches.set(ctx, (publicCache = new Map()));
  const cached = publicCache.get(key);
  if (cached && now.getTime() - cached.at < PUBLIC_CACHE_MS) return cached.value;
  const q: StatsQuery = { from: vnInstant(period.from, '00:00'), to: vnInstant(addDays(period.to, 1), '00:00'), now };
  const figures = await gatherFigures(ctx, q, undefined);
  const value: PublicIndex766 = {
    departmentName: ctx.organisation.departmentName, period, generatedAt: now.toISOString(),
    index766: scoreIndex766(figures, ctx.catalog.list().map((p) => p.definition)),
  };
  publicCache.set(key, { at: now.getTime(), value });
  return value;
}

/** Tests change the data between two reads of the same period. */
export function clearPublicIndexCache(): void {
  publicCaches = new WeakMap();
}
