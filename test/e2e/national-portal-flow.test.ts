// Both directions of the national portal link end to end, production mode (PostgreSQL, BullMQ) over real HTTP: a
// citizen files a diploma copy on the national portal (simulator), the portal pushes it with its attachment, the
// one-stop desk, the specialist and the leader process it through the API to its signed result and return it, and the
// portal has received the dossier under ITS code and every step in event order, each once, ending "Đã trả kết quả".
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode, listEvents } from '../../src/db/repositories/dossiers.js';
import { listStepsOfDossier } from '../../src/db/repositories/national-sync.js';
import { pushDossier } from '../../tools/national-portal-sim/dossier-push.js';
import { startPortalSimulator, type PortalSimulator } from '../../tools/national-portal-sim/simulator.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { type ApiClient, eventually, listenForHttp } from '../helpers/http.js';

describe('national portal: a dossier filed on the portal, processed here, reported back step by step', () => {
  let sim: PortalSimulator;
  let env: TestEnvironment;
  let api: ApiClient;
  const secret = randomBytes(32).toString('hex');

  beforeAll(async () => {
    sim = await startPortalSimulator({ secret });
    env = await startTestEnvironment('production', { env: { NATIONAL_PORTAL_URL: sim.url, NATIONAL_PORTAL_SECRET: secret, NATIONAL_PORTAL_SYSTEM_CODE: 'MOTCUA-E2E' } });
    api = await listenForHttp(env);
    sim.options.motcuaUrl = api.baseUrl;
  }, 120_000);
  afterAll(async () => { await env?.close(); await sim?.close(); });

  it('takes the pushed dossier, and the portal receives every step of its processing in order', async () => {
    const nationalCode = `H56.22-${Date.now()}`;
    const { applicantName, applicantIdNumber, applicantPhone, applicantAddress, ...form } = diplomaRequest('Vũ Thị Hạnh');
    const identity = await makePdf('CCCD Vũ Thị Hạnh');
    const pushed = await pushDossier(sim, {
      MaHoSo: nationalCode, MaTTHC: '1.005092.000.00.00.H56', NgayNopHoSo: '20261201083000', KenhThucHien: '2',
      ChuHoSo: applicantName, SoGiayToChuHoSo: applicantIdNumber, SoDienThoai: applicantPhone, DiaChi: applicantAddress,
      DinhDanhCHS: [{ LoaiDinhDanh: '1', SoDinhDanh: applicantIdNumber }], TaiKhoanDuocXacThucVoiVNeID: '1', loAs: 'LOA2',
      DuLieuBieuMau: { ...form, holderName: applicantName },
      TaiLieuNop: [{ MaThanhPhanHoSo: 'identity', TenTepDinhKem: 'cccd.pdf', data: identity, mimeType: 'application/pdf' }],
    });
    expect(pushed.status).toBe(201);
    const code = (pushed.answer as { code: string }).code;
    expect(code).not.toBe(nationalCode);

    // Processed here like any dossier, through the API.
    const [clerk, specialist, leader] = [await api.login('clerk'), await api.login('specialist'), await api.login('leader')];
    const view = await api.json('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token: clerk });
    expect(view.body).toMatchObject({ channel: 'national', channelLabel: 'Cổng Dịch vụ công quốc gia', nationalCode, status: 'submitted' });
    expect(view.body.documents).toHaveLength(1);
    expect((await api.act(code, 'receive', clerk, { version: 1 })).body.status).toBe('checking');
    const register = { registerBookNumber: 'SG-2019-02', entryNumber: '88/THPT', diplomaNumber: 'B 7654321', issuedDate: '2019-07-01' };
    expect((await api.act(code, 'verify', specialist, { version: 2, data: register })).body.status).toBe('awaiting_approval');
    expect((await api.act(code, 'approve', leader, { version: 3 })).body.status).toBe('signing');
    const ready = await eventually(async () => {
      const d = await findDossierByCode(env.ctx.db, code);
      return d?.status === 'result_ready' ? d : undefined;
    }, 40_000);
    const result = await api.request('GET', `/api/dossiers/${encodeURIComponent(code)}/result`, { token: clerk });
    expect(result.status).toBe(200);
    expect(Buffer.from(await result.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await api.act(code, 'return_result', clerk, { version: ready.version })).body.status).toBe('returned');

    // Every step acknowledged by the portal (the ledger), one per history event.
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    const events = await listEvents(env.ctx.db, dossier.id);
    expect(events.map((e) => e.action)).toEqual(['submit', 'receive', 'verify', 'approve', 'result_issued', 'return_result']);
    const ledger = await eventually(async () => {
      const steps = await listStepsOfDossier(env.ctx.db, dossier.id);
      return steps.length === events.length && steps.every((s) => s.sentAt !== null) ? steps : undefined;
    }, 40_000);
    expect(ledger.map((s) => s.eventId)).toEqual(events.map((e) => e.id));

    // The portal holds the dossier under its own code, with every step once, in order, ending "returned" (10).
    const record = await eventually(async () => {
      const r = sim.sync.dossiers.get(nationalCode);
      return r && r.steps.length === events.length && r.dossier.TrangThaiHoSo === '10' ? r : undefined;
    }, 40_000);
    expect(sim.sync.dossiers.has(code)).toBe(false);
    expect(record.system).toBe('MOTCUA-E2E');
    expect(record.steps.map((s) => s.MaBuoc)).toEqual(events.map((e) => `${nationalCode}:${e.id}`));
    expect(record.steps.map((s) => s.TrangThai)).toEqual(['1', '4', '4', '4', '9', '10']);
    expect(record.steps.map((s) => s.MaHoSo)).toEqual(events.map(() => nationalCode));
    expect(record.dossier).toMatchObject({ MaHoSo: nationalCode, MaTTHC: '1.005092.000.00.00.H56', KenhThucHien: '2', ChuHoSo: 'Vũ Thị Hạnh', TrangThaiHoSo: '10' });
    expect(sim.sync.steps.filter((s) => s.MaHoSo === nationalCode).map((s) => s.MaBuoc)).toEqual(record.steps.map((s) => s.MaBuoc));
    expect(sim.sync.refused).toEqual([]);

    // The inbound log names the dossier; the pushes the portal made are one.
    const admin = await api.login('admin');
    const log = await api.json('GET', '/api/admin/national-portal/inbound?outcome=accepted', { token: admin });
    expect(log.body.items).toEqual([expect.objectContaining({ nationalCode, dossierCode: code, procedureCode: '1.005092.000.00.00.H56' })]);
    expect(sim.push.pushes.map((p) => p.status)).toEqual([201]);
  });
});
