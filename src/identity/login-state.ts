// The login in progress (state, nonce, PKCE verifier, where to go after) kept in the browser as a short-lived cookie,
// encrypted and authenticated (AES-256-GCM, key derived from the application secret): any server copy can complete
// the login, nothing is kept in process memory, and the browser can neither read the verifier nor forge a state.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const LOGIN_STATE_COOKIE = 'motcua_vneid_login';
/** The callback path is under it, so the cookie goes nowhere else. */
export const LOGIN_STATE_COOKIE_PATH = '/auth/citizen';
/** How long a citizen may stay on the provider's pages before the login must start again. */
export const LOGIN_STATE_SECONDS = 600;

const loginStateSchema = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().min(43),
  next: z.string(),
  expiresAt: z.number().int(),
});

export type LoginState = z.infer<typeof loginStateSchema>;

export interface LoginStateSealer {
  seal(state: Omit<LoginState, 'expiresAt'>, now?: number): string;
  /** The login state, or undefined when the cookie is missing, altered, from another secret, or expired. */
  open(sealed: string | undefined, now?: number): LoginState | undefined;
}

export function loginStateSealer(secret: string): LoginStateSealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'motcua', 'citizen login state (OIDC) v1', 32));
  return {
    seal(state, now = Date.now()) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = Buffer.from(JSON.stringify({ ...state, expiresAt: now + LOGIN_STATE_SECONDS * 1000 }), 'utf8');
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealed, now = Date.now()) {
      if (!sealed || sealed.length > 4096) return undefined;
      try {
        const raw = Buffer.from(sealed, 'base64url');
        if (raw.length < 29) return undefined;
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        const parsed = loginStateSchema.safeParse(JSON.parse(plain));
        if (!parsed.success || parsed.data.expiresAt <= now) return undefined;
        return parsed.data;
      } catch {
        return undefined;
      }
    },
  };
}
