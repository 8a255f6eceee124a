// The environment, parsed once by zod. A bad variable stops start-up with every problem listed, not just the first.
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TEMPLATES_DIR, DEFAULT_WORKFLOWS_DIR } from './paths.js';
import { DEFAULT_CLAIMS_MAP, parseClaimsMap, type ClaimsMap } from './identity/claims-map.js';

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .optional()
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

/** The proxies' names proxy-addr (fastify's trustProxy) knows besides addresses and CIDRs. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(value: string): boolean {
  if (PROXY_NAMES.has(value)) return true;
  const [address, prefix, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * TRUST_PROXY, what fastify's trustProxy accepts: off by default (X-Forwarded-For ignored: request.ip is the peer);
 * `true` (trust every hop — only behind a proxy that overwrites the header); a hop count; or the proxies' addresses
 * and CIDRs, comma-separated.
 */
const trustProxySchema = z.string().trim().optional().transform((value, ctx): boolean | number | string[] => {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((v) => v.trim()).filter(Boolean);
  const bad = entries.filter((v) => !isAddressOrCidr(v));
  if (bad.length > 0 || entries.length === 0) {
    ctx.addIssue({ code: 'custom', message: `true, false, a hop count, or comma-separated addresses/CIDRs (not: ${bad.join(', ') || value})` });
    return z.NEVER;
  }
  return entries;
});

/**
 * A hop count trusts that many proxies in front of the server, whatever their address (express's meaning; fastify 5
 * itself now ignores a bare number): right only when nothing but those proxies can reach the server.
 */
