// PAYMENT_PLATFORM_URL must be https except for a platform on this machine (the simulator): the QUERY answer's verdict
// (TrangThaiGD) is outside the platform's checksum, so only TLS protects it (integrations/payment-platform/client.ts).
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const payment = (url: string) => ({ DATA_DIR: '/tmp/motcua-x', PAYMENT_PLATFORM_URL: url, PAYMENT_PLATFORM_PARTNER_CODE: 'MOTCUA', PAYMENT_PLATFORM_SECRET: 's'.repeat(16) });

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('PAYMENT_PLATFORM_URL', () => {
  it('is refused over plain http to another host', () => {
    expect(problemsOf(payment('http://thanhtoan.dichvucong.gov.vn/api'))).toContain('PAYMENT_PLATFORM_URL: must be https (http only for a platform on this machine)');
  });
  it('is taken over https, and over http to a loopback host', () => {
    expect(problemsOf(payment('https://thanhtoan.dichvucong.gov.vn/api'))).toEqual([]);
    for (const url of ['http://127.0.0.1:8091', 'http://localhost:8091', 'http://[::1]:8091']) expect(problemsOf(payment(url))).toEqual([]);
  });
});
