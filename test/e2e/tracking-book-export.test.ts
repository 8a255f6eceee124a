// The tracking book (Sổ theo dõi hồ sơ) for a period over HTTP, as CSV and as XLSX (read back with exceljs), with
// the columns DOMAIN.md lists, for clerks, leaders and admins within their reach only.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnToday } from '../../src/calendar/vn-time.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { parseCsv } from '../helpers/csv.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';

const HEADERS = ['STT', 'Mã hồ sơ', 'Trích yếu nội dung yêu cầu', 'Số lượng hồ sơ (bộ)', 'Chủ hồ sơ', 'Địa chỉ', 'Số điện thoại',
  'Thời gian nhận hồ sơ', 'Thời gian hẹn trả kết quả', 'Thời gian trả kết quả', 'Cán bộ tiếp nhận', 'Trạng thái', 'Hình thức nộp'];

describe('tracking book export (production)', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let clerk: string;
  let received: string;
  let refused: string;
  const today = vnToday();
  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    clerk = await api.login('clerk');
    const file = async (name: string, address: string) =>
      (await api.submit('diploma-copy', { ...diplomaRequest(name), applicantAddress: address, applicantPhone: '0987654321' },
        [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }])).body.code as string;
    received = await file('Ngô Thị Thu', 'Thôn 3, xã Quảng Tâm, "TP" Thanh Hóa');
    refused = await file('=HYPERLINK("x")', 'Hà Trung');
    await api.act(received, 'receive', clerk, { version: 1 });
    await api.act(refused, 'refuse', clerk, { version: 1, comment: 'Không thuộc thẩm quyền.' });
  });
  afterAll(async () => { await env?.close(); });

  it('exports the period as CSV (UTF-8 with BOM) with one row per dossier and the receiving officer', async () => {
    const response = await api.request('GET', `/api/reports/tracking-book?from=${today}&to=${today}&format=csv`, { token: clerk });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(rows[0]).toEqual(HEADERS);
    expect(rows).toHaveLength(3);
    const [d, m, y] = [today.slice(8), today.slice(5, 7), today.slice(0, 4)];
    const first = rows.find((r) => r[1] === received)!;
    expect(first).toEqual([
      expect.stringMatching(/^\d+$/), received, 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc', '1', 'Ngô Thị Thu',
      'Thôn 3, xã Quảng Tâm, "TP" Thanh Hóa', '0987654321', expect.stringMatching(new RegExp(`^\\d{2}:\\d{2} ${d}/${m}/${y}$`)),
      expect.stringMatching(/^\d{2}\/\d{2}\/\d{4}$/), '', 'Lê Thị Thu Hà', 'Đang thẩm định', 'Trực tuyến',
    ]);
    const second = rows.find((r) => r[1] === refused)!;
    // A name that a spreadsheet would run as a formula is written as text.
    expect(second[4]).toBe(`'=HYPERLINK("x")`);
    expect(second[9]).toMatch(new RegExp(`^\\d{2}:\\d{2} ${d}/${m}/${y}$`));
    expect(second[10]).toBe('');
    expect(second[11]).toBe('Từ chối tiếp nhận');

    // A period before any filing is an empty book; a reversed period is a 422.
    const empty = await api.request('GET', '/api/reports/tracking-book?from=2020-01-01&to=2020-01-31', { token: clerk });
    expect(parseCsv((await empty.text()).replace(/^\uFEFF/, ''))).toEqual([HEADERS]);
    const reversed = await api.json('GET', `/api/reports/tracking-book?from=${today}&to=2020-01-01`, { token: clerk });
    expect(reversed).toMatchObject({ status: 422, body: { error: { code: 'VALIDATION_FAILED', fields: { to: expect.any(String) } } } });
  });

  it('exports the same book as XLSX that reads back with exceljs', async () => {
    const response = await api.request('GET', `/api/reports/tracking-book?from=${today}&to=${today}&format=xlsx`, { token: clerk });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : v));
    expect(values(1)).toEqual(HEADERS);
    expect(sheet.rowCount).toBe(3);
    const rows = [values(2), values(3)];
    const first = rows.find((r) => r[1] === received)!;
    expect(first.slice(1, 7)).toEqual([received, 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc', 1, 'Ngô Thị Thu', 'Thôn 3, xã Quảng Tâm, "TP" Thanh Hóa', '0987654321']);
    expect(first[10]).toBe('Lê Thị Thu Hà');
    expect(rows.find((r) => r[1] === refused)![11]).toBe('Từ chối tiếp nhận');
  });

  it('is for clerks, leaders and admins only, each within their reach', async () => {
    expect((await api.json('GET', '/api/reports/tracking-book')).body.error.code).toBe('UNAUTHENTICATED');
    const specialist = await api.json('GET', '/api/reports/tracking-book', { token: await api.login('specialist') });
    expect(specialist).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    // A school's principal is a leader too, but the department's dossiers are outside the school's reach.
    const principal = await api.request('GET', `/api/reports/tracking-book?from=${today}&to=${today}`, { token: await api.login('principal') });
    expect(principal.status).toBe(200);
    expect(parseCsv((await principal.text()).replace(/^\uFEFF/, ''))).toEqual([HEADERS]);
    const admin = await api.request('GET', `/api/reports/tracking-book?from=${today}&to=${today}`, { token: await api.login('admin') });
    expect(parseCsv((await admin.text()).replace(/^\uFEFF/, '')).map((r) => r[1])).toEqual(expect.arrayContaining([received, refused]));
  });
});
