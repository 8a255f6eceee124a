// Outbound sync to the national portal, production mode (PostgreSQL, BullMQ), against the portal simulator over real
// HTTP: a diploma-copy dossier from filing to its returned result reaches the portal with every step in event order
// (who, title, unit, content, status code, dates of then); while the portal is down several dossiers' steps wait and
// then go out once each (only the batch whose acknowledgement was lost goes out twice), first deliveries in event order; a procedure version without `national`, or no
// portal configured, writes no sync rows.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalSimulator, type PortalSimulator } from '../../tools/national-portal-sim/simulator.js';
import { addWorkingDays, isWorkingDay } from '../../src/calendar/working-days.js';
import { addDays, vnInstant, vnToday } from '../../src/calendar/vn-time.js';
import { eq } from 'drizzle-orm';
import { findDossierByCode, listEvents, NATIONAL_SYNC_JOB } from '../../src/db/repositories/dossiers.js';
import { listStepsOfDossier } from '../../src/db/repositories/national-sync.js';
import { listForDossier } from '../../src/db/repositories/outbox.js';
import { dossiers, nationalSyncSteps, outbox } from '../../src/db/schema/index.js';
import { trackingTokenFor } from '../../src/services/access.js';
import { findUnitsByIds } from '../../src/db/repositories/routing.js';
import { findStaffByUsername } from '../../src/db/repositories/staff.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { assignDossier } from '../../src/services/processing/assign-dossier.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf, makePng } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';

/** yyyyMMddHHmmss in Vietnam time (UTC+7), written here again rather than imported: the test checks the wire. */
const vn = (at: Date | string | null | undefined) => (at ? new Date(new Date(at).getTime() + 7 * 3_600_000).toISOString().slice(0, 19).replace(/[-T:]/g, '') : '');

