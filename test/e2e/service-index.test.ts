// The Decision 766 index as people read it (production mode, PostgreSQL + BullMQ): the leader's dashboard shows the
// five groups with their points, figures and formulas; the public page /chi-so-phuc-vu and GET /api/public/index-766
// answer anyone without signing in, by month, quarter or year; a wrong period is a 422 in Vietnamese; the public
// page is linked from the footer and stops a client asking too often.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnDay } from '../../src/calendar/vn-time.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { signInPages } from '../helpers/page-session.js';

let env: TestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment('production');
  // Two dossiers today: one online, one at the desk.
  for (const channel of ['online', 'desk'] as const) {
    await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'a.pdf', data: await makePdf() }], channel });
  }
});
afterAll(async () => { await env?.close(); });

const GROUP_TITLES = ['Công khai, minh bạch', 'Tiến độ, kết quả giải quyết', 'Số hóa hồ sơ', 'Dịch vụ trực tuyến (12 điểm) và thanh toán trực tuyến (10 điểm)', 'Mức độ hài lòng'];
const get = (url: string) => env.app.inject({ method: 'GET', url });
const cell = (html: string, id: string) => new RegExp(`data-testid="${id}">([^<]*)<`).exec(html)?.[1];

describe('Decision 766 index pages', () => {
  it('the leader\'s dashboard shows the five groups with points, figures and formulas', async () => {
    const leader = await signInPages(env, 'leader');
    const page = await leader.get('/can-bo/chi-so');
    expect(page.status).toBe(200);
    for (const key of ['transparency', 'progress', 'digitisation', 'online', 'satisfaction']) expect(page.body).toContain(`data-testid="i766-group-${key}"`);
    for (const title of GROUP_TITLES) expect(page.body).toContain(title);
    expect(cell(page.body, 'i766-points-progress')).toMatch(/^[\d,]+ \/ 20 điểm$/);
    expect(cell(page.body, 'i766-onlineRate-value')).toBe('50,0%');
    expect(cell(page.body, 'i766-onlineRate-fraction')).toBe('1 / 2');
    expect(page.body).toContain('Số hồ sơ nộp trực tuyến (Cổng này và Cổng Dịch vụ công quốc gia) / Tổng số hồ sơ tiếp nhận');
    expect(page.body).toContain('Số hồ sơ có phí, lệ phí đã thanh toán trực tuyến / Tổng số hồ sơ có phí, lệ phí');
    expect(page.body).toContain('chưa đo được');
    expect(page.body).toContain('phụ lục chấm điểm chi tiết');
    // Tables with row and column headers, each group its own labelled section.
    expect(page.body).toMatch(/<section aria-labelledby="i766-transparency"/);
    expect(page.body).toContain('<th scope="row">Hồ sơ nộp trực tuyến');
  });

  it('the public page and its JSON answer anyone, by month, quarter or year', async () => {
    const today = vnDay(new Date());
    const year = Number(today.slice(0, 4));
    const month = Number(today.slice(5, 7));
    const quarter = Math.ceil(month / 3);

    const home = await get('/');
    expect(home.body).toContain('href="/chi-so-phuc-vu"');

    const page = await get('/chi-so-phuc-vu');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Chỉ số phục vụ người dân — Tháng ${month}/${year}`);
    for (const title of GROUP_TITLES) expect(page.body).toContain(title);
    expect(cell(page.body, 'i766-onlineRate-fraction')).toBe('1 / 2');
    expect(page.body).toContain(`Hồ sơ nộp từ ngày 01/${String(month).padStart(2, '0')}/${year} đến ngày ${today.split('-').reverse().join('/')}`);
    expect(page.body).not.toContain('Lê Thị Lan'); // the applicant: counts only
    expect(page.body).toContain(`/api/public/index-766?period&#x3D;month&amp;year&#x3D;${year}&amp;month&#x3D;${month}`);

    const byQuarter = await get(`/api/public/index-766?period=quarter&year=${year}&quarter=${quarter}`);
    expect(byQuarter.statusCode, byQuarter.body).toBe(200);
    const body = byQuarter.json();
    expect(body.period).toMatchObject({ kind: 'quarter', year, quarter, month: null, label: `Quý ${quarter}/${year}`, from: `${year}-${String(quarter * 3 - 2).padStart(2, '0')}-01`, to: today });
    expect(body.index766.groups).toHaveLength(5);
    expect(body.index766.maxPoints).toBe(100);
    expect(body.departmentName).toBeTruthy();
    const byYear = (await get(`/chi-so-phuc-vu?period=year&year=${year}`));
    expect(byYear.statusCode).toBe(200);
    expect(byYear.body).toContain(`Năm ${year}`);
    // A past year with no dossier: nothing measured, nothing earned but the published procedures.
    const last = (await get(`/api/public/index-766?period=year&year=${year - 1}`)).json();
    expect(last.period).toMatchObject({ from: `${year - 1}-01-01`, to: `${year - 1}-12-31` });
    expect(last.index766.groups[1].indicators[0]).toMatchObject({ key: 'onTime', numerator: 0, denominator: 0, value: null, points: null });
  });

  it('a wrong period is a 422 with the reason in Vietnamese, on the page and in JSON', async () => {
    const year = Number(vnDay(new Date()).slice(0, 4));
    const cases: Array<[string, string]> = [
      ['period=week', 'Kỳ báo cáo phải là tháng (month), quý (quarter) hoặc năm (year).'],
      ['period=month&month=13', 'Tháng phải là số từ 1 đến 12.'],
      ['period=quarter&quarter=5', 'Quý phải là số từ 1 đến 4.'],
      ['period=year&year=1999', `Năm phải là số từ 2020 đến ${year}.`],
      [`period=year&year=${year + 1}`, `Năm phải là số từ 2020 đến ${year}.`],
      ['period=month&month=1x', 'Tháng phải là số từ 1 đến 12.'],
    ];
    for (const [query, reason] of cases) {
      const json = await get(`/api/public/index-766?${query}`);
      expect(json.statusCode, query).toBe(422);
      expect(json.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Kỳ báo cáo không hợp lệ.' });
      expect(Object.values(json.json().error.fields)).toContain(reason);
      const page = await get(`/chi-so-phuc-vu?${query}`);
      expect(page.statusCode, query).toBe(422);
      expect(page.body).toContain('role="alert"');
      expect(page.body).toContain(reason);
      expect(page.body).not.toContain('data-testid="index-766"');
    }
    // Next month (when it is still this year) has not begun.
    const month = Number(vnDay(new Date()).slice(5, 7));
    if (month < 12) {
      const future = await get(`/api/public/index-766?period=month&year=${year}&month=${month + 1}`);
      expect(future.statusCode).toBe(422);
      expect(future.json().error.message).toBe('Kỳ báo cáo chưa bắt đầu.');
    }
    // Past the schema's bounds: the API's usual refusal of a malformed request (422, Vietnamese, the field named).
    const tooLong = await get(`/api/public/index-766?period=${'x'.repeat(40)}`);
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Dữ liệu gửi lên không hợp lệ.' });
    expect(Object.keys(tooLong.json().error.fields)).toEqual(['period']);
  });

  it('stops a client asking too often, in Vietnamese', async () => {
    let last = await get('/api/public/index-766');
    for (let i = 0; i < 40 && last.statusCode !== 429; i += 1) last = await get('/api/public/index-766');
    expect(last.statusCode).toBe(429);
    expect(last.json().error.code).toBe('RATE_LIMITED');
    expect(last.json().error.message).toMatch(/^Bạn đã xem chỉ số phục vụ quá nhiều lần trong một phút\. Vui lòng thử lại sau \d+ giây\.$/);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });
});
