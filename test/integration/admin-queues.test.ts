// The administrators' queue page (/quan-tri/hang-doi): per queue counts and the oldest waiting job, the outbox lag,
// links to the failed effects; admins only (other staff 403, the public sent to sign in). A Redis that does not answer
// leaves the queue table out with the reason, within the inspector's time limit, and the outbox part still shows.
import net from 'node:net';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema/index.js';
import { failFastRedis } from '../../src/redis.js';
import { vnAge } from '../../src/routes/pages/admin/queues.js';
import { QueueInspector } from '../../src/services/operations/queue-status.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

const login = async (env: TestEnvironment, username: string) =>
  (await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } })).json().token as string;

describe('queue page in production mode', () => {
  let env: TestEnvironment;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    env = await startTestEnvironment('production');
    for (const who of ['admin', 'clerk', 'leader']) tokens[who] = await login(env, who);
  });
  afterAll(async () => { await env?.close(); });

  const page = (who?: string) => env.app.inject({ method: 'GET', url: '/quan-tri/hang-doi', headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });

  it('shows each BullMQ queue, the outbox lag and the failed effects to an administrator', async () => {
    const [old] = await env.ctx.db.insert(outbox).values({
      job: 'notify-citizen', payload: { probe: true },
      createdAt: new Date(Date.now() - (2 * 3_600 + 5 * 60) * 1000), availableAt: new Date(Date.now() + 86_400_000),
    }).returning();
    const [failed] = await env.ctx.db.insert(outbox).values({
      job: 'issue-result', payload: { probe: true }, failedAt: new Date(), relayedAt: new Date(), lastError: 'thử',
    }).returning();
    try {
      const res = await page('admin');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      const body = res.body;
      expect(body).toContain('<h1>Hàng đợi tác vụ</h1>');
      expect(body).toContain('Hàng đợi (BullMQ)');
      for (const queue of ['notify-citizen', 'issue-result', 'sla-sweep']) expect(body).toContain(`<code>${queue}</code>`);
      // Every queue is labelled in Vietnamese, the system jobs too (one label function with the failed effects).
      expect(body).toContain('<code>notify-citizen</code><br><span class="muted">Gửi thư điện tử / tin nhắn cho công dân.</span>');
      expect(body).toContain('<code>sla-sweep</code><br><span class="muted">Rà soát hồ sơ sắp đến hạn, quá hạn.</span>');
      expect(body).toContain('<code>issue-result</code><br><span class="muted">Tạo và ký số văn bản kết quả (PDF).</span>');
      // The citizen's notifications travel in batch jobs: that queue is listed too, said to count batches.
      expect(body).toContain('<code>notify-citizen-batch</code><br><span class="muted">Thông báo cho công dân (theo lô, mỗi lô tối đa 100 tin).</span>');
      expect(body).toMatch(/data-testid="outbox-lag">2 giờ [45] phút</);
      expect(body).toMatch(/<a href="\/can-bo\/tac-vu-loi">\d+ tác vụ lỗi<\/a>/);
      expect(body).toContain('aria-current="page"'); // the administration menu marks this section
      expect(body).toMatch(/<td data-label="Đang chạy">\d+<\/td>/);
    } finally {
      await env.ctx.db.delete(outbox).where(sql`id in (${old!.id}, ${failed!.id})`);
    }
  });

  it('refuses other staff with 403 and sends the public to sign in', async () => {
    for (const who of ['clerk', 'leader']) {
      const res = await page(who);
      expect(res.statusCode, who).toBe(403);
      expect(res.body).not.toContain('Hàng đợi (BullMQ)');
    }
    const anonymous = await page();
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/dang-nhap/);
  });

  it('says in Vietnamese which part did not answer within the time limit', async () => {
    // A server that accepts connections and never replies: every Redis command hangs until the inspector's limit.
    const silent = net.createServer((socket) => { socket.on('error', () => {}); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const redis = new Redis({ port: (silent.address() as net.AddressInfo).port, host: '127.0.0.1', enableReadyCheck: false, lazyConnect: false });
    redis.on('error', () => {});
    const inspector = new QueueInspector(env.ctx, redis, 300);
    try {
      const status = await inspector.status();
      expect(status.queues).toBeNull();
      expect(status.queueError).toBe('Redis không trả lời trong 300 ms');
      expect(status.outbox).not.toBeNull();
    } finally {
      redis.disconnect();
      await Promise.race([inspector.close(), new Promise((r) => setTimeout(r, 1_000))]);
      silent.close();
    }
  });

  it('leaves the queues out, with the reason, when Redis does not answer; the outbox still shows', async () => {
    const redis = failFastRedis('redis://127.0.0.1:1', pino({ level: 'silent' }), 'unreachable');
    const inspector = new QueueInspector(env.ctx, redis, 500);
    try {
      const started = Date.now();
      const status = await inspector.status();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(status.queues).toBeNull();
      // A fixed sentence, not the driver's message (it names addresses and internals: those go to the log).
      expect(status.queueError).toMatch(/^Redis (không trả lời trong 500 ms|báo lỗi khi đọc; chi tiết đã được ghi vào nhật ký máy chủ)$/);
      expect(status.queueError).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
      expect(status.outbox).toMatchObject({ pending: expect.any(Number), failed: expect.any(Number) });
    } finally {
      await inspector.close();
      redis.disconnect();
    }
  });
});

describe('queue page in the embedded mode', () => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment('embedded'); });
  afterAll(async () => { await env?.close(); });

  it('shows the outbox per job in place of the queues', async () => {
    const token = await login(env, 'admin');
    const res = await env.app.inject({ method: 'GET', url: '/quan-tri/hang-doi', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('chế độ nhúng');
    expect(res.body).toContain('Tác vụ theo loại');
    expect(res.body).toContain('<code>notify-citizen</code>');
    // Running jobs and completed ones are not told apart embedded: shown as unknown, not as 0.
    expect(res.body).toMatch(/<td data-label="Đang chạy">—<\/td>/);
    expect(res.body).not.toContain('Đã chuyển vào hàng đợi, chưa xong');
  });
});

describe('vnAge', () => {
  it('says an age in at most two Vietnamese units', () => {
    const now = new Date('2026-01-10T10:00:00Z');
    const ago = (s: number) => vnAge(new Date(now.getTime() - s * 1000), now);
    expect(vnAge(null, now)).toBeNull();
    expect(ago(0)).toBe('0 giây');
    expect(ago(65)).toBe('1 phút 5 giây');
    expect(ago(2 * 3600 + 4 * 60 + 9)).toBe('2 giờ 4 phút');
    expect(ago(3 * 86_400 + 3600)).toBe('3 ngày 1 giờ');
    expect(ago(86_400 + 30)).toBe('1 ngày');
    expect(ago(3600 + 59)).toBe('1 giờ');
  });
});