function trustProxyOption(value: boolean | number | string[]): Config['trustProxy'] {
  if (typeof value !== 'number') return value;
  if (value === 0) return false;
  return (_address: string, hop: number) => hop < value;
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9:_-]+$/).default('motcua'),
  PUBLIC_URL: optionalUrl(['http', 'https']),
  APP_SECRET: z.string().optional(),
  KEY_ENCRYPTION_SECRET: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_UPLOAD_MB: z.coerce.number().positive().max(100).default(10),
  MAX_UPLOAD_FILES: z.coerce.number().int().positive().max(100).default(20),
  WORKER_CONCURRENCY: z.coerce.number().int().positive().max(64).default(4),
  OUTBOX_POLL_MS: z.coerce.number().int().positive().default(500),
  ADMIN_REFRESH_MS: z.coerce.number().int().min(0).default(2000),
  RECONCILE_MS: z.coerce.number().int().min(1000).default(30_000),
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  SIGNING_HANDOVER_RETENTION_HOURS: z.coerce.number().int().min(1).default(48),
  WORKFLOWS_DIR: z.string().optional(),
  TEMPLATES_DIR: z.string().optional(),
  LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(100),
  INTAKE_RATE_LIMIT: z.coerce.number().int().min(0).default(10),
  INTAKE_CONTACT_HOURLY_LIMIT: z.coerce.number().int().min(0).default(5),
  INTAKE_CONTACT_DAILY_LIMIT: z.coerce.number().int().min(0).default(20),
  MESSAGE_RATE_LIMIT: z.coerce.number().int().min(0).default(10),
  ADMISSION_LOOKUP_RATE_LIMIT: z.coerce.number().int().min(0).default(120),
  ADMISSION_LOOKUP_CACHE_MS: z.coerce.number().int().min(0).default(30_000),
  ADMISSION_DEMAND_CACHE_MS: z.coerce.number().int().min(0).default(15_000),
  STATS_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  REPORT_ROLLUP_EVERY_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  // Streamed exports (the tracking book): at most this many at once per process, each closed after this long unread.
  EXPORT_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(2),
  EXPORT_IDLE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  TRACKING_TOKEN_DAYS: z.coerce.number().int().positive().default(365),
  // Feedback and complaints (phản ánh, kiến nghị) are answered within this many working days of filing.
  FEEDBACK_DUE_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(10),
  TRUST_PROXY: trustProxySchema,
  TSA_URL: optionalUrl(['http', 'https']),
  // PAdES B-LT: the longest one OCSP request or CRL download may take while a result is being issued.
  REVOCATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  // Oldest OCSP answer (or CRL) without nextUpdate that may go into a result: a CA publishes CRLs at least weekly.
  REVOCATION_MAX_AGE_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(7 * 24),
  // block: revocation requests never go to loopback/private addresses (link-local and metadata never, whatever this says).
  REVOCATION_PRIVATE_NETWORKS: z.enum(['allow', 'block']).default('block'),
  // Embedded default: the demo CA's certificates name its CRL (GET /pki/demo-ca.crl), so demo results carry a DSS.
  DEMO_CA_CRL: z.enum(['on', 'off']).default('on'),
  // The officials' local signing agent (USB token, VGCA Sign Service style), as their browsers reach it.
  SIGNING_AGENT_URL: z.string().url().refine((v) => /^https?:\/\//.test(v), { message: 'http(s) URL' }).default('http://127.0.0.1:8987'),
  TRUST_ANCHORS: z.string().optional(),
  SMTP_URL: optionalUrl(['smtp', 'smtps']),
  // A bare address: the display name is then the Department's, from the organisation settings (notifications/mailer.ts).
  MAIL_FROM: z.string().min(3).default('no-reply@motcua.local'),
  // Remote signing (SmartCA-style provider): unset in the embedded default, which starts its simulator instead (main.ts).
  REMOTE_SIGNING_URL: optionalUrl(['http', 'https']),
  REMOTE_SIGNING_CLIENT_ID: z.string().trim().optional(),
  REMOTE_SIGNING_CLIENT_SECRET: z.string().optional(),
  REMOTE_SIGNING_POLL_MS: z.coerce.number().int().min(10).default(2000),
  // Citizens' sign-in (VNeID / the national SSO, OpenID Connect): unset in the embedded default, which starts its demo
  // provider instead (main.ts); unset in production, there is no VNeID sign-in.
  OIDC_ISSUER: optionalUrl(['http', 'https']),
  OIDC_CLIENT_ID: z.string().trim().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_REDIRECT_URI: optionalUrl(['http', 'https']),
  OIDC_POST_LOGOUT_REDIRECT_URI: optionalUrl(['http', 'https']),
  OIDC_SCOPES: z.string().trim().transform((v) => v.split(/\s+/).filter(Boolean).join(' ')).optional(),
  OIDC_CLAIMS_MAP: z.string().optional(),
  OIDC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // The national public-service portal (inbound dossiers, outbound step sync): unset, motcua runs without it.
  NATIONAL_PORTAL_URL: optionalUrl(['http', 'https']),
  NATIONAL_PORTAL_SECRET: z.string().optional(),
  NATIONAL_PORTAL_SYSTEM_CODE: z.string().trim().regex(/^[A-Za-z0-9._-]{1,60}$/).default('MOTCUA-SGDDT'),
  NATIONAL_PORTAL_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // The national Payment Platform (online fees): unset, fees are taken at the desk only.
  PAYMENT_PLATFORM_URL: optionalUrl(['http', 'https']),
  PAYMENT_PLATFORM_PARTNER_CODE: z.string().trim().optional(),
  PAYMENT_PLATFORM_SECRET: z.string().optional(),
  PAYMENT_PLATFORM_ACCESS_TOKEN: z.string().optional(),
  PAYMENT_PLATFORM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** A payment still pending this long after it was asked for is checked with the platform (reconciliation). */
  PAYMENT_RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(10 * 60_000),
  // Where new files' bytes go (storage/README.md): PostgreSQL (default; always in the embedded default) or S3-compatible
  // object storage. Files already stored stay where they are until moved (npm run files:move, docs/OPERATIONS.md).
  STORAGE_DRIVER: z.enum(['postgres', 's3']).default('postgres'),
  S3_ENDPOINT: optionalUrl(['http', 'https']),
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  S3_BUCKET: z.string().trim().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)' }).optional(),
  S3_ACCESS_KEY_ID: z.string().trim().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  // MinIO, Ceph and most Vietnamese clouds' gateways want http://host/bucket/key rather than http://bucket.host/key.
  // Unset: path style whenever S3_ENDPOINT names such a server; virtual-host style for AWS itself.
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  /** Each request to the object store, connect to last byte; a silent server fails the request (503 at intake) then. */
  S3_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Connections kept to the object store per process; requests beyond them queue (each still bounded by S3_TIMEOUT_MS). */
  S3_MAX_SOCKETS: z.coerce.number().int().min(1).max(1000).default(50),
  METRICS_TOKEN: z.string().trim().transform((v) => (v === '' ? undefined : v)).optional()
    .refine((v) => v === undefined || v.length >= 16, { message: 'at least 16 characters' }),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  /** The worker's health server (/healthz, /readyz); 0: none. */
  workerHealthPort: number;
  dataDir: string;
  /** 'production' = PostgreSQL (+ BullMQ when REDIS_URL is set); 'embedded' = PGlite under dataDir. */
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string };
  queue: { kind: 'bullmq'; url: string; prefix: string } | { kind: 'inline' };
  publicUrl: string;
  /** Derives citizens' tracking tokens and session ids. Set in production; generated under dataDir when embedded. */
  appSecret: string | undefined;
  keyEncryptionSecret: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  uploads: { maxFileBytes: number; maxFiles: number };
  workerConcurrency: number;
  outboxPollMs: number;
  /** How often each process checks whether administrators changed data it keeps in memory (0 = never). */
  adminRefreshMs: number;
  /** How often each worker's reconciler looks for effects whose job vanished, stalled or failed. */
  reconcileMs: number;
  /** Done outbox rows are deleted after this many days (failed ones stay until retried). */
  outboxRetentionDays: number;
  /** Signing hand-overs (agent sessions, preparations, finished remote requests' documents) are deleted this many hours after they ended. */
  signingHandoverRetentionHours: number;
  workflowsDir: string;
  templatesDir: string;
  /** Sign-in requests per minute per client IP: a coarse flood guard (the per-account throttle is in the database). */
  loginRateLimit: number;
  /**
   * Anonymous intake: filings per minute per client IP on POST /api/dossiers and the page form (0: unlimited), and
   * per applicant e-mail or phone per hour and per day, counted in the database (0: unlimited).
   */
  intake: { ratePerMinute: number; perContactHour: number; perContactDay: number };
  /** Messages about one dossier per minute per client IP, API and pages together (0: unlimited; routes/message-limit.ts). */
  messageRatePerMinute: number;
  /**
   * The public admission look-ups (services/admission-lookup): result look-ups per minute per client IP (0: unlimited;
   * generous, as families behind one carrier NAT share an address), how long the published run and its schools, and the
   * demand counts, are kept in memory (ms; a new publication shows within that).
   */
  admissionLookup: { ratePerMinute: number; cacheMs: number; demandCacheMs: number };
  /**
   * How long the service-quality figures (GET /api/stats, /can-bo/chi-so) of one reach, period and procedure are
   * served again from memory (ms; 0: computed on every request). Their generatedAt says when they were computed.
   */
  statsCacheMs: number;
  /**
   * How often the worker (or the embedded server) rolls the report figures of changed past months up again (ms; 0:
   * never — they are then counted from the dossiers). db/repositories/report-rollup.ts.
   */
  reportRollupEveryMs: number;
  /**
   * Streamed exports (GET /api/reports/tracking-book): each holds a pool connection and a snapshot while the client
   * reads. At most `concurrent` at once per process (beyond: 429 EXPORT_BUSY), and one whose client takes nothing for
   * `idleMs` is closed (its cursor and connection released).
   */
  exports: { concurrent: number; idleMs: number };
  /** A tracking token stops working this many days after its dossier reached a final state. */
  trackingTokenDays: number;
  /** Feedback and complaints are due this many working days after filing (services/feedback). */
  feedbackDueWorkingDays: number;
  /** fastify's trustProxy: whose X-Forwarded-For to believe for request.ip (false: nobody's). */
  trustProxy: boolean | string[] | ((address: string, hop: number) => boolean);
  /** RFC 3161 time-stamping authority: when set, every signature gets a timestamp (PAdES B-T). */
  tsaUrl: string | undefined;
  /** Time limit of one OCSP request or CRL download when a result gets its validation data (PAdES B-LT). */
  revocationTimeoutMs: number;
  /** Oldest thisUpdate of an OCSP answer or CRL without nextUpdate taken when signing (revocation.ts assertFresh). */
  revocationMaxAgeMs: number;
  /** Whether OCSP/CRL requests may reach loopback and private addresses (a responder inside the province's network). */
  revocationPrivateNetworks: boolean;
  /**
   * Demo certificates (seeded in the embedded default) name `${publicUrl}/pki/demo-ca.crl` as their CRL distribution
   * point; off: they name none and demo results stay PAdES B-B/B-T.
   */
  demoCaCrl: boolean;
  /** Where the staff pages hand signing sessions to the official's local signing agent (connect-src of the pages). */
  signingAgentUrl: string;
  /** PEM file of CA certificates that verification trusts (the demo CA is added in the embedded default). */
  trustAnchorsFile: string | undefined;
  /** Citizen e-mails: without smtpUrl they are written to the log instead (notifications/mailer.ts). */
  mail: { smtpUrl: string | undefined; from: string };
  /** Demo accounts and a demo CA exist only in the embedded default. */
  demoData: boolean;
  /** Bearer token that opens /metrics from anywhere (without it: loopback and private addresses only). */
  metricsToken: string | undefined;
  /**
   * The remote-signing provider (signing/remote-signing-client.ts); undefined: remote signing is off. The embedded
   * default fills it in at start with its in-process simulator. The secret is never logged.
   */
  remoteSigning: RemoteSigningConfig | undefined;
  /** Citizens' sign-in with VNeID (identity/oidc-client.ts). */
  citizenLogin: CitizenLoginConfig;
  /**
   * The national public-service portal (integrations/national-portal); undefined: no inbound channel, no step sync.
   * The embedded default may fill it in at start with the simulator (main.ts). The secret is never logged.
   */
  nationalPortal: NationalPortalConfig | undefined;
  /** The national Payment Platform (integrations/payment-platform); undefined: no online payment. */
  paymentPlatform: PaymentPlatformConfig | undefined;
  /**
   * Files (storage/): `driver` is where new files' bytes go; `s3` is the object storage, set whenever S3_BUCKET is
   * (files already there are read whatever the driver, e.g. after moving back). The secret is never logged.
   */
  storage: { driver: 'postgres' | 's3'; s3: S3StorageConfig | undefined };
}

