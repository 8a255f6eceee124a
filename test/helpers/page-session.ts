// A signed-in browser session for page tests over app.inject: the session and CSRF cookies, and the page's CSRF token
// sent back as `_csrf` with every form post (urlencoded, repeated names allowed).
import type { TestEnvironment } from './context.js';

export interface PageSession {
  get(url: string): Promise<{ status: number; body: string; location?: string }>;
  post(url: string, form: Record<string, string> | Array<[string, string]>): Promise<{ status: number; body: string; location?: string }>;
  /** A multipart form post (an upload form: the CSRF token in the query, as the pages send it). */
  upload(url: string, file: { field: string; fileName: string; data: Buffer | string; type?: string }): Promise<{ status: number; body: string; location?: string }>;
}

export async function signInPages(env: TestEnvironment, username: string, password = 'demo'): Promise<PageSession> {
  const signInPage = await env.app.inject({ method: 'GET', url: '/dang-nhap' });
  const cookies: Record<string, string> = { motcua_csrf: signInPage.cookies.find((c) => c.name === 'motcua_csrf')!.value };
  const csrf = /name="_csrf" value="([^"]+)"/.exec(signInPage.body)![1]!;
  const answer = (r: Awaited<ReturnType<TestEnvironment['app']['inject']>>) => ({
    status: r.statusCode, body: r.body, location: typeof r.headers.location === 'string' ? decodeURIComponent(r.headers.location) : undefined,
  });
  const post = async (url: string, form: Record<string, string> | Array<[string, string]>) => answer(await env.app.inject({
    method: 'POST', url, cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams([['_csrf', csrf], ...(Array.isArray(form) ? form : Object.entries(form))]).toString(),
  }));
  const signIn = await env.app.inject({
    method: 'POST', url: '/dang-nhap', cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, username, password }).toString(),
  });
  const session = signIn.cookies.find((c) => c.name === 'motcua_session');
  if (!session) throw new Error(`page sign-in of ${username} failed: ${signIn.statusCode}`);
  cookies.motcua_session = session.value;
  const upload: PageSession['upload'] = async (url, file) => {
    const boundary = `----motcua${Date.now().toString(16)}`;
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.field}"; filename="${file.fileName}"\r\ncontent-type: ${file.type ?? 'text/csv'}\r\n\r\n`),
      Buffer.from(file.data), Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return answer(await env.app.inject({
      method: 'POST', url: `${url}${url.includes('?') ? '&' : '?'}_csrf=${encodeURIComponent(csrf)}`, cookies,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload,
    }));
  };
  return { get: async (url) => answer(await env.app.inject({ method: 'GET', url, cookies })), post, upload };
}
