// Real HTTP against a listening app: fetch + FormData, the way portals and apps call the API.
export interface Upload { field: string; name: string; data: Buffer; type?: string }

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, options: { token?: string; json?: unknown; form?: FormData; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | FormData | undefined;
    if (options.json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(options.json); }
    if (options.form) body = options.form;
    return fetch(`${this.baseUrl}${path}`, { method, headers, body });
  }

  async json<T = any>(method: string, path: string, options: Parameters<ApiClient['request']>[2] = {}): Promise<{ status: number; body: T }> {
    const response = await this.request(method, path, options);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async login(username: string, password = 'demo'): Promise<string> {
    const { status, body } = await this.json('POST', '/api/auth/login', { json: { username, password } });
    if (status !== 200) throw new Error(`login ${username} failed: ${status} ${JSON.stringify(body)}`);
    return body.token as string;
  }

  submitForm(procedure: string, data: unknown, uploads: Upload[]): FormData {
    const form = new FormData();
    form.append('procedure', procedure);
    form.append('data', JSON.stringify(data));
    for (const u of uploads) form.append(u.field, new Blob([u.data], { type: u.type ?? 'application/octet-stream' }), u.name);
    return form;
  }

  async submit(procedure: string, data: unknown, uploads: Upload[], headers: Record<string, string> = {}) {
    return this.json('POST', '/api/dossiers', { form: this.submitForm(procedure, data, uploads), headers });
  }

  async act(code: string, action: string, token: string, body: { version: number; comment?: string; data?: unknown }) {
    return this.json('POST', `/api/dossiers/${encodeURIComponent(code)}/actions/${action}`, { token, json: body });
  }
}

/** Polls until `check` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) { last = error; }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not reached in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

/** Listens on a free port of 127.0.0.1 and returns a client for it: e2e tests go through real HTTP. */
export async function listenForHttp(env: { app: { listen(o: { port: number; host: string }): Promise<string>; server: { address(): unknown } } }): Promise<ApiClient> {
  await env.app.listen({ port: 0, host: '127.0.0.1' });
  const address = env.app.server.address() as { port: number } | null;
  return new ApiClient(`http://127.0.0.1:${address?.port ?? 0}`);
}
