// The whole diploma-copy path over real HTTP, in both modes: a citizen files, the one-stop clerk receives,
// the specialist checks the register, the leader approves, a job signs the result, the citizen downloads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, ApiClient, type Upload, listenForHttp } from '../helpers/http.js';
import { startTestEnvironment, type Mode, type TestEnvironment } from '../helpers/context.js';
import { fakePdf, makePdf, makePng } from '../helpers/files.js';
import { flipSignedByte, pdfsig, pdfText } from '../helpers/pdf-tools.js';

const HOLDER = 'Nguyễn Thị Hồng Nhung';

export function validRequest(overrides: Record<string, unknown> = {}) {
  return {
    applicantName: 'Trần Văn Bình', applicantIdNumber: '038090001234', applicantPhone: '0912345678',
    applicantEmail: 'binh@example.vn', applicantAddress: 'Số 5 Lê Lợi, phường Điện Biên, TP Thanh Hóa',
    relation: 'relative', holderName: HOLDER, holderBirthDate: '2004-03-15', diplomaType: 'thpt',
    school: 'Trường THPT chuyên Lam Sơn', graduationYear: 2022, copies: 2, purpose: 'Nộp hồ sơ xin việc',
    ...overrides,
  };
}

describe.each<Mode>(['production', 'embedded'])('diploma-copy end to end (%s)', (mode) => {
  let env: TestEnvironment;
  let api: ApiClient;
  let uploads: Upload[];

  beforeAll(async () => {
    env = await startTestEnvironment(mode);
    api = await listenForHttp(env);
    uploads = [
      { field: 'identity', name: 'cccd.pdf', data: await makePdf(), type: 'application/pdf' },
      { field: 'authorisation', name: 'giay-khai-sinh.png', data: makePng(), type: 'image/png' },
    ];
  });
  afterAll(async () => { await env?.close(); });

  it('serves health, readiness and the procedure catalogue', async () => {
    expect((await api.json('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await api.json('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.database).toBe(mode === 'production' ? 'postgres' : 'pglite');
    const list = await api.json('GET', '/api/procedures');
    expect(list.body).toContainEqual(expect.objectContaining({ id: 'diploma-copy', title: 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc', version: 1 }));
    const detail = await api.json('GET', '/api/procedures/diploma-copy');
    expect(detail.body.fields.find((f: { name: string }) => f.name === 'diplomaType').options).toContainEqual({ value: 'thpt', label: 'Bằng tốt nghiệp trung học phổ thông' });
    expect(detail.body.documents.map((d: { key: string }) => d.key)).toEqual(['identity', 'authorisation', 'diplomaScan']);
    expect((await api.json('GET', '/api/procedures/nope')).body.error.code).toBe('PROCEDURE_NOT_FOUND');
  });

  it('refuses invalid form data and missing documents with one 422 naming every field', async () => {
    const { status, body } = await api.submit('diploma-copy', validRequest({ applicantIdNumber: '12345', holderName: '' }), [uploads[0]!]);
    expect(status).toBe(422);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(body.error.fields).sort()).toEqual(['applicantIdNumber', 'holderName']);
    expect(body.error.fields.applicantIdNumber).toMatch(/12 chữ số/);
    const missingDoc = await api.submit('diploma-copy', validRequest(), [uploads[0]!]);
    expect(missingDoc.status).toBe(422);
    expect(missingDoc.body.error.fields).toEqual({ authorisation: expect.stringContaining('Giấy ủy quyền') });
  });

  it('refuses an oversized file with 413 and a file whose content is not an accepted type with 415', async () => {
    const big = Buffer.concat([await makePdf(), Buffer.alloc(6 * 1024 * 1024, 0x20)]);
    const tooBig = await api.submit('diploma-copy', validRequest(), [{ field: 'identity', name: 'cccd.pdf', data: big }, uploads[1]!]);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toMatchObject({ code: 'FILE_TOO_LARGE', fields: { identity: expect.stringContaining('5 MB') } });
    const overGlobal = await api.submit('diploma-copy', validRequest(), [{ field: 'identity', name: 'cccd.pdf', data: Buffer.alloc(11 * 1024 * 1024, 0x25) }]);
    expect(overGlobal.status).toBe(413);
    const wrongType = await api.submit('diploma-copy', validRequest(), [{ field: 'identity', name: 'cccd.pdf', data: fakePdf(), type: 'application/pdf' }, uploads[1]!]);
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.error.code).toBe('UNSUPPORTED_FILE_TYPE');
  });

  it('takes a dossier through receipt, register check, approval, signing and return', async () => {
    const key = `e2e-${mode}-${Date.now()}`;
    const filed = await api.submit('diploma-copy', validRequest(), uploads, { 'idempotency-key': key });
    expect(filed.status).toBe(201);
    expect(filed.body.code).toMatch(/^000\.00\.12\.H56-\d{6}-\d{4}$/);
    expect(filed.body.status).toBe('submitted');
    expect(filed.body.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const { code, trackingToken } = filed.body as { code: string; trackingToken: string };

    // The same Idempotency-Key returns the same dossier; the same key with another request is refused.
    const replay = await api.submit('diploma-copy', validRequest(), uploads, { 'idempotency-key': key });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ code, trackingToken });
    const reused = await api.submit('diploma-copy', validRequest({ copies: 3 }), uploads, { 'idempotency-key': key });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // The citizen sees the dossier with the tracking token only.
    const path = `/api/dossiers/${encodeURIComponent(code)}`;
    expect((await api.json('GET', path)).status).toBe(404);
    expect((await api.json('GET', path, { token: 'not-the-token' })).status).toBe(404);
    const citizenView = await api.json('GET', path, { token: trackingToken });
    expect(citizenView.status).toBe(200);
    expect(citizenView.body).toMatchObject({ code, status: 'submitted', statusLabel: 'Mới nộp', version: 1, actions: [] });
    expect(citizenView.body.documents.map((d: { key: string }) => d.key).sort()).toEqual(['authorisation', 'identity']);
    const document = await api.request('GET', citizenView.body.documents.find((d: { key: string }) => d.key === 'identity').url, { token: trackingToken });
    expect(document.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await document.arrayBuffer()).equals(uploads[0]!.data)).toBe(true);
    expect((await api.json('GET', `${path}/result`, { token: trackingToken })).body.error.code).toBe('RESULT_NOT_READY');

    const clerk = await api.login('clerk');
    const specialist = await api.login('specialist');
    const leader = await api.login('leader');
    const school = await api.login('school');

    // Routing: the one-stop desk sees it in its inbox; a school officer neither sees nor touches it.
    const clerkInbox = await api.json('GET', '/api/inbox', { token: clerk });
    expect(clerkInbox.body.map((d: { code: string }) => d.code)).toContain(code);
    expect((await api.json('GET', '/api/inbox', { token: school })).body.map((d: { code: string }) => d.code)).not.toContain(code);
    expect((await api.json('GET', path, { token: school })).body.error.code).toBe('UNIT_FORBIDDEN');
    expect((await api.act(code, 'receive', school, { version: 1 })).status).toBe(403);

    const clerkView = await api.json('GET', path, { token: clerk });
    expect(clerkView.body.actions.map((a: { name: string }) => a.name)).toEqual(['receive', 'request_supplement', 'refuse']);
    expect((await api.act(code, 'receive', specialist, { version: 1 })).body.error.code).toBe('ACTION_FORBIDDEN');
    expect((await api.act(code, 'receive', clerk, { version: 7 })).body.error.code).toBe('STALE_VERSION');
    const wrongState = await api.act(code, 'verify', specialist, { version: 1 });
    expect(wrongState.status).toBe(422);
    expect(wrongState.body.error.code).toBe('ACTION_NOT_AVAILABLE');
    const refuseWithoutReason = await api.act(code, 'refuse', clerk, { version: 1 });
    expect(refuseWithoutReason.body.error).toMatchObject({ code: 'COMMENT_REQUIRED', fields: { comment: expect.any(String) } });

    const received = await api.act(code, 'receive', clerk, { version: 1, comment: 'Hồ sơ đầy đủ' });
    expect(received).toMatchObject({ status: 200, body: { status: 'checking', version: 2 } });
    // Both clerks acting on the version they saw: the second gets 409, never a silent overwrite.
    expect((await api.act(code, 'receive', clerk, { version: 1 })).status).toBe(409);

    const noRegister = await api.act(code, 'verify', specialist, { version: 2, data: { registerBookNumber: 'SG-2022-01' } });
    expect(noRegister.status).toBe(422);
    expect(Object.keys(noRegister.body.error.fields)).toEqual(expect.arrayContaining(['entryNumber', 'diplomaNumber', 'issuedDate']));
    const register = { registerBookNumber: 'SG-2022-01', entryNumber: '1234/THPT', diplomaNumber: 'B 0456789', issuedDate: '2022-07-20' };
    expect((await api.act(code, 'verify', specialist, { version: 2, data: register })).body).toEqual({ status: 'awaiting_approval', version: 3 });

    expect((await api.act(code, 'approve', leader, { version: 3, comment: 'Đồng ý' })).body).toEqual({ status: 'signing', version: 4 });
    const ready = await eventually(async () => {
      const view = await api.json('GET', path, { token: trackingToken });
      return view.body.status === 'result_ready' ? view.body : undefined;
    });
    expect(ready.result).toMatchObject({ url: `${path}/result` });

    const download = await api.request('GET', `${path}/result`, { token: trackingToken });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await download.arrayBuffer());
    const text = await pdfText(pdf);
    expect(text).toContain('Trần Văn Bình');
    expect(text).toContain(HOLDER.toLocaleUpperCase('vi'));
    expect(text).toContain(code);
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('B 0456789');
    const signature = await pdfsig(pdf);
    // The leader's signature, then the department's seal (Decree 30), each a valid PAdES signature; the seal,
    // applied last, covers the whole file.
    expect(signature.match(/Signature is Valid/g)).toHaveLength(2);
    expect(signature.match(/Signature Type: ETSI\.CAdES\.detached/g)).toHaveLength(2);
    expect(signature).toMatch(/Signature #1:[\s\S]*Nguyễn Đức Thắng[\s\S]*Not total document signed[\s\S]*Signature #2:[\s\S]*Sở Giáo dục và Đào tạo Thanh Hóa[\s\S]*Total document signed/);
    expect(await pdfsig(flipSignedByte(pdf))).not.toContain('Signature is Valid');

    expect((await api.act(code, 'return_result', clerk, { version: ready.version })).body.status).toBe('returned');
    const final = await api.json('GET', path, { token: trackingToken });
    expect(final.body.history.map((h: { action: string }) => h.action)).toEqual(['submit', 'receive', 'verify', 'approve', 'result_issued', 'return_result']);
    // The clerk's note on receiving is the office's (history-events.ts commentForCitizen): staff read it, the citizen does not.
    expect(final.body.history[1]).toMatchObject({ from: 'submitted', to: 'checking', actor: 'Lê Thị Thu Hà', comment: null });
    expect((await api.json('GET', path, { token: clerk })).body.history[1]).toMatchObject({ action: 'receive', comment: 'Hồ sơ đầy đủ' });
    expect(final.body.clockState).toBe('stopped');
  });
});