export interface S3StorageConfig {
  /** undefined: AWS itself (the SDK's endpoint for the region). */
  endpoint: string | undefined;
  region: string;
  bucket: string;
  /** undefined: the SDK's default credential chain (environment, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
  timeoutMs: number;
  maxSockets: number;
}

export interface NationalPortalConfig {
  url: string;
  /** Shared secret of the HMAC both ways: the portal signs what it pushes, motcua signs what it sends and fetches. */
  secret: string;
  /** This processing system's code at the portal (sent with every sync call). */
  systemCode: string;
  timeoutMs: number;
}

export interface PaymentPlatformConfig {
  url: string;
  /** Our partner code at the platform (MaDoiTac). */
  partnerCode: string;
  /** The shared secret appended to every checksum (MaXacThuc). */
  secret: string;
  /** A static bearer token the platform may ask for on every call. */
  accessToken: string | undefined;
  timeoutMs: number;
  reconcileAfterMs: number;
}

export interface CitizenLoginConfig {
  /**
   * The OpenID Provider and this portal's client there; undefined: no VNeID sign-in (no button). The embedded default
   * fills it in at start with its demo provider (main.ts). The secret is never logged.
   */
  provider: { issuer: string; clientId: string; clientSecret: string | undefined } | undefined;
  /** OIDC_REDIRECT_URI, default `${PUBLIC_URL}/auth/citizen/callback`: registered with the provider. */
  redirectUri: string;
  /** Where the provider sends the browser after its logout, default `${PUBLIC_URL}/`: registered with the provider. */
  postLogoutRedirectUri: string;
  scopes: string;
  /** Where each citizen field is in the claims (identity/claims-map.ts). */
  claimsMap: ClaimsMap;
  /** Time limit of each request to the provider (discovery, token, UserInfo). */
  timeoutMs: number;
}

