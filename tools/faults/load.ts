// The load generator: files diploma-copy dossiers (each with its own applicant e-mail, so every status change must
// produce exactly one e-mail to a known address) and pushes each through clerk `receive` → specialist `verify` →
// leader `approve` (→ the signing job) → clerk `return_result`, over real HTTP, the way a portal and the officials'
// browsers would. Transient failures (connection refused, timeouts, 5xx, 429) are retried; intake retries carry the
// SAME Idempotency-Key. It records what the client sent and what it was told, which the measurement compares with
// the database afterwards.
import PDFDocument from 'pdfkit';
import { sleep } from './infra.js';

export type Stage = 'new' | 'submitted' | 'checking' | 'awaiting_approval' | 'signing' | 'result_ready' | 'returned' | 'dropped';

export interface Tracked {
  n: number;
  key: string;
  email: string;
  code?: string;
  token?: string;
  version: number;
  stage: Stage;
  busy: boolean;
  nextPollAt: number;
}

/** A request the server acknowledged (intake 201/200, action 200): it must be in the database afterwards. */
export interface Ack { kind: 'intake' | 'action'; key: string; code: string; action: string; version: number; at: number }

export interface LoadStats {
  attempted: { intake: number; action: number };
  acknowledged: { intake: number; action: number };
  httpRequests: number;
  transient: number;
  /** Actions whose response was lost but which the dossier shows applied (found through a 409 + GET). */
  appliedUnacked: number;
  /** Intakes that got 200 (an Idempotency-Key replay) rather than 201. */
  intakeReplays: number;
  /** Answers the client did not expect (4xx other than a 409 after a retry), by "op status code". */
  unexpected: Record<string, number>;
  /** Operations given up unacknowledged when the load stopped. */
  abandoned: number;
}

const ACTIONS: Partial<Record<Stage, { action: string; role: 'clerk' | 'specialist' | 'leader'; to: Stage }>> = {
  submitted: { action: 'receive', role: 'clerk', to: 'checking' },
  checking: { action: 'verify', role: 'specialist', to: 'awaiting_approval' },
  awaiting_approval: { action: 'approve', role: 'leader', to: 'signing' },
  result_ready: { action: 'return_result', role: 'clerk', to: 'returned' },
};

const REGISTER = { registerBookNumber: 'SG-2022-01', entryNumber: '1234/THPT', diplomaNumber: 'B 0456789', issuedDate: '2022-07-20' };

export function makePdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A6' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.text('Can cuoc cong dan - fault suite');
  doc.end();
  return done;
}

class Transient extends Error {}

export class LoadGenerator {
  readonly dossiers: Tracked[] = [];
  readonly acks: Ack[] = [];
  readonly stats: LoadStats = {
    attempted: { intake: 0, action: 0 }, acknowledged: { intake: 0, action: 0 }, httpRequests: 0, transient: 0,
    appliedUnacked: 0, intakeReplays: 0, unexpected: {}, abandoned: 0,
  };
  private tokens: Partial<Record<'clerk' | 'specialist' | 'leader', string>> = {};
  private stopped = false;
  private lanes: Promise<void>[] = [];
  private nextIntakeAt = 0;
  private counter = 0;
  /** When each transient failure (connection refused, timeout, 5xx, 429) was seen: how long clients saw the fault. */
  readonly failures: number[] = [];
  /** The log of surprises, kept for the run directory. */
  readonly notes: string[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly options: { scenario: string; runId: string; intakePerSecond: number; lanes: number; pdf: Buffer; requestTimeoutMs: number },
  ) {}

  start(): void {
    this.stopped = false;
    this.nextIntakeAt = Date.now();
    for (let i = 0; i < this.options.lanes; i++) this.lanes.push(this.lane());
    this.lanes.push(this.poller());
  }

  /** Stops starting work; operations in flight get up to `graceMs` to finish, then are abandoned unacknowledged. */
  async stop(graceMs = 20_000): Promise<void> {
    this.stopped = true;
    await Promise.race([Promise.all(this.lanes), sleep(graceMs)]);
    this.lanes = [];
  }

  private note(text: string): void {
    if (this.notes.length < 500) this.notes.push(`${new Date().toISOString()} ${text}`);
  }

  private async lane(): Promise<void> {
    while (!this.stopped) {
      if (Date.now() >= this.nextIntakeAt) {
        this.nextIntakeAt = Math.max(this.nextIntakeAt + 1000 / this.options.intakePerSecond, Date.now() - 1000);
        await this.file();
        continue;
      }
      const next = this.dossiers.find((d) => !d.busy && ACTIONS[d.stage]);
      if (next) await this.advance(next);
      else await sleep(30);
    }
  }

  /** Watches dossiers the leader approved until the signing job has moved them to result_ready. */
  private async poller(): Promise<void> {
    while (!this.stopped) {
      const due = this.dossiers.filter((d) => d.stage === 'signing' && !d.busy && d.nextPollAt <= Date.now()).slice(0, 20);
      for (const d of due) {
        if (this.stopped) break;
        d.nextPollAt = Date.now() + 1000;
        try {
          const view = await this.http('GET', `/api/dossiers/${encodeURIComponent(d.code!)}`, { token: d.token });
          if (view.status === 200 && view.body?.status === 'result_ready') { d.stage = 'result_ready'; d.version = view.body.version; }
        } catch { /* transient: look again later */ }
      }
      await sleep(250);
    }
  }

