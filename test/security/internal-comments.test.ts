// Finding 2, staff's internal comments: a citizen reads only the comments written for them — on a transition to a
// state where they act (a supplement request) or to a final state, and on `extend`/`apologise` (history-events.ts
// commentForCitizen). A leader's send_back reason, a specialist's check note or a transfer note stay internal: not in
// the citizen's API view, page, e-mail or control slip; staff still read every one.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { createLogger } from '../../src/logger.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { notifyCitizen } from '../../src/services/notifications/notify-citizen.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { pdfText } from '../helpers/pdf-tools.js';

const CHECK_NOTE = 'Ghi chú thẩm định nội bộ KT-7781';
const SEND_BACK = 'Lãnh đạo trả lại: chuyên viên đối chiếu sai số sổ LD-5521';
const SUPPLEMENT = 'Đề nghị nộp bản chụp căn cước rõ nét BS-3307';

let env: TestEnvironment;
let code: string;
let trackingToken: string;
let dossierId: string;
let sendBackVersion: number;
let supplementVersion: number;

beforeAll(async () => {
  env = await startTestEnvironment('production');
  const filed = await submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: { ...diplomaRequest('Ngô Thị Hà'), applicantEmail: 'ngo.thi.ha@example.test' },
    files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  ({ code, trackingToken } = filed);
  const [clerk, specialist, leader] = [await staffCaller(env.ctx, 'clerk'), await staffCaller(env.ctx, 'specialist'), await staffCaller(env.ctx, 'leader')];
  const register = { registerBookNumber: 'SG-01', entryNumber: '77/THPT', diplomaNumber: 'B 1234567', issuedDate: '2019-07-01' };
  await performAction(env.ctx, { code, action: 'receive', caller: clerk, version: 1 });
  await performAction(env.ctx, { code, action: 'verify', caller: specialist, version: 2, comment: CHECK_NOTE, data: register });
  sendBackVersion = (await performAction(env.ctx, { code, action: 'send_back', caller: leader, version: 3, comment: SEND_BACK })).version;
  supplementVersion = (await performAction(env.ctx, { code, action: 'request_supplement', caller: specialist, version: sendBackVersion, comment: SUPPLEMENT })).version;
  dossierId = (await findDossierByCode(env.ctx.db, code))!.id;
  await env.ctx.jobs.idle(20_000);
});
afterAll(async () => { await env?.close(); });

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const staffToken = async (username: string) => (await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } })).json().token as string;

describe('the citizen reads only what was written for them', () => {
  it('API: the supplement request comes with its comment, the send-back and the check note without', async () => {
    const view = (await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}`, headers: bearer(trackingToken) })).json();
    const comments = Object.fromEntries(view.history.map((h: { action: string; comment: string | null }) => [h.action, h.comment]));
    expect(comments).toEqual({ submit: null, receive: null, verify: null, send_back: null, request_supplement: SUPPLEMENT });
    expect(JSON.stringify(view)).not.toContain('LD-5521');
    expect(JSON.stringify(view)).not.toContain('KT-7781');

    const staff = (await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}`, headers: bearer(await staffToken('specialist')) })).json();
    const staffComments = Object.fromEntries(staff.history.map((h: { action: string; comment: string | null }) => [h.action, h.comment]));
    expect(staffComments).toMatchObject({ verify: CHECK_NOTE, send_back: SEND_BACK, request_supplement: SUPPLEMENT });
  });

  it('page: the timeline and the supplement box show the request, not the internal notes', async () => {
    const cookie = Buffer.from(JSON.stringify([{ code, token: trackingToken }])).toString('base64url');
    const page = await env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}`, cookies: { motcua_track: cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('BS-3307');
    expect(page.body).not.toContain('LD-5521');
    expect(page.body).not.toContain('KT-7781');
  });

  it("e-mail: the send-back's message has no reason, the supplement request's has it", async () => {
    const lines: string[] = [];
    const log = createLogger({ logLevel: 'info' }, 'test', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
    // A fresh config object: its own (logging) mailer, which this logger records.
    const ctx = { ...env.ctx, log, config: { ...env.ctx.config, mail: { ...env.ctx.config.mail, smtpUrl: undefined } } };
    await env.ctx.database.query('delete from citizen_notifications where dossier_id = $1 and dossier_version in ($2, $3)', [dossierId, sendBackVersion, supplementVersion]);
    await notifyCitizen(ctx, dossierId, sendBackVersion);
    await notifyCitizen(ctx, dossierId, supplementVersion);
    const mails = lines.map((l) => JSON.parse(l) as { mail?: { subject: string; text: string } }).filter((l) => l.mail).map((l) => l.mail!);
    expect(mails).toHaveLength(2);
    const [sentBack, supplement] = mails;
    expect(sentBack!.subject).toContain('Đang thẩm định');
    expect(sentBack!.text).toContain('Thao tác: Trả lại chuyên viên');
    expect(sentBack!.text).not.toContain('LD-5521');
    expect(sentBack!.text).not.toContain('Ý kiến của cán bộ');
    expect(supplement!.text).toContain(`Ý kiến của cán bộ: ${SUPPLEMENT}`);
  });

  it('control slip: the citizen\'s copy carries the request only; the staff copy every note', async () => {
    const url = `/api/dossiers/${encodeURIComponent(code)}/forms/control-slip`;
    const citizen = await env.app.inject({ method: 'GET', url, headers: bearer(trackingToken) });
    expect(citizen.statusCode).toBe(200);
    const citizenText = (await pdfText(citizen.rawPayload)).replace(/\s+/g, ' ');
    expect(citizenText).toContain('BS-3307');
    expect(citizenText).not.toContain('LD-5521');
    expect(citizenText).not.toContain('KT-7781');
    const staff = await env.app.inject({ method: 'GET', url, headers: bearer(await staffToken('clerk')) });
    const staffText = (await pdfText(staff.rawPayload)).replace(/\s+/g, ' ');
    expect(staffText).toContain('LD-5521');
  });
});
