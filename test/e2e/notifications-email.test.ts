// Citizen e-mails through the outbox and the notify-citizen job, received by a real local SMTP server
// (smtp-server) and parsed back (mailparser): one on intake and one on each status change, with the dossier code,
// the new status and the tracking link; none twice when the job runs again; SMS (logged) when there is no e-mail.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/registry.js';
import { countPending } from '../../src/db/repositories/outbox.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findNotification } from '../../src/db/repositories/notifications.js';
import { closeMailer } from '../../src/notifications/mailer.js';
import { startTestEnvironment, type Mode, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';

interface Received { to: string[]; mail: ParsedMail }

async function startSmtp(): Promise<{ server: SMTPServer; port: number; inbox: Received[] }> {
  const inbox: Received[] = [];
  const server = new SMTPServer({
    // A plain local relay: no TLS upgrade and no login, as a test catcher.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, inbox };
}

describe.each<Mode>(['production', 'embedded'])('citizen notifications (%s)', (mode) => {
  let env: TestEnvironment;
  let api: ApiClient;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
    env = await startTestEnvironment(mode, { env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Sở GD&ĐT Thanh Hóa <motcua@sogd.test>' } });
    api = await listenForHttp(env);
  });
  afterAll(async () => {
    if (env) closeMailer(env.config);
    await env?.close();
    await new Promise<void>((resolve) => smtp?.server.close(() => resolve()));
  });

  const mailsFor = (code: string) => smtp.inbox.filter((r) => r.mail.subject?.includes(code));

  it('e-mails the citizen on intake and on every status change, with the code, the status and the tracking link', async () => {
    const email = `cong.dan.${mode}@example.test`;
    const filed = await api.submit('diploma-copy', { ...diplomaRequest('Hoàng Thị Mai'), applicantEmail: email },
      [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }]);
    expect(filed.status).toBe(201);
    const { code, trackingToken } = filed.body as { code: string; trackingToken: string };

    const intake = await eventually(async () => mailsFor(code)[0]);
    expect(intake.to).toEqual([email]);
    expect(intake.mail.from?.value[0]).toMatchObject({ address: 'motcua@sogd.test', name: 'Sở GD&ĐT Thanh Hóa' });
    expect(intake.mail.subject).toBe(`[${code}] Đã nhận hồ sơ trực tuyến: Cấp bản sao văn bằng, chứng chỉ từ sổ gốc`);
    expect(intake.mail.text).toContain('Kính gửi ông (bà) Hoàng Thị Mai');
    expect(intake.mail.text).toContain(`Mã hồ sơ: ${code}`);
    expect(intake.mail.text).toContain('Trạng thái: Mới nộp');
    // The token rides in the fragment, which browsers never send to the server (public/assets/track.js posts it).
    const link = `http://motcua.test/tra-cuu?ma=${encodeURIComponent(code)}#t=${encodeURIComponent(trackingToken)}`;
    expect(intake.mail.text).toContain(link);

    const clerk = await api.login('clerk');
    await api.act(code, 'request_supplement', clerk, { version: 1, comment: 'Đề nghị nộp bản chụp căn cước rõ nét hơn.' });
    const supplement = await eventually(async () => mailsFor(code).find((r) => r.mail.subject?.includes('Chờ công dân bổ sung')));
    expect(supplement.mail.subject).toBe(`[${code}] Chờ công dân bổ sung: Cấp bản sao văn bằng, chứng chỉ từ sổ gốc`);
    expect(supplement.mail.text).toContain('Trạng thái mới: Chờ công dân bổ sung');
    expect(supplement.mail.text).toContain('Ý kiến của cán bộ: Đề nghị nộp bản chụp căn cước rõ nét hơn.');
    expect(supplement.mail.text).toContain('thời hạn giải quyết tạm dừng');
    expect(supplement.mail.text).toContain(link);

    const form = new FormData();
    form.append('version', '2');
    form.append('identity', new Blob([await makePdf()], { type: 'application/pdf' }), 'cccd.pdf');
    await api.json('POST', `/api/dossiers/${encodeURIComponent(code)}/actions/resubmit`, { token: trackingToken, form });
    await api.act(code, 'receive', clerk, { version: 3 });
    const received = await eventually(async () => mailsFor(code).find((r) => r.mail.subject?.includes('Đang thẩm định')));
    expect(received.mail.text).toContain('Thao tác: Tiếp nhận hồ sơ');
    expect(received.mail.text).toMatch(/Ngày hẹn trả kết quả: \d{2}\/\d{2}\/\d{4}/);
    // submit, request_supplement, resubmit, receive: four events, four messages.
    await eventually(async () => (mailsFor(code).length >= 4 ? true : undefined));
    await env.ctx.jobs.idle(10_000);
    // Jobs run concurrently, so two quick events may arrive in either order.
    expect(mailsFor(code).map((r) => r.mail.subject?.split(']')[1]?.split(':')[0]?.trim()).sort()).toEqual(
      ['Đã nhận hồ sơ trực tuyến', 'Chờ công dân bổ sung', 'Mới nộp', 'Đang thẩm định'].sort(),
    );

    // Running the job again for an event already announced sends nothing.
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    await runJob(env.ctx, 'notify-citizen', { dossierId: dossier.id, dossierVersion: 4 });
    expect(mailsFor(code)).toHaveLength(4);
    expect(await findNotification(env.ctx.db, dossier.id, 4)).toMatchObject({ channel: 'email', recipient: email });
  });

  it('falls back to the SMS sender (logged) when the citizen gave no e-mail', async () => {
    const filed = await api.submit('diploma-copy', diplomaRequest('Vũ Văn Long'), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }]);
    const { code } = filed.body as { code: string };
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    const row = await eventually(async () => findNotification(env.ctx.db, dossier.id, 1));
    expect(row).toMatchObject({ channel: 'sms', recipient: '0912345678' });
    expect(mailsFor(code)).toHaveLength(0);
    await env.ctx.jobs.idle(10_000);
    expect(await countPending(env.ctx.db)).toBe(0);
  });
});
