// The pages' CSRF secrets come from a pool of random bytes (routes/pages/csrf-token.ts): each is @fastify/csrf's shape
// (18 bytes, base64url) and no two share bytes, across the pool's refills.
import Tokens from '@fastify/csrf';
import { describe, expect, it } from 'vitest';
import { newCsrfSecret } from '../../src/routes/pages/csrf-token.js';

describe('newCsrfSecret', () => {
  it('makes distinct 18-byte base64url secrets, through several refills of the pool, that sign and verify tokens', () => {
    const secrets = Array.from({ length: 1000 }, () => newCsrfSecret());
    for (const secret of secrets) expect(secret).toMatch(/^[A-Za-z0-9_-]{24}$/);
    // No secret is another's bytes again (a pool slice reused after a refill would repeat them; base64url is one-to-one).
    expect(new Set(secrets).size).toBe(secrets.length);
    const tokens = Tokens();
    expect(tokens.verify(secrets[0]!, tokens.create(secrets[0]!))).toBe(true);
    expect(tokens.verify(secrets[1]!, tokens.create(secrets[0]!))).toBe(false);
  });
});
