// The relying party of the citizens' identity provider (VNeID / the national SSO, or the demo provider), with
// openid-client: Authorization Code + PKCE (S256), state and nonce, the login in progress sealed in a cookie
// (login-state.ts), the provider's metadata discovered once and kept an hour, every request bounded in time.
// Everything the provider says or fails to say becomes a stable error code with a Vietnamese message.
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import type { CitizenLoginConfig } from '../config.js';
import { AppError } from '../errors.js';
import { TimeoutError, withTimeout } from '../timeouts.js';
import { readCitizenClaims, type CitizenClaims } from './citizen-claims.js';
import { loginStateSealer } from './login-state.js';

/** Re-read the provider's metadata after this long (its keys are re-fetched by openid-client whenever a kid is new). */
const DISCOVERY_TTL_MS = 3600_000;

export interface CompletedLogin {
  claims: CitizenClaims;
  issuer: string;
  subject: string;
  idToken: string;
}

export interface CitizenIdentityClient {
  /** The provider's authorization URL, and the sealed login state to set as a cookie. */
  startLogin(next: string): Promise<{ url: string; sealedState: string }>;
  /** The callback: checks state, exchanges the code (PKCE, nonce, ID token), reads UserInfo and maps the claims. */
  completeLogin(query: URLSearchParams, sealedState: string | undefined): Promise<{ login: CompletedLogin; next: string }>;
  /** The provider's end_session_endpoint with the ID token as hint, or null when it has none. */
  logoutUrl(idToken: string | null): Promise<string | null>;
}

export const providerUnavailable = () => new AppError('IDENTITY_PROVIDER_UNAVAILABLE',
  'Máy chủ định danh (VNeID) hiện không phản hồi. Vui lòng thử lại sau ít phút, hoặc nộp hồ sơ không cần đăng nhập.');
const loginFailed = () => new AppError('CITIZEN_LOGIN_FAILED',
  'Đăng nhập bằng VNeID không thành công: máy chủ định danh không xác nhận được lần đăng nhập này. Vui lòng đăng nhập lại.');
const stateInvalid = () => new AppError('CITIZEN_LOGIN_STATE_INVALID',
  'Phiên đăng nhập không hợp lệ hoặc đã quá 10 phút. Vui lòng bấm "Đăng nhập bằng VNeID" để bắt đầu lại.');

/** Network failures, time-outs and 5xx answers: the provider is away (503); anything it refuses: the login failed (400). */
function providerError(error: unknown, log: Logger, step: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof oidc.AuthorizationResponseError) {
    if (error.error === 'access_denied') {
      return new AppError('CITIZEN_LOGIN_DENIED', 'Bạn đã hủy hoặc không đồng ý đăng nhập trên trang VNeID, nên chưa đăng nhập vào Cổng.');
    }
    if (error.error === 'server_error' || error.error === 'temporarily_unavailable') return providerUnavailable();
    log.warn({ step, error: error.error, description: error.error_description }, 'identity provider answered an error');
    return loginFailed();
  }
  if (error instanceof oidc.ResponseBodyError) {
    log.warn({ step, status: error.status, error: error.error, description: error.error_description }, 'identity provider refused');
    return error.status >= 500 ? providerUnavailable() : loginFailed();
  }
  const code = (error as { code?: unknown }).code;
  const away = error instanceof TimeoutError || (error instanceof TypeError && error.message === 'fetch failed')
    || code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM';
  if (away) {
    log.warn({ step, err: error }, 'identity provider unavailable');
    return providerUnavailable();
  }
  if (error instanceof oidc.ClientError) {
    // An ID token that does not verify, a nonce or issuer that does not match, a malformed answer.
    log.warn({ step, code, err: error }, 'identity provider response rejected');
    return loginFailed();
  }
  throw error;
}

