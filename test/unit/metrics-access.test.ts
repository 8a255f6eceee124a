// Who may read /metrics (src/metrics/access.ts), and METRICS_TOKEN's check at start-up.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { isPrivateAddress, metricsAccess } from '../../src/metrics/access.js';

describe('isPrivateAddress', () => {
  it('takes loopback, RFC 1918 and RFC 4193 addresses, IPv4-mapped ones included, and nothing else', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '10.255.0.1', '172.16.0.1', '172.31.255.254', '192.168.0.1', '::1', 'fd12:3456::1', '::ffff:10.1.1.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of [undefined, '', 'localhost', '172.15.255.255', '172.32.0.0', '100.64.0.1', '169.254.1.1', '8.8.8.8', '2001:db8::1', 'fe80::1', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(a), String(a)).toBe(false);
    }
  });
});

describe('metricsAccess', () => {
  const token = 'a-token-of-sixteen-plus';
  it('lets a private peer in without a token, unless the request was forwarded', () => {
    expect(metricsAccess({ address: '10.0.0.2', headers: {}, token: undefined })).toEqual({ allowed: true });
    expect(metricsAccess({ address: '127.0.0.1', headers: { 'x-real-ip': '8.8.8.8' }, token: undefined })).toMatchObject({ allowed: false, status: 403 });
    expect(metricsAccess({ address: '127.0.0.1', headers: { 'x-forwarded-for': '8.8.8.8' }, token })).toMatchObject({ allowed: false, status: 401 });
  });
  it('takes the right bearer token from anywhere and refuses a wrong one everywhere', () => {
    expect(metricsAccess({ address: '8.8.8.8', headers: { authorization: `Bearer ${token}` }, token })).toEqual({ allowed: true });
    expect(metricsAccess({ address: '8.8.8.8', headers: { authorization: `bearer   ${token}` }, token })).toEqual({ allowed: true });
    expect(metricsAccess({ address: '127.0.0.1', headers: { authorization: 'Bearer wrong' }, token })).toMatchObject({ allowed: false, status: 401, code: 'UNAUTHENTICATED' });
    // No token configured: a bearer token opens nothing.
    expect(metricsAccess({ address: '127.0.0.1', headers: { authorization: 'Bearer anything' }, token: undefined })).toMatchObject({ allowed: false, status: 401 });
    expect(metricsAccess({ address: '8.8.8.8', headers: {}, token: undefined })).toMatchObject({ allowed: false, status: 403, code: 'FORBIDDEN' });
  });
});

describe('METRICS_TOKEN', () => {
  it('is optional, and when set at least 16 characters', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: '' }).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: ' 0123456789abcdef ' }).metricsToken).toBe('0123456789abcdef');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: at least 16 characters/);
  });
});