describe('national portal sync (production: PostgreSQL + BullMQ)', () => {
  let sim: PortalSimulator;
  let env: TestEnvironment;
  let api: ApiClient;
  const secret = randomBytes(32).toString('hex');

  beforeAll(async () => {
    sim = await startPortalSimulator({ secret });
    env = await startTestEnvironment('production', { env: { NATIONAL_PORTAL_URL: sim.url, NATIONAL_PORTAL_SECRET: secret, NATIONAL_PORTAL_SYSTEM_CODE: 'MOTCUA-TEST' } });
    api = await listenForHttp(env);
  });
  afterAll(async () => { await env?.close(); await sim?.close(); });

  /** Every step of the dossier acknowledged by the portal (the ledger says so). */
  const allSent = (dossierId: string) => eventually(async () => {
    const steps = await listStepsOfDossier(env.ctx.db, dossierId);
    return steps.length > 0 && steps.every((s) => s.sentAt !== null) ? steps : undefined;
  }, 40_000);

  it('reports a diploma-copy dossier and every step of it, in event order, with who, title, unit, status and dates', async () => {
    const uploads = [
      { field: 'identity', name: 'cccd.pdf', data: await makePdf(), type: 'application/pdf' },
      { field: 'authorisation', name: 'uy-quyen.png', data: makePng(), type: 'image/png' },
    ];
    const filed = await api.submit('diploma-copy', { ...diplomaRequest('Trần Văn Bình'), relation: 'relative', holderName: 'Nguyễn Thị Hồng Nhung' }, uploads);
    expect(filed.status).toBe(201);
    const code = filed.body.code as string;
    const [clerk, specialist, leader] = [await api.login('clerk'), await api.login('specialist'), await api.login('leader')];

    expect((await api.act(code, 'receive', clerk, { version: 1, comment: 'Ghi chú nội bộ của một cửa' })).body.status).toBe('checking');
    expect((await api.json('POST', `/api/dossiers/${encodeURIComponent(code)}/assignment`, { token: specialist, json: { version: 2 } })).status).toBe(200);
    expect((await api.act(code, 'extend', specialist, { version: 3, comment: 'Cần xác minh sổ gốc lưu trữ', data: { workingDays: 2 } })).status).toBe(200);
    const newDate = addWorkingDays(vnToday(), 6);
    expect((await api.act(code, 'apologise', specialist, { version: 4, comment: 'Sổ gốc đang được số hóa', data: { newDate } })).status).toBe(200);
    const register = { registerBookNumber: 'SG-2022-01', entryNumber: '1234/THPT', diplomaNumber: 'B 0456789', issuedDate: '2022-07-20' };
    expect((await api.act(code, 'verify', specialist, { version: 5, data: register })).body.status).toBe('awaiting_approval');
    expect((await api.act(code, 'approve', leader, { version: 6 })).body.status).toBe('signing');
    const ready = await eventually(async () => {
      const d = await findDossierByCode(env.ctx.db, code);
      return d?.status === 'result_ready' ? d : undefined;
    }, 40_000);
    expect((await api.act(code, 'return_result', clerk, { version: ready.version })).body.status).toBe('returned');

    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    const ledger = await allSent(dossier.id);
    const events = await listEvents(env.ctx.db, dossier.id);
    expect(events.map((e) => e.action)).toEqual(['submit', 'receive', 'claim', 'extend', 'apologise', 'verify', 'approve', 'result_issued', 'return_result']);
    // One ledger row per history event, written with it.
    expect(ledger.map((s) => s.eventId)).toEqual(events.map((e) => e.id));

    const record = sim.sync.dossiers.get(code);
    expect(record).toBeDefined();
    expect(record!.system).toBe('MOTCUA-TEST');
    expect(record!.creates).toBe(1);
    const steps = record!.steps;
    // Every step once, in event order, under its stable id.
    expect(steps.map((s) => s.MaBuoc)).toEqual(events.map((e) => `${code}:${e.id}`));
    // And as sent: every delivery counted, duplicates kept by the portal, so none may have been sent twice.
    expect(sim.sync.deliveries.filter((s) => s.MaHoSo === code).map((s) => s.MaBuoc)).toEqual(events.map((e) => `${code}:${e.id}`));
    expect(steps.map((s) => s.TrangThai)).toEqual(['1', '4', '4', '4', '4', '4', '4', '9', '10']);
    expect(steps.map((s) => s.NoiDungXuLy)).toEqual([
      'Nộp hồ sơ', 'Tiếp nhận hồ sơ', 'Nhận xử lý hồ sơ', 'Gia hạn thời gian giải quyết: Cần xác minh sổ gốc lưu trữ',
      'Xin lỗi và hẹn lại ngày trả kết quả: Sổ gốc đang được số hóa', 'Xác nhận có trong sổ gốc, trình phê duyệt', 'Phê duyệt và ký số',
      'Đã ký số kết quả', 'Trả kết quả',
    ]);
    // The desk's internal note on receiving never leaves motcua.
    expect(JSON.stringify(steps)).not.toContain('Ghi chú nội bộ');

    const staff = {
      clerk: (await findStaffByUsername(env.ctx.db, 'clerk'))!, specialist: (await findStaffByUsername(env.ctx.db, 'specialist'))!,
      leader: (await findStaffByUsername(env.ctx.db, 'leader'))!,
    };
    const unitName = new Map((await findUnitsByIds(env.ctx.db, [...Object.values(staff).map((s) => s.unitId), dossier.unitId])).map((u) => [u.id, u.name]));
    const who = (username: keyof typeof staff) => ({ NguoiXuLy: staff[username].fullName, ChucDanh: staff[username].title, PhongBanXuLy: unitName.get(staff[username].unitId) });
    expect(steps[0]).toMatchObject({ NguoiXuLy: 'Trần Văn Bình', ChucDanh: '', PhongBanXuLy: unitName.get(dossier.unitId) });
    expect(steps[1]).toMatchObject(who('clerk'));
    for (const i of [2, 3, 4, 5]) expect(steps[i]).toMatchObject(who('specialist'));
    expect(steps[6]).toMatchObject(who('leader'));
    expect(steps[8]).toMatchObject(who('clerk'));
    expect(staff.clerk.title).not.toBe('');
    expect(steps[1]!.PhongBanXuLy).not.toBe(steps[5]!.PhongBanXuLy);
    for (const [i, step] of steps.entries()) expect(step.ThoiDiemXuLy).toBe(vn(events[i]!.at));

    // Dates as they stood right after each step: the first due date, then the extension's, then the apology's.
    const extend = events[3]!.data as { previousDueAt: string; newDueAt: string };
    const apology = events[4]!.data as { newDueAt: string };
    expect(steps[0]!.NgayHenTra).toBe(vn(ledger[0]!.dueAt));
    expect(steps[1]!.NgayHenTra).toBe(vn(extend.previousDueAt));
    expect(steps[2]!.NgayHenTra).toBe(vn(extend.previousDueAt));
    expect(steps[3]!.NgayHenTra).toBe(vn(extend.newDueAt));
    expect(steps[3]!.NgayKetThucTheoQuyDinh).toBe(vn(extend.newDueAt));
    expect(vn(extend.newDueAt)).not.toBe(vn(extend.previousDueAt));
    for (const i of [4, 5, 6, 7, 8]) expect(steps[i]!.NgayHenTra).toBe(vn(apology.newDueAt));
    expect(steps[5]!.NgayKetThucTheoQuyDinh).toBe(vn(extend.newDueAt));

    // The dossier as the portal holds it at the end.
    await eventually(async () => (record!.dossier.TrangThaiHoSo === '10' ? true : undefined));
    expect(record!.dossier).toMatchObject({
      MaHoSo: code, MaTTHC: '1.005092.000.00.00.H56', KenhThucHien: '2', ChuHoSo: 'Trần Văn Bình', SoGiayToChuHoSo: '038090001234',
      TrangThaiHoSo: '10', NgayNopHoSo: vn(dossier.submittedAt), NgayTiepNhan: vn(dossier.receivedAt), NgayHenTra: vn(apology.newDueAt),
      NgayTra: vn(dossier.closedAt), TaiKhoanDuocXacThucVoiVNeID: '0', DuocThanhToanTrucTuyen: '0',
    });
    expect(record!.updates).toBeGreaterThan(0);
    expect(sim.sync.refused).toEqual([]);

    // The administrators' view: nothing left, the last steps sent.
    const admin = await api.login('admin');
    const view = await api.json('GET', '/api/admin/national-portal/sync', { token: admin });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ configured: true, portalUrl: sim.url, failingDossiers: [], failedEffects: [] });
    expect(view.body.recentSent.map((r: { dossierCode: string }) => r.dossierCode)).toContain(code);
    expect((await api.json('GET', '/api/admin/national-portal/sync', { token: clerk })).status).toBe(403);
    expect(JSON.stringify(view.body)).not.toContain(secret);
  });

  it('keeps the steps of several dossiers while the portal is down and delivers each once, in order, when it is back', async () => {
    const ctx = env.ctx;
    const baseline = { deliveries: sim.sync.deliveries.length, lostBatches: sim.sync.lostAckBatches.length };
    sim.down = true;
    const clerk = await staffCaller(ctx, 'clerk');
    const specialist = await staffCaller(ctx, 'specialist');
    const codes: string[] = [];
    for (const name of ['Lê Văn Một', 'Lê Văn Hai', 'Lê Văn Ba']) {
      const { code } = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest(name), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }] });
      codes.push(code);
      await performAction(ctx, { code, action: 'receive', caller: clerk, version: 1 });
    }
    await assignDossier(ctx, { code: codes[0]!, caller: specialist, version: 2 });
    await performAction(ctx, { code: codes[0]!, action: 'request_supplement', caller: specialist, version: 3, comment: 'Thiếu bản chụp căn cước rõ nét' });
    await performAction(ctx, { code: codes[1]!, action: 'refuse', caller: specialist, version: 2, comment: 'Không có tên trong sổ gốc' });

    // Tries fail while the portal is down; the ledger records them and the administrators see the dossiers.
    await eventually(async () => (sim.refusedWhileDown >= 3 ? true : undefined), 20_000);
    const admin = await api.login('admin');
    const failing = await eventually(async () => {
      const view = await api.json('GET', '/api/admin/national-portal/sync', { token: admin });
      return view.body.failingDossiers.length >= 3 ? view.body : undefined;
    }, 20_000);
    expect(failing.unsentSteps).toBe(9);
    expect(failing.failingDossiers[0].lastError).toMatch(/503/);
    for (const code of codes) expect(sim.sync.dossiers.has(code)).toBe(false);

    // Back up, and the first acknowledgement is lost on the way back: that batch, and only it, may go out twice.
    sim.sync.loseAcks = 1;
    sim.down = false;
    for (const code of codes) {
      const dossier = (await findDossierByCode(ctx.db, code))!;
      await allSent(dossier.id);
      const events = await listEvents(ctx.db, dossier.id);
      // What we sent (every delivery, duplicates kept): first deliveries in event order, nothing lost.
      const sent = sim.sync.deliveries.slice(baseline.deliveries).filter((s) => s.MaHoSo === code).map((s) => s.MaBuoc!);
      expect([...new Set(sent)]).toEqual(events.map((e) => `${code}:${e.id}`));
      expect((await listForDossier(ctx.db, dossier.id)).filter((r) => r.job === NATIONAL_SYNC_JOB).every((r) => r.doneAt !== null || r.failedAt === null)).toBe(true);
    }
    // A step delivered twice is one of the batch whose acknowledgement was lost, and it went out at most twice.
    const lost = sim.sync.lostAckBatches.slice(baseline.lostBatches);
    expect(lost).toHaveLength(1);
    const lostIds = new Set(lost.flat().map((s) => s.MaBuoc));
    const counts = new Map<string, number>();
    for (const s of sim.sync.deliveries.slice(baseline.deliveries)) counts.set(s.MaBuoc!, (counts.get(s.MaBuoc!) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1);
    for (const [id, n] of twice) {
      expect(lostIds.has(id)).toBe(true);
      expect(n).toBe(2);
    }
    // The lost batch was resent (the portal stored it, but we could not know).
    expect(twice.length).toBeGreaterThan(0);
    expect(sim.sync.dossiers.get(codes[0]!)!.steps.map((s) => s.TrangThai)).toEqual(['1', '4', '4', '5']);
    expect(sim.sync.dossiers.get(codes[1]!)!.steps.map((s) => s.TrangThai)).toEqual(['1', '4', '9']);
    expect(sim.sync.dossiers.get(codes[1]!)!.steps.at(-1)!.NoiDungXuLy).toBe('Không đủ điều kiện giải quyết: Không có tên trong sổ gốc');
    expect(sim.sync.dossiers.get(codes[2]!)!.steps.map((s) => s.TrangThai)).toEqual(['1', '4']);
    await eventually(async () => (sim.sync.dossiers.get(codes[0]!)!.dossier.TrangThaiHoSo === '5' ? true : undefined));
    const after = await api.json('GET', '/api/admin/national-portal/sync', { token: admin });
    expect(after.body).toMatchObject({ unsentSteps: 0, failingDossiers: [] });

    // The citizen supplies the documents after three working days: the clock resumes and the portal gets the new date.
    const waiting = (await findDossierByCode(ctx.db, codes[0]!))!;
    let pausedDay = vnToday();
    for (let i = 0; i < 3; i++) do pausedDay = addDays(pausedDay, -1); while (!isWorkingDay(pausedDay));
    await ctx.db.update(dossiers).set({ clockPausedAt: vnInstant(pausedDay, '10:00') }).where(eq(dossiers.id, waiting.id));
    await performAction(ctx, { code: codes[0]!, action: 'resubmit', caller: { kind: 'public', bearer: trackingTokenFor(ctx.secret, waiting.id) }, version: waiting.version });
    const resumed = (await findDossierByCode(ctx.db, codes[0]!))!;
    expect(resumed.dueAt!.getTime()).toBeGreaterThan(waiting.dueAt!.getTime());
    await allSent(waiting.id);
    const steps = sim.sync.dossiers.get(codes[0]!)!.steps;
    expect(steps.map((s) => s.TrangThai)).toEqual(['1', '4', '4', '5', '1']);
    expect(steps.at(-2)!.NgayHenTra).toBe(vn(waiting.dueAt));
    expect(steps.at(-1)).toMatchObject({ NguoiXuLy: 'Lê Văn Một', NoiDungXuLy: 'Nộp bổ sung hồ sơ', NgayHenTra: vn(resumed.dueAt) });
  });

  it('writes no sync rows for a procedure version without `national` (the pinned version decides)', async () => {
    const ctx = env.ctx;
    const admin = await api.login('admin');
    const original = await readFile(path.join(env.config.workflowsDir, 'diploma-copy.yaml'), 'utf8');
    const withoutNational = original.replace(/^national:\n(?: {2}.*\n)+/m, '');
    expect(withoutNational).not.toMatch(/^national:/m);
    const form = new FormData();
    form.append('file', new Blob([withoutNational], { type: 'application/yaml' }), 'diploma-copy.yaml');
    const uploaded = await api.json('POST', '/api/admin/procedures', { token: admin, form });
    expect(uploaded.status).toBe(201);

    const clerk = await staffCaller(ctx, 'clerk');
    const { code } = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Hoàng Thị Không'), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }] });
    await performAction(ctx, { code, action: 'receive', caller: clerk, version: 1 });
    const dossier = (await findDossierByCode(ctx.db, code))!;
    expect((await ctx.catalog.definitionFor(dossier.procedureVersionId)).national).toBeUndefined();
    expect(await listStepsOfDossier(ctx.db, dossier.id)).toEqual([]);
    expect((await listForDossier(ctx.db, dossier.id)).map((r) => r.job)).not.toContain(NATIONAL_SYNC_JOB);
    expect(sim.sync.dossiers.has(code)).toBe(false);
  });
});

describe('no national portal configured (production)', () => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment('production'); });
  afterAll(async () => { await env?.close(); });

  it('writes no sync step and no sync effect, at intake or on actions', async () => {
    const ctx = env.ctx;
    expect(ctx.config.nationalPortal).toBeUndefined();
    const { code } = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }] });
    await performAction(ctx, { code, action: 'receive', caller: await staffCaller(ctx, 'clerk'), version: 1 });
    await performAction(ctx, { code, action: 'extend', caller: await staffCaller(ctx, 'specialist'), version: 2, comment: 'Cần thêm thời gian', data: { workingDays: 1 } });
    expect(await ctx.db.select().from(nationalSyncSteps)).toEqual([]);
    expect((await ctx.db.select().from(outbox)).map((r) => r.job)).not.toContain(NATIONAL_SYNC_JOB);
  });
});
