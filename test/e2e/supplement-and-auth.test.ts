// The supplement path over HTTP (a multipart action by the citizen), and the staff sign-in rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnvironment, type Mode, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf, makePng } from '../helpers/files.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';

describe.each<Mode>(['production', 'embedded'])('supplement and sign-in (%s)', (mode) => {
  let env: TestEnvironment;
  let api: ApiClient;
  beforeAll(async () => {
    env = await startTestEnvironment(mode, { env: { LOGIN_RATE_LIMIT: '5' } });
    api = await listenForHttp(env);
  });
  afterAll(async () => { await env?.close(); });

  it('asks for a supplement, pauses nothing before receipt, and takes the citizen\'s new file as multipart', async () => {
    const filed = await api.submit('diploma-copy', diplomaRequest('Đặng Văn Hùng'), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }]);
    expect(filed.status).toBe(201);
    const { code, trackingToken } = filed.body;
    const clerk = await api.login('clerk');
    const asked = await api.act(code, 'request_supplement', clerk, { version: 1, comment: 'Ảnh căn cước bị mờ, vui lòng nộp lại bản rõ nét.' });
    expect(asked.body).toEqual({ status: 'awaiting_supplement', version: 2 });

    const view = await api.json('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token: trackingToken });
    expect(view.body.actions).toEqual([expect.objectContaining({ name: 'resubmit', label: 'Nộp bổ sung hồ sơ', documents: ['identity', 'authorisation', 'diplomaScan'] })]);
    expect(view.body.history.at(-1)).toMatchObject({ action: 'request_supplement', comment: 'Ảnh căn cước bị mờ, vui lòng nộp lại bản rõ nét.' });
    expect(view.body.clockState).toBe('not_started');

    // A file the action does not take is refused; the right one is accepted with the dossier version.
    const form = new FormData();
    form.append('version', '2');
    form.append('comment', 'Đã nộp lại ảnh rõ nét');
    form.append('identity', new Blob([makePng()], { type: 'image/png' }), 'cccd-moi.png');
    const staffTry = await api.json('POST', `/api/dossiers/${encodeURIComponent(code)}/actions/resubmit`, { token: clerk, form });
    expect(staffTry.status).toBe(403);
    const wrongField = new FormData();
    wrongField.append('version', '2');
    wrongField.append('photo', new Blob([makePng()], { type: 'image/png' }), 'x.png');
    const refused = await api.json('POST', `/api/dossiers/${encodeURIComponent(code)}/actions/resubmit`, { token: trackingToken, form: wrongField });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields).toHaveProperty('photo');
    const resubmitted = await api.json('POST', `/api/dossiers/${encodeURIComponent(code)}/actions/resubmit`, { token: trackingToken, form });
    expect(resubmitted.body).toEqual({ status: 'submitted', version: 3 });

    const after = await api.json('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token: clerk });
    expect(after.body.documents.filter((d: { key: string }) => d.key === 'identity').map((d: { mimeType: string }) => d.mimeType)).toEqual(['application/pdf', 'image/png']);
    expect(after.body.history.at(-1)).toMatchObject({ action: 'resubmit', actorKind: 'citizen', actor: 'Đặng Văn Hùng' });
    expect((await api.act(code, 'receive', clerk, { version: 3 })).body.status).toBe('checking');
  });

  it('ends the session on the server at logout: the same token no longer works', async () => {
    const token = await api.login('specialist');
    expect((await api.json('GET', '/api/auth/me', { token })).body.username).toBe('specialist');
    expect((await api.request('POST', '/api/auth/logout', { token })).status).toBe(204);
    expect((await api.json('GET', '/api/auth/me', { token })).body.error.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 without a session, and 429 once the login budget is spent', async () => {
    expect((await api.json('GET', '/api/inbox')).body.error.code).toBe('UNAUTHENTICATED');
    const bad = await api.json('POST', '/api/auth/login', { json: { username: 'clerk', password: 'sai-mat-khau' } });
    expect(bad).toMatchObject({ status: 401, body: { error: { code: 'INVALID_CREDENTIALS' } } });
    const unknown = await api.json('POST', '/api/auth/login', { json: { username: 'nobody', password: 'x' } });
    expect(unknown.body.error.code).toBe('INVALID_CREDENTIALS');
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await api.json('POST', '/api/auth/login', { json: { username: 'clerk', password: 'x' } })).status;
    expect(last).toBe(429);
  });
});
