// Both directions of the national portal link end to end, production mode (PostgreSQL, BullMQ) over real HTTP: a
// citizen files a diploma copy on the national portal (simulator), the portal pushes it with its attachment, the
// one-stop desk, the specialist and the leader process it through the API to its signed result and return it, and the
// portal has received the dossier under ITS code and every step in event order, each once, ending "Đã trả kết quả".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode, listEvents } from '../../src/db/repositories/dossiers.js';
import { listStepsOfDossier } from '../../src/db/repositories/national-sync.js';
import { pushDossier } from '../../tools/national-portal-sim/dossier-push.js';
import { diplomaToResultViaApi } from '../helpers/dossiers.js';
import { eventually } from '../helpers/http.js';
import { pdfText } from '../helpers/pdf-tools.js';
import { DIPLOMA_TTHC, portalDiplomaDossier, startPortalEnvironment, type PortalEnvironment } from '../helpers/national-portal.js';

describe('national portal: a dossier filed on the portal, processed here, reported back step by step', () => {
  let link: PortalEnvironment;
  beforeAll(async () => { link = await startPortalEnvironment({ NATIONAL_PORTAL_SYSTEM_CODE: 'MOTCUA-E2E' }); }, 120_000);
  afterAll(async () => { await link?.close(); });

  it('takes the pushed dossier, and the portal receives every step of its processing in order', async () => {
    const nationalCode = `H56.22-${Date.now()}`;
    const { sim, env, api } = link;
    const pushed = await pushDossier(sim, await portalDiplomaDossier(nationalCode, 'Vũ Thị Hạnh'));
    expect(pushed.status).toBe(201);
    const code = (pushed.answer as { code: string }).code;
    expect(code).not.toBe(nationalCode);

    // Processed here like any dossier, through the API.
    const clerk = await api.login('clerk');
    const view = await api.json('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token: clerk });
    expect(view.body).toMatchObject({ channel: 'national', channelLabel: 'Cổng Dịch vụ công quốc gia', nationalCode, status: 'submitted' });
    expect(view.body.documents).toHaveLength(1);
    expect((await api.act(code, 'receive', clerk, { version: 1 })).body.status).toBe('checking');
    // The receipt (Mẫu 01) names the channel and where the result can be received.
    const receipt = await eventually(async () => {
      const r = await api.request('GET', `/api/dossiers/${encodeURIComponent(code)}/forms/receipt`, { token: clerk });
      return r.status === 200 ? Buffer.from(await r.arrayBuffer()) : undefined;
    });
    const receiptText = (await pdfText(receipt)).replace(/\s+/g, ' ');
    expect(receiptText).toMatch(/Hình thức nộp:? ?\.*? ?Trực tuyến \(Cổng Dịch vụ công quốc gia\)/);
    expect(receiptText).toContain('Cổng Dịch vụ công quốc gia (bản điện tử có chữ ký số)');
    const ready = await diplomaToResultViaApi(env.ctx, api, code, 2);
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
    expect(record.dossier).toMatchObject({ MaHoSo: nationalCode, MaTTHC: DIPLOMA_TTHC, KenhThucHien: '2', ChuHoSo: 'Vũ Thị Hạnh', TrangThaiHoSo: '10' });
    expect(sim.sync.steps.filter((s) => s.MaHoSo === nationalCode).map((s) => s.MaBuoc)).toEqual(record.steps.map((s) => s.MaBuoc));
    expect(sim.sync.refused).toEqual([]);

    // The inbound log names the dossier; the pushes the portal made are one.
    const admin = await api.login('admin');
    const log = await api.json('GET', '/api/admin/national-portal/inbound?outcome=accepted', { token: admin });
    expect(log.body.items).toEqual([expect.objectContaining({ nationalCode, dossierCode: code, procedureCode: DIPLOMA_TTHC })]);
    expect(sim.push.pushes.map((p) => p.status)).toEqual([201]);
  });
});