export interface RemoteSigningConfig {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The poll job's first delay; it doubles up to 30 s (jobs/poll-remote-signing.ts). */
  pollMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cấu hình không hợp lệ / invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  // Checked on the raw values too, so one start-up lists every problem, not only the schema's.
  const production = Boolean(source.DATABASE_URL?.trim());
  if (production && (source.APP_SECRET ?? '').length < 32) problems.push('APP_SECRET: required with DATABASE_URL, at least 32 characters');
  if (production && source.KEY_ENCRYPTION_SECRET !== undefined && source.KEY_ENCRYPTION_SECRET.length < 32) {
    problems.push('KEY_ENCRYPTION_SECRET: at least 32 characters');
  }
  if (source.REMOTE_SIGNING_URL?.trim() && (!source.REMOTE_SIGNING_CLIENT_ID?.trim() || !source.REMOTE_SIGNING_CLIENT_SECRET)) {
    problems.push('REMOTE_SIGNING_CLIENT_ID, REMOTE_SIGNING_CLIENT_SECRET: required with REMOTE_SIGNING_URL');
  }
  const oidcIssuer = source.OIDC_ISSUER?.trim();
  if (oidcIssuer && !source.OIDC_CLIENT_ID?.trim()) problems.push('OIDC_CLIENT_ID: required with OIDC_ISSUER');
  if (oidcIssuer?.startsWith('http://') && !isLoopbackUrl(oidcIssuer)) problems.push('OIDC_ISSUER: must be https (http only for a provider on this machine)');
  if (source.OIDC_SCOPES?.trim() && !source.OIDC_SCOPES.split(/\s+/).includes('openid')) problems.push('OIDC_SCOPES: must include openid');
  if (source.NATIONAL_PORTAL_URL?.trim() && (source.NATIONAL_PORTAL_SECRET ?? '').length < 32) {
    problems.push('NATIONAL_PORTAL_SECRET: required with NATIONAL_PORTAL_URL, at least 32 characters');
  }
  if (source.PAYMENT_PLATFORM_URL?.trim() && (!source.PAYMENT_PLATFORM_PARTNER_CODE?.trim() || (source.PAYMENT_PLATFORM_SECRET ?? '').length < 16)) {
    problems.push('PAYMENT_PLATFORM_PARTNER_CODE, PAYMENT_PLATFORM_SECRET (at least 16 characters): required with PAYMENT_PLATFORM_URL');
  }
  // The platform's QUERY answer says "paid" in TrangThaiGD, a field its checksum recipe does not cover: only TLS keeps
  // someone on the path from turning "3" into "1" (integrations/payment-platform/client.ts).
  const paymentUrl = source.PAYMENT_PLATFORM_URL?.trim();
  if (paymentUrl?.startsWith('http://') && !isLoopbackUrl(paymentUrl)) problems.push('PAYMENT_PLATFORM_URL: must be https (http only for a platform on this machine)');
  if (source.STORAGE_DRIVER?.trim() === 's3') {
    if (!production) problems.push('STORAGE_DRIVER: s3 needs DATABASE_URL (the embedded default keeps files in its own database)');
    if (!source.S3_BUCKET?.trim()) problems.push('S3_BUCKET: required with STORAGE_DRIVER=s3');
  }
  if (Boolean(source.S3_ACCESS_KEY_ID?.trim()) !== Boolean(source.S3_SECRET_ACCESS_KEY)) problems.push('S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: both or neither');
  let claimsMap: ClaimsMap = DEFAULT_CLAIMS_MAP;
  try { claimsMap = parseClaimsMap(source.OIDC_CLAIMS_MAP); } catch (error) { problems.push(`OIDC_CLAIMS_MAP: ${(error as Error).message}`); }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');

