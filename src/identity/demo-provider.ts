// The demo identity provider: a real OpenID Provider (the `oidc-provider` package) on a loopback port, standing in for
// VNeID in the embedded default (main.ts) and in the tests. Authorization Code with PKCE (S256) required, one client
// (motcua), VNeID-like claims from demo-citizens.yaml under the `citizen` scope, and a Vietnamese page where one picks
// a demo citizen — no password, clearly marked as not the real VNeID. In-memory: restarting it forgets its sessions.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Handlebars from 'handlebars';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_TEMPLATES_DIR } from '../paths.js';
import { DEFAULT_CLAIMS_MAP } from './claims-map.js';

export const DEMO_CITIZENS_FILE = path.join(import.meta.dirname, 'demo-citizens.yaml');
/** The scope releasing the citizen claims (OIDC_SCOPES' default asks for it). */
export const CITIZEN_SCOPE = 'citizen';

const demoCitizenSchema = z.object({
  account: z.string().regex(/^[a-z0-9-]{1,64}$/),
  description: z.string().default(''),
  acr: z.string().min(1),
  claims: z.record(z.string(), z.unknown()),
});
export type DemoCitizen = z.input<typeof demoCitizenSchema>;

export function loadDemoCitizens(file = DEMO_CITIZENS_FILE): DemoCitizen[] {
  return z.array(demoCitizenSchema).min(1).parse(parseYaml(readFileSync(file, 'utf8')));
}

export interface DemoOidcProviderOptions {
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
  clientId: string;
  /** Absent: a public client (PKCE alone). */
  clientSecret?: string;
  redirectUri: string;
  /** Where the provider may send the browser after its logout. */
  postLogoutRedirectUri?: string;
  /** Absent: demo-citizens.yaml. */
  citizens?: DemoCitizen[];
}

export interface DemoOidcProvider {
  /** The issuer (= the server's base URL). */
  url: string;
  close(): Promise<void>;
}

/** Every claim name the demo citizens use, released under the `citizen` scope (what a VNeID-like provider sends). */
function citizenClaimNames(citizens: DemoCitizen[]): string[] {
  const names = new Set<string>(Object.values(DEFAULT_CLAIMS_MAP).filter((v): v is string => typeof v === 'string' && v !== 'acr'));
  for (const name of Object.values(DEFAULT_CLAIMS_MAP.family)) names.add(name);
  for (const citizen of citizens) for (const name of Object.keys(citizen.claims)) names.add(name);
  return [...names].filter((n) => n && !n.includes('.'));
}

interface Stored { payload: Record<string, unknown>; expiresAt: number }

/**
 * oidc-provider's storage in this process's memory (sessions, interactions, codes, tokens, grants), each entry dropped
 * when it expires: enough for a demo provider that one process runs (its own development adapter says as much, loudly).
 */
