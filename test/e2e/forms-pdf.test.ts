// The one-stop forms over HTTP: each comes out as a PDF at its step (text read back with pdftotext), is listed on
// the dossier, and is refused (404) before it applies. Both modes: PostgreSQL + BullMQ, PGlite + inline jobs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnvironment, type Mode, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { pdfsig, pdfText } from '../helpers/pdf-tools.js';

/** pdftotext breaks lines where the layout does: compare with whitespace collapsed. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe.each<Mode>(['production', 'embedded'])('one-stop forms (%s)', (mode) => {
  let env: TestEnvironment;
  let api: ApiClient;
  let clerk: string;
  let specialist: string;
  beforeAll(async () => {
    env = await startTestEnvironment(mode);
    api = await listenForHttp(env);
    clerk = await api.login('clerk');
    specialist = await api.login('specialist');
  });
  afterAll(async () => { await env?.close(); });

  const path = (code: string, rest = '') => `/api/dossiers/${encodeURIComponent(code)}${rest}`;

  async function formBytes(code: string, kind: string, token: string): Promise<Buffer> {
    const pdf = await eventually(async () => {
      const response = await api.request('GET', path(code, `/forms/${kind}`), { token });
      return response.status === 200 ? Buffer.from(await response.arrayBuffer()) : undefined;
    });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    return pdf;
  }

  async function formText(code: string, kind: string, token: string): Promise<string> {
    return flat(await pdfText(await formBytes(code, kind, token)));
  }

  async function file(name: string) {
    const filed = await api.submit('diploma-copy', { ...diplomaRequest(name), applicantAddress: 'Số 5 Lê Lợi, TP Thanh Hóa' },
      [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }]);
    expect(filed.status).toBe(201);
    return filed.body as { code: string; trackingToken: string };
  }

  it('issues the supplement request, the receipt, a second supplement request and the control slip at their steps', async () => {
    const { code, trackingToken } = await file('Nguyễn Thị Hoa');
    // Nothing applies yet: no form listed, and each kind is a 404.
    const fresh = await api.json('GET', path(code), { token: trackingToken });
    expect(fresh.body.forms).toEqual([]);
    for (const kind of ['receipt', 'supplement-request', 'refusal', 'apology', 'control-slip', 'result', 'nonsense']) {
      const response = await api.json('GET', path(code, `/forms/${kind}`), { token: trackingToken });
      expect(response.status, kind).toBe(404);
      expect(response.body.error.code).toBe('FORM_NOT_FOUND');
    }

    // Step 1: the clerk asks for a supplement before receipt.
    await api.act(code, 'request_supplement', clerk, { version: 1, comment: 'Ảnh căn cước công dân bị mờ, đề nghị nộp lại bản rõ nét.' });
    const supplement = await formText(code, 'supplement-request', trackingToken);
    expect(supplement).toContain('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    // Every form is numbered in the Department's one outgoing register, whatever its kind: 01, 02, 03 ... in issue order.
    expect(supplement).toContain('Số: 01/YCBS-SGDĐT');
    expect(supplement).toContain(code);
    expect(supplement).toContain('Nguyễn Thị Hoa');
    expect(supplement).toContain('Ảnh căn cước công dân bị mờ, đề nghị nộp lại bản rõ nét.');
    expect(supplement).toContain('Cấp bản sao văn bằng, chứng chỉ từ sổ gốc');
    // Another citizen's token reaches neither the dossier nor its forms.
    const other = await file('Trần Văn Khoa');
    expect((await api.request('GET', path(code, '/forms/supplement-request'), { token: other.trackingToken })).status).toBe(404);

    // Step 2: the citizen resubmits, the clerk receives: the receipt and appointment.
    const form = new FormData();
    form.append('version', '2');
    form.append('identity', new Blob([await makePdf()], { type: 'application/pdf' }), 'cccd-ro.pdf');
    expect((await api.json('POST', path(code, '/actions/resubmit'), { token: trackingToken, form })).status).toBe(200);
    await api.act(code, 'receive', clerk, { version: 3 });
    const view = await api.json('GET', path(code), { token: trackingToken });
    const receipt = await formText(code, 'receipt', trackingToken);
    expect(receipt).toContain('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect(receipt).toContain('Số: 02/TNHS-SGDĐT');
    expect(receipt).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(receipt).toContain(code);
    expect(receipt).toContain('Số 5 Lê Lợi, TP Thanh Hóa');
    expect(receipt).toContain('Căn cước công dân / hộ chiếu của người yêu cầu');
    expect(receipt).toContain('1 ngày làm việc');
    const [y, m, d] = (view.body.dueDate as string).split('-');
    expect(receipt).toContain(`${d}/${m}/${y}`);
    expect(receipt).toContain('NGƯỜI TIẾP NHẬN HỒ SƠ');
    expect(receipt).toMatch(/tra-cuu\?ma=/);

    // Step 3: the specialist asks again: a second, separately numbered supplement request; the first is unchanged.
    await api.act(code, 'request_supplement', specialist, { version: 4, comment: 'Đề nghị bổ sung giấy ủy quyền có chứng thực.' });
    const second = await formText(code, 'supplement-request-2', trackingToken);
    expect(second).toContain('Đề nghị bổ sung giấy ủy quyền có chứng thực.');
    expect(second).toContain('Lần yêu cầu bổ sung: 2');
    expect(second).toContain('Số: 03/YCBS-SGDĐT');
    expect(await formText(code, 'supplement-request', trackingToken)).toContain('Ảnh căn cước công dân bị mờ');

    const listed = await api.json('GET', path(code), { token: clerk });
    expect(listed.body.forms.map((f: { kind: string }) => f.kind)).toEqual(['supplement-request', 'receipt', 'supplement-request-2', 'control-slip']);
    for (const f of listed.body.forms) {
      expect(f).toEqual({ kind: f.kind, label: expect.any(String), url: path(code, `/forms/${f.kind}`), issuedAt: expect.any(String) });
    }
    expect(listed.body.forms[2].label).toBe('Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (lần 2)');

    // The control slip lists the steps so far, with hh:mm dd/mm/yyyy times and who acted.
    const slip = await formText(code, 'control-slip', clerk);
    expect(slip).toContain('PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
    expect(slip).toContain('Số: 04/KSHS-SGDĐT');
    expect(slip).toContain(code);
    expect(slip).toContain('Lần 1');
    expect(slip).toMatch(/\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/);
    expect(slip).toContain('Tiếp nhận hồ sơ');
    expect(slip).toContain('Đề nghị bổ sung giấy ủy quyền có chứng thực.');
  });

  it('issues the refusal with its reason', async () => {
    const { code, trackingToken } = await file('Phạm Minh Tuấn');
    await api.act(code, 'refuse', clerk, { version: 1, comment: 'Văn bằng do Sở GD&ĐT tỉnh Nghệ An cấp, không thuộc thẩm quyền.' });
    const refusal = await formText(code, 'refusal', trackingToken);
    expect(refusal).toContain('PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
    expect(refusal).toContain(code);
    expect(refusal).toContain('Phạm Minh Tuấn');
    expect(refusal).toContain('Văn bằng do Sở GD&ĐT tỉnh Nghệ An cấp, không thuộc thẩm quyền.');
    expect(refusal).toContain('NGƯỜI TỪ CHỐI TIẾP NHẬN');
    expect(refusal).toMatch(/Số: \d{2}\/TCHS-SGDĐT/);
    // The Department's seal: one valid PAdES signature over the whole form.
    const sealed = await pdfsig(await formBytes(code, 'refusal', trackingToken));
    expect(sealed.match(/Signature #\d+:/g)).toHaveLength(1);
    expect(sealed).toContain('Signature is Valid');
    expect(sealed).toContain('Sở Giáo dục và Đào tạo Thanh Hóa');
    expect(sealed).toContain('Total document signed');
    const view = await api.json('GET', path(code), { token: trackingToken });
    expect(view.body.forms.map((f: { kind: string }) => f.kind)).toContain('refusal');
    expect(view.body.forms.map((f: { kind: string }) => f.kind)).not.toContain('receipt');
  });

  it('issues the apology with the new return date', async () => {
    const { code, trackingToken } = await file('Lê Văn Nam');
    await api.act(code, 'receive', clerk, { version: 1 });
    // A working day well after today: the first Monday at least 10 days ahead.
    const day = new Date(Date.now() + 10 * 86_400_000);
    while (day.getUTCDay() !== 1) day.setUTCDate(day.getUTCDate() + 1);
    const newDate = day.toISOString().slice(0, 10);
    const apologised = await api.act(code, 'apologise', specialist, { version: 2, comment: 'Sổ gốc năm 2019 đang được số hóa, cần thêm thời gian tra cứu.', data: { newDate } });
    expect(apologised.status).toBe(200);
    const apology = await formText(code, 'apology', trackingToken);
    expect(apology).toContain('PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ');
    expect(apology).toContain(code);
    expect(apology).toContain('Sổ gốc năm 2019 đang được số hóa, cần thêm thời gian tra cứu.');
    const [y, m, d] = newDate.split('-');
    expect(apology).toContain(`Ngày hẹn trả kết quả mới: ${d}/${m}/${y}`);
  });
});
