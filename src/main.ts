// `npm start`: the embedded default — PGlite under DATA_DIR, jobs inline, demo data — API and jobs in one process.
// With DATABASE_URL/REDIS_URL set it is a server plus an in-process worker.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { AppContext } from './app-context.js';
import { buildApp } from './app.js';
import { DEMO_PASSWORD, DEMO_STAFF } from './db/seed/index.js';
import { REMOTE_DEMO_HOLDER, seedRemoteSigningDemo } from './db/seed/remote-demo.js';
import { runProcess } from './entrypoint.js';
import { remoteSigningClient } from './signing/remote-signing-client.js';

/**
 * The demo's remote-signing provider: the simulator (tools/remote-signing-sim) on a free loopback port, issuing from
 * the demo CA, confirming on the "phone" after 3 s; one demo official signs through it. Only when no provider is
 * configured. Loaded on demand: a production start never imports it.
 */
async function startDemoRemoteSigning(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const { startRemoteSigningSimulator } = await import('../tools/remote-signing-sim/index.js');
  const caDir = path.join(ctx.config.dataDir, 'demo-ca');
  const clientId = 'motcua-demo';
  const clientSecret = randomBytes(24).toString('base64url');
  const simulator = await startRemoteSigningSimulator({
    clientId, clientSecret, host: '127.0.0.1', autoConfirmMs: 3000,
    caCertificateFile: path.join(caDir, 'ca.crt.pem'), caKeyFile: path.join(caDir, 'ca.key.pem'),
    stateDir: path.join(ctx.config.dataDir, 'remote-signing-sim'),
    holders: [{ userId: REMOTE_DEMO_HOLDER.userId, name: REMOTE_DEMO_HOLDER.name, organisation: REMOTE_DEMO_HOLDER.organisation }],
  });
  ctx.config.remoteSigning = { url: simulator.url, clientId, clientSecret, pollMs: 2000 };
  if (await seedRemoteSigningDemo(ctx.db, ctx.signerKeys, remoteSigningClient(ctx.config))) {
    ctx.log.info(`demo remote signing: ${REMOTE_DEMO_HOLDER.username} signs through the simulator at ${simulator.url}`);
  }
  return simulator;
}

/**
 * The demo's identity provider in place of VNeID: a real OpenID Provider (identity/demo-provider.ts) on a free loopback
 * port with the demo citizens (identity/demo-citizens.yaml), its client configured here. Only when no provider is
 * configured; loaded on demand, so a production start never imports it.
 */
async function startDemoIdentityProvider(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const { startDemoOidcProvider, loadDemoCitizens } = await import('./identity/demo-provider.js');
  const login = ctx.config.citizenLogin;
  const clientId = 'motcua-demo';
  const clientSecret = randomBytes(24).toString('base64url');
  const citizens = loadDemoCitizens();
  const provider = await startDemoOidcProvider({
    host: '127.0.0.1', clientId, clientSecret, redirectUri: login.redirectUri, postLogoutRedirectUri: login.postLogoutRedirectUri, citizens,
  });
  login.provider = { issuer: provider.url, clientId, clientSecret };
  ctx.log.info({ citizens: citizens.map((c) => `${String(c.claims.ho_va_ten)} — ${c.description ?? ''}`) },
    `demo identity provider (Máy chủ định danh thử nghiệm, not VNeID) at ${provider.url}: "Đăng nhập bằng VNeID" picks a demo citizen`);
  return provider;
}

/**
 * The demo's national public-service portal: the simulator (tools/national-portal-sim) on a free loopback port with a
 * random shared secret, so the steps of the demo procedures are synced to it (admin page /quan-tri/lien-thong/dong-bo).
 * Only when no portal is configured; loaded on demand, so a production start never imports it.
 */
async function startDemoNationalPortal(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const { startPortalSimulator } = await import('../tools/national-portal-sim/simulator.js');
  const secret = randomBytes(32).toString('base64url');
  const simulator = await startPortalSimulator({ secret, host: '127.0.0.1', motcuaUrl: ctx.config.publicUrl });
  ctx.config.nationalPortal = { url: simulator.url, secret, systemCode: 'MOTCUA-DEMO', timeoutMs: 10_000 };
  ctx.log.info(`demo national portal (Cổng DVC quốc gia thử nghiệm) at ${simulator.url}: dossiers and their steps are synced to it`);
  return simulator;
}

/**
 * The demo's Payment Platform: the simulator (tools/payment-platform-sim) on a free loopback port with a random shared
 * secret, its callbacks and browser returns pointing at this server's PUBLIC_URL, so "Nộp phí trực tuyến" works end to
 * end (the simulator's page has "Thanh toán" and "Hủy"). Only when no platform is configured; loaded on demand, so a
 * production start never imports it.
 */
async function startDemoPaymentPlatform(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const { startPaymentPlatformSimulator } = await import('../tools/payment-platform-sim/index.js');
  const partnerCode = 'MOTCUA-DEMO';
  const secret = randomBytes(32).toString('base64url');
  const publicUrl = ctx.config.publicUrl.replace(/\/+$/, '');
  const simulator = await startPaymentPlatformSimulator({
    partnerCode, secret, host: '127.0.0.1', confirmUrl: `${publicUrl}/api/payment-platform/confirm`, returnUrl: `${publicUrl}/thanh-toan/ket-qua`,
  });
  ctx.config.paymentPlatform = { url: simulator.url, partnerCode, secret, accessToken: undefined, timeoutMs: 10_000, reconcileAfterMs: 10 * 60_000 };
  ctx.log.info(`demo Payment Platform (Nền tảng thanh toán thử nghiệm, no real money) at ${simulator.url}`);
  return simulator;
}

await runProcess('motcua', (config) => (config.queue.kind === 'inline' ? 'embedded' : 'worker'), async (ctx, log) => {
  const simulator = ctx.config.demoData && !ctx.config.remoteSigning ? await startDemoRemoteSigning(ctx) : undefined;
  const identityProvider = ctx.config.demoData && !ctx.config.citizenLogin.provider ? await startDemoIdentityProvider(ctx) : undefined;
  const nationalPortal = ctx.config.demoData && !ctx.config.nationalPortal ? await startDemoNationalPortal(ctx) : undefined;
  const paymentPlatform = ctx.config.demoData && !ctx.config.paymentPlatform ? await startDemoPaymentPlatform(ctx) : undefined;
  const app = await buildApp(ctx);
  await ctx.jobs.start();
  await app.listen({ host: ctx.config.host, port: ctx.config.port });
  const { config } = ctx;
  if (config.demoData) {
    log.info(
      { accounts: DEMO_STAFF.map((s) => `${s.username} — ${s.title}`) },
      `motcua is ready at ${config.publicUrl} (embedded: PGlite in ${config.dataDir}, jobs inline). ` +
        `Demo staff accounts: ${DEMO_STAFF.map((s) => s.username).join(', ')} — password "${DEMO_PASSWORD}"`,
    );
  }
  return { close: async () => { await app.close(); await simulator?.close(); await identityProvider?.close(); await nationalPortal?.close(); await paymentPlatform?.close(); } };
});