export function createCitizenIdentityClient(settings: CitizenLoginConfig, secret: string, log: Logger): CitizenIdentityClient {
  const provider = settings.provider;
  if (!provider) throw new Error('citizen login: no identity provider configured');
  const sealer = loginStateSealer(secret);
  const timeoutSeconds = Math.max(1, Math.ceil(settings.timeoutMs / 1000));
  let discovered: { config: Promise<oidc.Configuration>; at: number } | undefined;

  function configuration(): Promise<oidc.Configuration> {
    if (discovered && Date.now() - discovered.at < DISCOVERY_TTL_MS) return discovered.config;
    const issuer = new URL(provider!.issuer);
    const config = withTimeout(oidc.discovery(
      issuer, provider!.clientId, undefined,
      provider!.clientSecret ? oidc.ClientSecretPost(provider!.clientSecret) : oidc.None(),
      // http only for a loopback provider (config.ts refuses any other http issuer).
      { timeout: timeoutSeconds, execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [] },
    ), settings.timeoutMs, 'OIDC discovery');
    const entry = { config, at: Date.now() };
    discovered = entry;
    // A failed discovery is not kept: the next login asks again.
    config.catch(() => { if (discovered === entry) discovered = undefined; });
    return config;
  }

  async function configured(step: string): Promise<oidc.Configuration> {
    try {
      return await configuration();
    } catch (error) {
      const appError = providerError(error, log, step);
      // Whatever the provider's metadata says wrong, a citizen can only wait: never a login failure of theirs.
      throw appError.code === 'CITIZEN_LOGIN_FAILED' ? providerUnavailable() : appError;
    }
  }

  return {
    async startLogin(next) {
      const config = await configured('discovery');
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const codeChallenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri, scope: settings.scopes, response_type: 'code',
        code_challenge: codeChallenge, code_challenge_method: 'S256', state, nonce, ui_locales: 'vi',
      });
      return { url: url.href, sealedState: sealer.seal({ state, nonce, codeVerifier, next }) };
    },

    async completeLogin(query, sealedState) {
      const pending = sealer.open(sealedState);
      // Checked before anything else, an error answer included: only the browser that started this login may end it.
      if (!pending || query.get('state') !== pending.state) throw stateInvalid();
      const config = await configured('discovery');
      // The registered redirect URI with the provider's parameters: what the token request must name, whatever
      // host or proxy the request came through.
      const callbackUrl = new URL(settings.redirectUri);
      callbackUrl.search = query.toString();
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      let userInfo: Record<string, unknown> = {};
      try {
        tokens = await withTimeout(oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true,
        }), settings.timeoutMs, 'OIDC token request');
      } catch (error) {
        throw providerError(error, log, 'token');
      }
      const idClaims = tokens.claims();
      if (!idClaims || !tokens.id_token) throw loginFailed();
      if (config.serverMetadata().userinfo_endpoint) {
        try {
          userInfo = await withTimeout(oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub), settings.timeoutMs, 'OIDC userinfo');
        } catch (error) {
          throw providerError(error, log, 'userinfo');
        }
      }
      // UserInfo holds what the scopes released; the ID token's protocol claims (iss, sub, acr) stay as signed.
      const claims = readCitizenClaims({ ...userInfo, ...idClaims }, settings.claimsMap);
      return { login: { claims, issuer: idClaims.iss, subject: idClaims.sub, idToken: tokens.id_token }, next: pending.next };
    },

    async logoutUrl(idToken) {
      let config: oidc.Configuration;
      try {
        config = await configuration();
      } catch (error) {
        // Signing out of motcua has already happened; the provider's own session is its business.
        log.warn({ err: error }, 'identity provider unavailable at logout');
        return null;
      }
      if (!config.serverMetadata().end_session_endpoint) return null;
      const parameters: Record<string, string> = { post_logout_redirect_uri: settings.postLogoutRedirectUri, client_id: provider.clientId };
      if (idToken) parameters.id_token_hint = idToken;
      return oidc.buildEndSessionUrl(config, parameters).href;
    },
  };
}