  private async http(method: string, path: string, options: { token?: string; json?: unknown; form?: FormData; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | FormData | undefined;
    if (options.json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(options.json); }
    if (options.form) body = options.form;
    this.stats.httpRequests++;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(this.options.requestTimeoutMs) });
    } catch (error) {
      throw new Transient(`network: ${(error as Error).cause ? String((error as Error).cause) : String(error)}`);
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 500 || response.status === 429) throw new Transient(`HTTP ${response.status} ${text.slice(0, 200)}`);
    let parsed: unknown = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    return { status: response.status, body: parsed };
  }

  /** Retries `attempt` on transient failures until it answers or the load stops. */
  private async retrying<T>(what: string, attempt: (retry: number) => Promise<T>): Promise<T | undefined> {
    let delay = 250;
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(retry);
      } catch (error) {
        if (!(error instanceof Transient)) throw error;
        this.stats.transient++;
        this.failures.push(Date.now());
        if (retry === 0 || retry % 10 === 0) this.note(`${what}: ${error.message} (retry ${retry})`);
        if (this.stopped) { this.stats.abandoned++; return undefined; }
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  async login(role: 'clerk' | 'specialist' | 'leader'): Promise<string> {
    const token = await this.retrying(`login ${role}`, async () => {
      const { status, body } = await this.http('POST', '/api/auth/login', { json: { username: role, password: 'demo' } });
      if (status !== 200) throw new Error(`login ${role}: ${status} ${JSON.stringify(body)}`);
      return body.token as string;
    });
    if (!token) throw new Error(`login ${role}: load stopped`);
    this.tokens[role] = token;
    return token;
  }

  private intakeData(d: Tracked): Record<string, unknown> {
    return {
      applicantName: 'Trần Văn Bình', applicantIdNumber: '038090001234', applicantPhone: '0912345678', applicantEmail: d.email,
      applicantAddress: 'Số 5 Lê Lợi, phường Điện Biên, TP Thanh Hóa', relation: 'self', holderName: 'Nguyễn Thị Hồng Nhung',
      holderBirthDate: '2004-03-15', diplomaType: 'thpt', school: 'Trường THPT chuyên Lam Sơn', graduationYear: 2022, copies: 1,
      purpose: `Kiểm thử sự cố ${this.options.scenario} #${d.n}`,
    };
  }

  private async file(): Promise<void> {
    const n = ++this.counter;
    const d: Tracked = {
      n, key: `faults-${this.options.runId}-${this.options.scenario}-${n}`, email: `f${n}.${this.options.scenario}@faults.test`,
      version: 0, stage: 'new', busy: true, nextPollAt: 0,
    };
    this.dossiers.push(d);
    this.stats.attempted.intake++;
    const data = JSON.stringify(this.intakeData(d));
    const result = await this.retrying(`intake #${n}`, async () => {
      // The same bytes every time: the request hash must match for the Idempotency-Key replay to be accepted.
      const form = new FormData();
      form.append('procedure', 'diploma-copy');
      form.append('data', data);
      form.append('identity', new Blob([this.options.pdf], { type: 'application/pdf' }), 'cccd.pdf');
      return this.http('POST', '/api/dossiers', { form, headers: { 'idempotency-key': d.key } });
    });
    d.busy = false;
    if (!result) { d.stage = 'dropped'; return; }
    if (result.status === 201 || result.status === 200) {
      if (result.status === 200) this.stats.intakeReplays++;
      d.code = result.body.code; d.token = result.body.trackingToken; d.version = 1; d.stage = 'submitted';
      this.stats.acknowledged.intake++;
      this.acks.push({ kind: 'intake', key: d.key, code: d.code!, action: 'submit', version: 1, at: Date.now() });
      return;
    }
    this.unexpected('intake', result);
    d.stage = 'dropped';
  }

  private unexpected(op: string, result: { status: number; body: any }): void {
    const key = `${op} ${result.status} ${result.body?.error?.code ?? ''}`.trim();
    this.stats.unexpected[key] = (this.stats.unexpected[key] ?? 0) + 1;
    this.note(`unexpected ${key}: ${JSON.stringify(result.body).slice(0, 300)}`);
  }

  private async advance(d: Tracked): Promise<void> {
    const step = ACTIONS[d.stage]!;
    d.busy = true;
    this.stats.attempted.action++;
    const body = { version: d.version, ...(step.action === 'verify' ? { data: REGISTER } : {}) };
    let retried = false;
    const result = await this.retrying(`${step.action} ${d.code}`, async (retry) => {
      if (retry > 0) retried = true;
      const token = this.tokens[step.role] ?? (await this.login(step.role));
      const answer = await this.http('POST', `/api/dossiers/${encodeURIComponent(d.code!)}/actions/${step.action}`, { token, json: body });
      if (answer.status === 401) { delete this.tokens[step.role]; throw new Transient('401: signing in again'); }
      return answer;
    });
    d.busy = false;
    if (!result) return;
    if (result.status === 200) {
      d.version = result.body.version;
      d.stage = step.to;
      this.stats.acknowledged.action++;
      this.acks.push({ kind: 'action', key: d.key, code: d.code!, action: step.action, version: result.body.version, at: Date.now() });
      return;
    }
    if (result.status === 409 && retried) {
      // The first try may have committed and lost its answer: the dossier says whether it did.
      const view = await this.retrying(`view ${d.code}`, () => this.http('GET', `/api/dossiers/${encodeURIComponent(d.code!)}`, { token: d.token }));
      if (view?.status === 200 && view.body.version > d.version) {
        this.stats.appliedUnacked++;
        d.version = view.body.version;
        d.stage = (view.body.status as Stage) ?? step.to;
        this.note(`${step.action} ${d.code}: answer lost, dossier shows it applied (now ${view.body.status} v${view.body.version})`);
        return;
      }
    }
    this.unexpected(step.action, result);
    d.stage = 'dropped';
  }
}
