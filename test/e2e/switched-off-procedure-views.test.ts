// A procedure an administrator switched off takes no new dossiers, yet the staff keep seeing it by name: the inbox and
// dashboard filters, the statistics and the unit roles still list it. The citizen's apply and detail pages say it is
// suspended ("tạm ngừng tiếp nhận") rather than "not found". The catalogue names the Department with its province.
// PostgreSQL + BullMQ, real HTTP for the API and app.inject for the pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';
import { signInPages } from '../helpers/page-session.js';

const TITLE = 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc';
const SUSPENDED = 'Thủ tục tạm ngừng tiếp nhận hồ sơ trực tuyến.';

describe('a switched-off procedure, and the catalogue', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let admin: string;

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    admin = await api.login('admin');
  });
  afterAll(async () => {
    await env?.close();
  });

  it("the catalogue names the Department, the agency of its procedures, with the province", async () => {
    // The demo's Department agency is stored bare ("Sở Giáo dục và Đào tạo"); the province is in the settings.
    const procedures = (await api.json('GET', '/api/procedures')).body as Array<{ id: string; agency: { code: string; name: string } }>;
    expect(procedures.find((p) => p.id === 'diploma-copy')?.agency).toEqual({ code: '000.00.12.H56', name: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
    expect((await api.json('GET', '/api/procedures/diploma-copy')).body.agency.name).toBe('Sở Giáo dục và Đào tạo Thanh Hóa');
    const home = await env.app.inject({ method: 'GET', url: '/' });
    expect(home.body).toContain('<p class="muted">Sở Giáo dục và Đào tạo Thanh Hóa · Thời hạn:');
    expect(home.body).not.toContain('<p class="muted">Sở Giáo dục và Đào tạo · ');
  });

  it('once switched off, is still named in the inbox and dashboard filters and in the statistics', async () => {
    await submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
    });
    expect((await api.json('POST', '/api/admin/procedures/diploma-copy/disable', { token: admin })).status).toBe(200);
    const option = `<option value="diploma-copy">${TITLE}</option>`;
    const clerk = await signInPages(env, 'clerk');
    const inbox = await clerk.get('/can-bo');
    expect(inbox.status).toBe(200);
    expect(inbox.body).toContain(option);

    const leader = await signInPages(env, 'leader');
    const dashboard = await leader.get('/can-bo/chi-so?procedure=diploma-copy');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body).toContain(`<option value="diploma-copy" selected>${TITLE}</option>`);

    const stats = await api.json('GET', '/api/stats', { token: await api.login('leader') });
    expect(stats.status).toBe(200);
    const row = stats.body.byProcedure.find((r: { procedure: { id: string } }) => r.procedure.id === 'diploma-copy');
    expect(row).toMatchObject({ procedure: { id: 'diploma-copy', title: TITLE } });
  });

  it('can still be given units by the administrator', async () => {
    const roles = await api.json('GET', '/api/admin/unit-roles', { token: admin });
    expect(roles.body.procedures).toContainEqual({ id: 'diploma-copy', title: TITLE });
    const saved = await api.json('PUT', '/api/admin/unit-roles', { token: admin, json: { items: [{ procedureId: 'diploma-copy', role: 'office', unitId: 'qlcl' }] } });
    expect(saved.status).toBe(200);
  });

  it('is shown to citizens as suspended on its apply and detail pages, and is off the catalogue', async () => {
    for (const url of ['/thu-tuc/diploma-copy/nop', '/thu-tuc/diploma-copy']) {
      const page = await env.app.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(422);
      expect(page.body, url).toContain(SUSPENDED);
      expect(page.body, url).not.toContain('Không tìm thấy thủ tục');
    }
    const unknown = await env.app.inject({ method: 'GET', url: '/thu-tuc/khong-co/nop' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('Không tìm thấy thủ tục');
    const home = await env.app.inject({ method: 'GET', url: '/' });
    expect(home.body).not.toContain('href="/thu-tuc/diploma-copy"');

    // Switched on again: the apply page is back.
    expect((await api.json('POST', '/api/admin/procedures/diploma-copy/enable', { token: admin })).status).toBe(200);
    const apply = await env.app.inject({ method: 'GET', url: '/thu-tuc/diploma-copy/nop' });
    expect(apply.statusCode).toBe(200);
  });
});