function memoryAdapter() {
  const entries = new Map<string, Stored>();
  const byGrant = new Map<string, Set<string>>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) { entries.delete(key); return undefined; }
    return entry;
  };
  return class MemoryAdapter {
    constructor(readonly model: string) {}
    key(id: string) { return `${this.model}:${id}`; }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      const key = this.key(id);
      entries.set(key, { payload, expiresAt: Date.now() + (expiresIn || 3600) * 1000 });
      if (typeof payload.grantId === 'string') {
        const keys = byGrant.get(payload.grantId) ?? new Set<string>();
        keys.add(key);
        byGrant.set(payload.grantId, keys);
      }
      if (typeof payload.uid === 'string') entries.set(`${this.model}:uid:${payload.uid}`, { payload: { id }, expiresAt: Date.now() + (expiresIn || 3600) * 1000 });
    }
    async find(id: string) { return live(this.key(id))?.payload; }
    async findByUid(uid: string) {
      const pointer = live(`${this.model}:uid:${uid}`)?.payload.id;
      return typeof pointer === 'string' ? this.find(pointer) : undefined;
    }
    async findByUserCode() { return undefined; }
    async consume(id: string) { const entry = live(this.key(id)); if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000); }
    async destroy(id: string) { entries.delete(this.key(id)); }
    async revokeByGrantId(grantId: string) {
      for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
      byGrant.delete(grantId);
    }
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) => `<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f8}.banner{background:#8a1c1c;color:#fff;padding:.75rem 1rem;font-weight:700;text-align:center}main{max-width:40rem;margin:1.5rem auto;padding:0 1rem}button{font:inherit;padding:.6rem 1rem}</style>
</head><body><p class="banner" role="note">Máy chủ định danh thử nghiệm — không phải VNeID thật</p><main>${body}</main></body></html>`;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startDemoOidcProvider(options: DemoOidcProviderOptions): Promise<DemoOidcProvider> {
  const citizens = (options.citizens ?? loadDemoCitizens()).map((c) => demoCitizenSchema.parse(c));
  const byAccount = new Map(citizens.map((c) => [c.account, c]));
  const loginPage = Handlebars.compile(readFileSync(path.join(DEFAULT_TEMPLATES_DIR, 'identity', 'demo-login.hbs'), 'utf8'));
  const host = options.host ?? '127.0.0.1';

  // The issuer must be known before the provider exists: listen first, then hand requests to it.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else { res.statusCode = 503; res.end(); }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host}:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `demo-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' };

  const configuration: Configuration = {
    clients: [{
      client_id: options.clientId,
      ...(options.clientSecret ? { client_secret: options.clientSecret, token_endpoint_auth_method: 'client_secret_post' } : { token_endpoint_auth_method: 'none' }),
      client_name: 'Cổng dịch vụ công trực tuyến (motcua)',
      redirect_uris: [options.redirectUri],
      post_logout_redirect_uris: options.postLogoutRedirectUri ? [options.postLogoutRedirectUri] : [],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }],
    pkce: { required: () => true },
    // The level of assurance goes in every ID token (as VNeID tells it), not only when acr_values asks for one.
    claims: { acr: null, sid: null, auth_time: null, openid: ['sub', 'acr'], [CITIZEN_SCOPE]: citizenClaimNames(citizens) },
    acrValues: [...new Set(citizens.map((c) => c.acr))],
    async findAccount(_ctx, sub) {
      const citizen = byAccount.get(sub);
      if (!citizen) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...citizen.claims }) };
    },
    // The portal is this provider's only client, first-party: its scopes are granted without a consent page.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { session, client, params } = ctx.oidc;
      if (!session?.accountId || !client) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (grant) return grant;
      const fresh = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      fresh.addOIDCScope(String(params?.scope ?? 'openid'));
      await fresh.save();
      return fresh;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          // Auto-submitted: the portal already asked "Đăng xuất"; the button is there without JavaScript.
          ctx.body = page('Đăng xuất', `<h1>Đăng xuất khỏi máy chủ định danh thử nghiệm</h1>${form}
<p><button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Đăng xuất</button></p>
<script>document.forms['op.logoutForm'].insertAdjacentHTML('beforeend','<input type="hidden" name="logout" value="yes">');document.forms['op.logoutForm'].submit()</script>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Đã đăng xuất', '<h1>Đã đăng xuất</h1><p>Bạn đã đăng xuất khỏi máy chủ định danh thử nghiệm.</p>');
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Lỗi đăng nhập', `<h1>Không đăng nhập được</h1><p>${escapeHtml(String(out.error_description ?? out.error))}</p>`);
    },
    adapter: memoryAdapter(),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [signingKey] },
    ttl: { AuthorizationCode: 120, AccessToken: 600, IdToken: 3600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (req.method === 'GET' && !action) {
      const client = await provider.Client.find(String(details.params.client_id));
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.end(loginPage({
        uid, clientName: client?.clientName ?? 'Cổng dịch vụ công',
        citizens: citizens.map((c) => ({
          account: c.account, acr: c.acr, description: c.description,
          fullName: String(c.claims[DEFAULT_CLAIMS_MAP.fullName] ?? c.account),
          personalId: String(c.claims[DEFAULT_CLAIMS_MAP.personalId] ?? ''),
        })),
      }));
      return;
    }
    if (req.method === 'POST' && action === 'login') {
      const citizen = byAccount.get((await readForm(req)).get('account') ?? '');
      if (!citizen) {
        res.statusCode = 400;
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(page('Chưa chọn công dân', `<h1>Chưa chọn công dân</h1><p><a href="/interaction/${escapeHtml(uid)}">Chọn lại</a></p>`));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: citizen.account, acr: citizen.acr } }, { mergeWithLastSubmission: false });
      return;
    }
    if (req.method === 'POST' && action === 'abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'Người dùng đã hủy đăng nhập.' }, { mergeWithLastSubmission: false });
      return;
    }
    res.statusCode = 404;
    res.end();
  }

  handler = (req, res) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|abort))?$/.exec((req.url ?? '').split('?')[0]!);
    if (!match) { callback(req, res); return; }
    interaction(req, res, match[1]!, match[2]).catch((error: unknown) => {
      // An expired or unknown interaction (its cookie gone, the tab left open): start again from the portal.
      if (res.headersSent) { res.end(); return; }
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page('Phiên đăng nhập đã hết hạn', `<h1>Phiên đăng nhập đã hết hạn</h1><p>${escapeHtml(error instanceof Error ? error.message : String(error))}</p>
<p>Quay lại Cổng dịch vụ công và bấm "Đăng nhập bằng VNeID" để bắt đầu lại.</p>`));
    });
  };

  return {
    url: issuer,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
