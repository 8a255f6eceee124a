// Procedures managed by administrators (/api/admin/procedures, /quan-tri/thu-tuc), over real HTTP on PostgreSQL +
// BullMQ: an uploaded workflow file checked like at boot (a broken one is refused with file:path fields and nothing is
// stored), a changed definition becoming the version new dossiers are filed under while old dossiers keep theirs,
// switching a procedure off (no new dossiers, the ones filed go on), a second process seeing it after its refresh,
// the audit entries, who may do all this, and the page with its upload form.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { closeContext, createContext } from '../../src/context.js';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { listVersionHeads } from '../../src/db/repositories/procedures.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { dossierView } from '../../src/services/viewing/dossier-view.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';

const FILE = 'diploma-copy.yaml';

describe('procedures administration', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let admin: string;
  let clerk: string;
  let original: string;
  /** A second process on the same database, refreshed only when the test says so. */
  let other: AppContext;

  const uploadForm = (text: string, name = FILE) => {
    const form = new FormData();
    form.append('file', new Blob([text], { type: 'application/yaml' }), name);
    return form;
  };
  const upload = (text: string, name = FILE, token = admin) => api.json('POST', '/api/admin/procedures', { token, form: uploadForm(text, name) });
  const versions = async () => (await listVersionHeads(env.ctx.db)).filter((v) => v.procedureId === 'diploma-copy');
  const fileDossier = async (name: string) => submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest(name), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  const pinnedVersion = async (code: string) => (await dossierView(env.ctx, code, await staffCaller(env.ctx, 'clerk'))).procedure.version;

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    admin = await api.login('admin');
    clerk = await api.login('clerk');
    original = await readFile(path.join(env.config.workflowsDir, FILE), 'utf8');
    other = await createContext({ ...env.config, adminRefreshMs: 0 }, pino({ level: 'silent' }), 'server');
  });
  afterAll(async () => {
    if (other) await closeContext(other);
    await env?.close();
  });

  it('lists every procedure with its versions and the dossiers on each', async () => {
    await fileDossier('Trần Văn Một');
    const { status, body } = await api.json('GET', '/api/admin/procedures', { token: admin });
    expect(status).toBe(200);
    const diploma = body.items.find((p: { id: string }) => p.id === 'diploma-copy');
    expect(diploma).toMatchObject({ title: 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc', enabled: true, currentVersion: 1 });
    expect(diploma.versions).toEqual([expect.objectContaining({
      version: 1, source: 'file', uploadedBy: null, dossiers: 1, openDossiers: 1, current: true, hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    })]);
    expect(body.items.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(['school-transfer', 'admission-registration', 'extra-tutoring-licence']));
  });

  it('refuses broken workflow files with the loader\'s file:path problems, storing nothing', async () => {
    const before = await versions();
    const unknownTarget = await upload(original.replace('        to: awaiting_approval\n', '        to: awaiting_aproval\n'));
    expect(unknownTarget.status).toBe(422);
    expect(unknownTarget.body.error.code).toBe('WORKFLOW_INVALID');
    expect(unknownTarget.body.error.fields).toEqual({
      'diploma-copy.yaml:states.checking.on.verify.to': expect.stringMatching(/trạng thái không tồn tại "awaiting_aproval" \(dòng \d+\)/),
    });

    const unknownEffect = await upload(original.replace('effects: [start-clock, issue-receipt]', 'effects: [start-clock, issue-reciept]'));
    expect(unknownEffect.status).toBe(422);
    expect(unknownEffect.body.error.fields).toEqual({
      'diploma-copy.yaml:states.submitted.on.receive.effects[1]': expect.stringContaining('"issue-reciept"'),
    });

    const syntax = await upload(original.replace('initial: submitted\n', 'initial: [submitted\n'), 'ban-sua.yml');
    expect(syntax.status).toBe(422);
    expect(Object.keys(syntax.body.error.fields)).toEqual(['ban-sua.yml']);
    expect(syntax.body.error.fields['ban-sua.yml']).toMatch(/^YAML không hợp lệ/);

    const notYaml = await upload(original, 'quy-trinh.txt');
    expect(notYaml.status).toBe(422);
    expect(notYaml.body.error.fields).toEqual({ file: expect.any(String) });

    expect(await versions()).toEqual(before);
    expect(env.ctx.catalog.find('diploma-copy')?.version).toBe(1);
    const audits = await listAuditEntries(env.ctx.db, { action: 'procedure.', limit: 10 });
    expect(audits).toEqual([]);
  });

  it('publishes a changed definition as the next version: new dossiers are pinned to it, old ones keep theirs', async () => {
    const old = await fileDossier('Nguyễn Văn Cũ');
    const changed = original.replace('label: Tiếp nhận hồ sơ\n', 'label: Tiếp nhận hồ sơ trực tuyến\n');
    expect(changed).not.toBe(original);

    const published = await upload(changed);
    expect(published.status).toBe(201);
    expect(published.body).toEqual({ procedureId: 'diploma-copy', version: 2, changed: true, current: true, newProcedure: false });
    expect((await api.json('GET', '/api/procedures')).body).toContainEqual(expect.objectContaining({ id: 'diploma-copy', version: 2 }));

    const fresh = await fileDossier('Phạm Thị Mới');
    expect(await pinnedVersion(fresh.code)).toBe(2);
    expect(await pinnedVersion(old.code)).toBe(1);
    const freshActions = (await dossierView(env.ctx, fresh.code, await staffCaller(env.ctx, 'clerk'))).actions.map((a) => a.label);
    expect(freshActions).toContain('Tiếp nhận hồ sơ trực tuyến');
    // The old dossier still acts under version 1.
    const received = await api.act(old.code, 'receive', clerk, { version: 1 });
    expect(received.status).toBe(200);

    // The same definition again (formatting and comments aside) is no new version.
    const again = await upload(`# chép lại\n${changed}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: 2, changed: false, current: true });
    expect((await versions()).map((v) => v.version)).toEqual([1, 2]);

    const listed = (await api.json('GET', '/api/admin/procedures', { token: admin })).body.items.find((p: { id: string }) => p.id === 'diploma-copy');
    expect(listed.currentVersion).toBe(2);
    expect(listed.versions).toEqual([
      expect.objectContaining({ version: 2, source: 'upload', uploadedBy: 'admin', dossiers: 1, openDossiers: 1, current: true }),
      expect.objectContaining({ version: 1, source: 'file', uploadedBy: null, dossiers: 2, openDossiers: 2, current: false }),
    ]);

    // The uploaded file comes back as written; a boot version as its stored definition in YAML.
    const source = await api.request('GET', '/api/admin/procedures/diploma-copy/versions/2/source', { token: admin });
    expect(source.status).toBe(200);
    expect(source.headers.get('content-disposition')).toContain('diploma-copy.v2.yaml');
    expect(await source.text()).toBe(changed);
    const boot = await (await api.request('GET', '/api/admin/procedures/diploma-copy/versions/1/source', { token: admin })).text();
    expect(boot).toContain('id: diploma-copy');
    expect(boot).toContain('label: Tiếp nhận hồ sơ\n');
    expect((await api.request('GET', '/api/admin/procedures/diploma-copy/versions/9/source', { token: admin })).status).toBe(404);

    const [entry] = await listAuditEntries(env.ctx.db, { action: 'procedure.version_uploaded', limit: 10 });
    expect(entry).toMatchObject({ actorName: expect.stringContaining('(admin)'), target: 'diploma-copy', details: expect.objectContaining({ version: 2, fileName: FILE }) });

    // Another process picks the new version up at its next refresh.
    await other.adminData.refresh();
    expect(other.catalog.find('diploma-copy')?.version).toBe(2);
  });

  it('publishes a file with a new procedure id as a new procedure', async () => {
    const text = original.replace('id: diploma-copy', 'id: diploma-copy-pilot').replace(/^title: .*$/m, 'title: Cấp bản sao văn bằng (thí điểm)');
    const { status, body } = await upload(text, 'diploma-copy-pilot.yaml');
    expect(status).toBe(201);
    expect(body).toEqual({ procedureId: 'diploma-copy-pilot', version: 1, changed: true, current: true, newProcedure: true });
    expect(env.ctx.catalog.find('diploma-copy-pilot')?.definition.title).toBe('Cấp bản sao văn bằng (thí điểm)');
  });

  it('switches a procedure off for new dossiers while the dossiers filed go on, and back on', async () => {
    const filed = await fileDossier('Lê Văn Trước');
    // A filing that succeeded just before the switch-off, whose answer the citizen's browser lost.
    const retried = { procedureId: 'diploma-copy', idempotencyKey: 'retry-after-disable', data: diplomaRequest('Lê Văn Thử Lại'),
      files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }] };
    const first = await submitDossier(env.ctx, retried);
    await other.adminData.refresh();
    expect(other.catalog.find('diploma-copy')).toBeDefined();

    const off = await api.json('POST', '/api/admin/procedures/diploma-copy/disable', { token: admin });
    expect(off).toEqual({ status: 200, body: { id: 'diploma-copy', enabled: false } });
    expect((await api.json('GET', '/api/procedures')).body.map((p: { id: string }) => p.id)).not.toContain('diploma-copy');
    expect((await api.json('GET', '/api/procedures/diploma-copy')).status).toBe(404);

    const refused = await api.submit('diploma-copy', diplomaRequest('Lê Văn Sau'), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf(), type: 'application/pdf' }]);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'PROCEDURE_DISABLED', message: 'Thủ tục tạm ngừng tiếp nhận hồ sơ trực tuyến.' });
    // Its retry with the same Idempotency-Key gets that dossier back, not PROCEDURE_DISABLED.
    expect(await submitDossier(env.ctx, retried)).toMatchObject({ code: first.code, replayed: true });
    const unknown = await api.submit('no-such-procedure', {}, []);
    expect(unknown.body.error.code).toBe('PROCEDURE_NOT_FOUND');

    // A dossier filed before goes on.
    expect((await api.act(filed.code, 'receive', clerk, { version: 1 })).status).toBe(200);
    const listed = (await api.json('GET', '/api/admin/procedures', { token: admin })).body.items.find((p: { id: string }) => p.id === 'diploma-copy');
    expect(listed.enabled).toBe(false);

    // The other process: still on offer until its refresh, then not.
    expect(other.catalog.find('diploma-copy')).toBeDefined();
    await other.adminData.refresh();
    expect(other.catalog.find('diploma-copy')).toBeUndefined();
    expect(other.catalog.listAll().find((p) => p.definition.id === 'diploma-copy')?.enabled).toBe(false);
    expect(() => other.catalog.findForIntake('diploma-copy')).toThrow(expect.objectContaining({ code: 'PROCEDURE_DISABLED' }));

    const on = await api.json('POST', '/api/admin/procedures/diploma-copy/enable', { token: admin });
    expect(on.body).toEqual({ id: 'diploma-copy', enabled: true });
    expect((await api.json('GET', '/api/procedures')).body.map((p: { id: string }) => p.id)).toContain('diploma-copy');
    await other.adminData.refresh();
    expect(other.catalog.find('diploma-copy')?.version).toBe(2);

    const entries = await listAuditEntries(env.ctx.db, { target: 'diploma-copy', action: 'procedure.', limit: 10 });
    expect(entries.map((e) => e.action)).toEqual(['procedure.enabled', 'procedure.disabled', 'procedure.version_uploaded']);
    expect((await api.json('POST', '/api/admin/procedures/no-such-procedure/disable', { token: admin })).status).toBe(404);
  });

  it('is for administrators only', async () => {
    const paths: Array<[string, string]> = [
      ['GET', '/api/admin/procedures'], ['POST', '/api/admin/procedures/diploma-copy/disable'], ['POST', '/api/admin/procedures/diploma-copy/enable'],
      ['GET', '/api/admin/procedures/diploma-copy/versions/1/source'],
    ];
    for (const [method, url] of paths) {
      expect((await api.json(method, url, { token: clerk })).status, `${method} ${url} clerk`).toBe(403);
      expect((await api.json(method, url)).status, `${method} ${url} anonymous`).toBe(401);
    }
    const byClerk = await upload(original, FILE, clerk);
    expect(byClerk.status).toBe(403);
    expect((await api.json('POST', '/api/admin/procedures', { form: uploadForm(original) })).status).toBe(401);
    expect(env.ctx.catalog.find('diploma-copy')?.version).toBe(2);
  });

  describe('the page /quan-tri/thu-tuc', () => {
    /** A browser session's cookies and CSRF token (multipart forms send the token in the query). */
    async function pageSession(username: string) {
      const signInPage = await env.app.inject({ method: 'GET', url: '/dang-nhap' });
      const cookies: Record<string, string> = { motcua_csrf: signInPage.cookies.find((c) => c.name === 'motcua_csrf')!.value };
      const csrf = /name="_csrf" value="([^"]+)"/.exec(signInPage.body)![1]!;
      const signIn = await env.app.inject({
        method: 'POST', url: '/dang-nhap', cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, username, password: 'demo' }).toString(),
      });
      cookies.motcua_session = signIn.cookies.find((c) => c.name === 'motcua_session')!.value;
      return { cookies, csrf };
    }
    function multipart(fileName: string, text: string): { payload: Buffer; contentType: string } {
      const boundary = '----motcua-test-boundary';
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/yaml\r\n\r\n`),
        Buffer.from(text), Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
    }

    it('shows procedures, versions and dossier counts, toggles, and lists an upload\'s problems as file:path', async () => {
      const { cookies, csrf } = await pageSession('admin');
      const page = await env.app.inject({ method: 'GET', url: '/quan-tri/thu-tuc', cookies });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Cấp bản sao văn bằng, chứng chỉ từ sổ gốc');
      expect(page.body).toContain('Nạp lên bởi admin');
      expect(page.body).toContain('action="/quan-tri/thu-tuc/diploma-copy/tat"');
      expect(page.body).toContain('href="/api/admin/procedures/diploma-copy/versions/2/source"');

      const off = await env.app.inject({
        method: 'POST', url: '/quan-tri/thu-tuc/school-transfer/tat', cookies,
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf }).toString(),
      });
      expect(off.statusCode).toBe(303);
      expect(env.ctx.catalog.find('school-transfer')).toBeUndefined();
      // The notice is a fixed text named by the link, with the title read from the list; a crafted link shows nothing.
      expect(off.headers.location).toBe('/quan-tri/thu-tuc?tb=da-tat&thu-tuc=school-transfer');
      const notice = await env.app.inject({ method: 'GET', url: off.headers.location as string, cookies });
      expect(notice.body).toMatch(/role="status">Đã tắt thủ tục &quot;[^&]+&quot;: không nhận hồ sơ mới/);
      const crafted = await env.app.inject({ method: 'GET', url: '/quan-tri/thu-tuc?tb=da-tat&thu-tuc=khong-co', cookies });
      expect(crafted.body).not.toContain('role="status"');
      const noToken = await env.app.inject({ method: 'POST', url: '/quan-tri/thu-tuc/school-transfer/bat', cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
      expect(noToken.statusCode).toBe(403);
      const on = await env.app.inject({
        method: 'POST', url: '/quan-tri/thu-tuc/school-transfer/bat', cookies,
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf }).toString(),
      });
      expect(on.statusCode).toBe(303);
      expect(env.ctx.catalog.find('school-transfer')).toBeDefined();

      const broken = multipart(FILE, original.replace('        to: awaiting_approval\n', '        to: awaiting_aproval\n'));
      const refused = await env.app.inject({
        method: 'POST', url: `/quan-tri/thu-tuc/nap?_csrf=${encodeURIComponent(csrf)}`, cookies, headers: { 'content-type': broken.contentType }, payload: broken.payload,
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toContain('<code>diploma-copy.yaml:states.checking.on.verify.to</code>');

      const view = await env.app.inject({ method: 'GET', url: '/quan-tri/thu-tuc/diploma-copy/phien-ban/2', cookies });
      expect(view.statusCode).toBe(200);
      expect(view.body).toContain('label: Tiếp nhận hồ sơ trực tuyến');
      expect((await env.app.inject({ method: 'GET', url: '/quan-tri/thu-tuc/diploma-copy/phien-ban/x', cookies })).statusCode).toBe(404);

      const clerkSession = await pageSession('clerk');
      expect((await env.app.inject({ method: 'GET', url: '/quan-tri/thu-tuc', cookies: clerkSession.cookies })).statusCode).toBe(403);
      const anonymous = await env.app.inject({ method: 'GET', url: '/quan-tri/thu-tuc' });
      expect(anonymous.statusCode).toBe(303);
    });
  });
});
