// compose.yaml passes the environment through `${VAR:-default}`: a container sees only what it lists, so every
// variable the README tells an operator to set must be there, and the defaults must be the application's own.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';

const compose = parse(readFileSync(new URL('../../compose.yaml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; profiles?: string[]; depends_on?: Record<string, unknown> }>;
};
const environment = compose.services.server!.environment!;

/** Docker compose's interpolation of `${VAR}`, `${VAR:-default}` and `${VAR:?message}` against `dotenv`. */
function interpolate(value: string, dotenv: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const set = dotenv[name];
    if (set !== undefined && set !== '') return set;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

const required = {
  POSTGRES_PASSWORD: 'pw',
  APP_SECRET: 'a'.repeat(32),
  KEY_ENCRYPTION_SECRET: 'k'.repeat(32),
  PUBLIC_URL: 'https://dichvucong.example.vn',
  SMTP_URL: 'smtp://mail.example.vn:25',
};
const containerEnv = (dotenv: Record<string, string>) =>
  Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, interpolate(String(v), dotenv)]));

describe('compose.yaml environment', () => {
  it('passes through every variable the Production section of the README tells an operator to set', () => {
    for (const name of ['TRUST_ANCHORS', 'WORKER_CONCURRENCY', 'MAX_UPLOAD_MB', 'MAX_UPLOAD_FILES', 'ADMIN_REFRESH_MS',
      'LOGIN_RATE_LIMIT', 'METRICS_TOKEN', 'TSA_URL', 'SMTP_URL', 'MAIL_FROM', 'TRUST_PROXY']) {
      expect(environment, name).toHaveProperty(name);
    }
    expect(environment).toEqual(compose.services.worker!.environment);
  });

  it('an .env with only the required values gives the application its own defaults', () => {
    const fromCompose = loadConfig(containerEnv({ ...required }));
    const direct = loadConfig({ DATABASE_URL: 'postgres://motcua:pw@postgres:5432/motcua', REDIS_URL: 'redis://redis:6379',
      APP_SECRET: required.APP_SECRET, KEY_ENCRYPTION_SECRET: required.KEY_ENCRYPTION_SECRET, PUBLIC_URL: required.PUBLIC_URL,
      SMTP_URL: required.SMTP_URL });
    const { trustProxy: _a, ...composed } = fromCompose;
    const { trustProxy: _b, ...plain } = direct;
    expect(composed).toEqual(plain);
  });

  it('empty values in .env (as .env.example leaves them) also keep the defaults; set values arrive', () => {
    const blank = { ...required, TRUST_ANCHORS: '', TSA_URL: '', METRICS_TOKEN: '', WORKER_CONCURRENCY: '', ADMIN_REFRESH_MS: '' };
    const config = loadConfig(containerEnv(blank));
    expect(config.trustAnchorsFile).toBeUndefined();
    expect(config.workerConcurrency).toBe(4);
    expect(config.adminRefreshMs).toBe(2000);
    const set = loadConfig(containerEnv({ ...required, TRUST_ANCHORS: '/run/motcua/trust-anchors.pem', WORKER_CONCURRENCY: '8', MAX_UPLOAD_MB: '5' }));
    expect(set.trustAnchorsFile).toBe('/run/motcua/trust-anchors.pem');
    expect(set.workerConcurrency).toBe(8);
    expect(set.uploads.maxFileBytes).toBe(5 * 1024 * 1024);
  });

  it('refuses to start without PUBLIC_URL or SMTP_URL; Mailpit only in the dev profile', () => {
    expect(() => containerEnv({ ...required, PUBLIC_URL: '' })).toThrow(/PUBLIC_URL/);
    expect(() => containerEnv({ ...required, SMTP_URL: '' })).toThrow(/SMTP_URL/);
    expect(compose.services.mailpit!.profiles).toEqual(['dev']);
    expect(compose.services.server!.depends_on).not.toHaveProperty('mailpit');
  });
});