  const dataDir = path.resolve(env.DATA_DIR);
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    workerHealthPort: env.WORKER_HEALTH_PORT,
    dataDir,
    database: env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'pglite', dir: path.join(dataDir, 'pglite') },
    queue: env.REDIS_URL ? { kind: 'bullmq', url: env.REDIS_URL, prefix: env.QUEUE_PREFIX } : { kind: 'inline' },
    publicUrl,
    appSecret: env.APP_SECRET,
    keyEncryptionSecret: env.KEY_ENCRYPTION_SECRET ?? env.APP_SECRET,
    logLevel: env.LOG_LEVEL,
    uploads: { maxFileBytes: env.MAX_UPLOAD_MB * 1024 * 1024, maxFiles: env.MAX_UPLOAD_FILES },
    workerConcurrency: env.WORKER_CONCURRENCY,
    outboxPollMs: env.OUTBOX_POLL_MS,
    adminRefreshMs: env.ADMIN_REFRESH_MS,
    reconcileMs: env.RECONCILE_MS,
    outboxRetentionDays: env.OUTBOX_RETENTION_DAYS,
    signingHandoverRetentionHours: env.SIGNING_HANDOVER_RETENTION_HOURS,
    workflowsDir: env.WORKFLOWS_DIR ? path.resolve(env.WORKFLOWS_DIR) : DEFAULT_WORKFLOWS_DIR,
    templatesDir: env.TEMPLATES_DIR ? path.resolve(env.TEMPLATES_DIR) : DEFAULT_TEMPLATES_DIR,
    loginRateLimit: env.LOGIN_RATE_LIMIT,
    intake: { ratePerMinute: env.INTAKE_RATE_LIMIT, perContactHour: env.INTAKE_CONTACT_HOURLY_LIMIT, perContactDay: env.INTAKE_CONTACT_DAILY_LIMIT },
    messageRatePerMinute: env.MESSAGE_RATE_LIMIT,
    admissionLookup: { ratePerMinute: env.ADMISSION_LOOKUP_RATE_LIMIT, cacheMs: env.ADMISSION_LOOKUP_CACHE_MS, demandCacheMs: env.ADMISSION_DEMAND_CACHE_MS },
    statsCacheMs: env.STATS_CACHE_MS,
    reportRollupEveryMs: env.REPORT_ROLLUP_EVERY_MS,
    exports: { concurrent: env.EXPORT_CONCURRENCY, idleMs: env.EXPORT_IDLE_MS },
    trackingTokenDays: env.TRACKING_TOKEN_DAYS,
    feedbackDueWorkingDays: env.FEEDBACK_DUE_WORKING_DAYS,
    trustProxy: trustProxyOption(env.TRUST_PROXY),
    tsaUrl: env.TSA_URL,
    revocationTimeoutMs: env.REVOCATION_TIMEOUT_MS,
    revocationMaxAgeMs: env.REVOCATION_MAX_AGE_HOURS * 60 * 60 * 1000,
    revocationPrivateNetworks: env.REVOCATION_PRIVATE_NETWORKS === 'allow',
    demoCaCrl: env.DEMO_CA_CRL === 'on',
    signingAgentUrl: env.SIGNING_AGENT_URL.replace(/\/+$/, ''),
    trustAnchorsFile: env.TRUST_ANCHORS ? path.resolve(env.TRUST_ANCHORS) : undefined,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    demoData: !production,
    metricsToken: env.METRICS_TOKEN,
    remoteSigning: env.REMOTE_SIGNING_URL
      ? { url: env.REMOTE_SIGNING_URL.replace(/\/+$/, ''), clientId: env.REMOTE_SIGNING_CLIENT_ID ?? '', clientSecret: env.REMOTE_SIGNING_CLIENT_SECRET ?? '', pollMs: env.REMOTE_SIGNING_POLL_MS }
      : undefined,
    citizenLogin: {
      provider: env.OIDC_ISSUER ? { issuer: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID ?? '', clientSecret: env.OIDC_CLIENT_SECRET || undefined } : undefined,
      redirectUri: env.OIDC_REDIRECT_URI ?? `${publicUrl}/auth/citizen/callback`,
      postLogoutRedirectUri: env.OIDC_POST_LOGOUT_REDIRECT_URI ?? `${publicUrl}/`,
      scopes: env.OIDC_SCOPES || 'openid citizen',
      claimsMap,
      timeoutMs: env.OIDC_TIMEOUT_MS,
    },
    nationalPortal: env.NATIONAL_PORTAL_URL
      ? { url: env.NATIONAL_PORTAL_URL.replace(/\/+$/, ''), secret: env.NATIONAL_PORTAL_SECRET ?? '', systemCode: env.NATIONAL_PORTAL_SYSTEM_CODE, timeoutMs: env.NATIONAL_PORTAL_TIMEOUT_MS }
      : undefined,
    paymentPlatform: env.PAYMENT_PLATFORM_URL
      ? {
        url: env.PAYMENT_PLATFORM_URL.replace(/\/+$/, ''), partnerCode: env.PAYMENT_PLATFORM_PARTNER_CODE ?? '', secret: env.PAYMENT_PLATFORM_SECRET ?? '',
        accessToken: env.PAYMENT_PLATFORM_ACCESS_TOKEN || undefined, timeoutMs: env.PAYMENT_PLATFORM_TIMEOUT_MS, reconcileAfterMs: env.PAYMENT_RECONCILE_AFTER_MS,
      }
      : undefined,
    storage: {
      driver: env.STORAGE_DRIVER,
      s3: env.S3_BUCKET
        ? {
          endpoint: env.S3_ENDPOINT?.replace(/\/+$/, ''), region: env.S3_REGION, bucket: env.S3_BUCKET,
          credentials: env.S3_ACCESS_KEY_ID ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? '' } : undefined,
          forcePathStyle: (env.S3_FORCE_PATH_STYLE ?? (env.S3_ENDPOINT ? 'true' : 'false')) === 'true',
          timeoutMs: env.S3_TIMEOUT_MS, maxSockets: env.S3_MAX_SOCKETS,
        }
        : undefined,
    },
  };
}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
