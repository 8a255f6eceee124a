// The HTTP client of the sync contract: dossiers (create, update) and processing steps, each a signed JSON POST
// (signature.ts) answered { error_code, message }, "0" = accepted. Every other outcome — an HTTP error, a timeout, a
// body that is not the answer, a refusal — is a NationalPortalError: a plain Error, so the job driver retries it
// (jobs/registry.ts isPermanentFailure retries all but 4xx AppErrors) for as long as the sync job's policy says.
import type { NationalPortalConfig } from '../../config.js';
import { signedHeaders } from './signature.js';
import { MAX_STEPS_PER_REQUEST, SYNC_PATHS, type WireDossier, type WireStep } from './wire.js';

export class NationalPortalError extends Error {
  override readonly name = 'NationalPortalError';
}

export interface PortalAnswer { errorCode: string; message: string }

/** The contract's "already exists" answer to a create: the dossier is then updated with the same body. */
function alreadyExists(answer: PortalAnswer): boolean {
  return (answer.errorCode === '3' || answer.errorCode === '-3') && /đã tồn tại/i.test(answer.message);
}

export class NationalPortalSyncClient {
  constructor(private readonly config: NationalPortalConfig) {}

  /** Creates the dossier at the portal, or updates it when the portal already holds it (a create whose ack was lost). */
  async upsertDossier(dossier: WireDossier, known: boolean): Promise<void> {
    if (!known) {
      const answer = await this.post(SYNC_PATHS.createDossier, [dossier]);
      if (answer.errorCode === '0') return;
      if (!alreadyExists(answer)) throw refusal(SYNC_PATHS.createDossier, answer);
    }
    const answer = await this.post(SYNC_PATHS.updateDossier, [dossier]);
    if (answer.errorCode !== '0') throw refusal(SYNC_PATHS.updateDossier, answer);
  }

  async sendSteps(steps: WireStep[]): Promise<void> {
    if (steps.length === 0) return;
    if (steps.length > MAX_STEPS_PER_REQUEST) throw new Error(`at most ${MAX_STEPS_PER_REQUEST} steps per request`);
    const answer = await this.post(SYNC_PATHS.steps, steps);
    if (answer.errorCode !== '0') throw refusal(SYNC_PATHS.steps, answer);
  }

  private async post(path: string, body: unknown): Promise<PortalAnswer> {
    const pathAndQuery = `${path}?MaHeThong=${encodeURIComponent(this.config.systemCode)}`;
    const text = JSON.stringify(body);
    let response: Response;
    try {
      response = await fetch(`${this.config.url}${pathAndQuery}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json', ...signedHeaders(this.config.secret, 'POST', pathAndQuery, text) },
        body: text,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (error) {
      throw new NationalPortalError(`national portal unreachable (${path}): ${(error as Error).message}`, { cause: error });
    }
    const raw = await response.text().catch(() => '');
    let parsed: unknown;
    try { parsed = JSON.parse(raw); } catch { parsed = undefined; }
    const answer = parsed && typeof parsed === 'object' && 'error_code' in parsed
      ? { errorCode: String((parsed as { error_code: unknown }).error_code), message: String((parsed as { message?: unknown }).message ?? '') }
      : undefined;
    if (!response.ok) throw new NationalPortalError(`national portal answered HTTP ${response.status} (${path})${answer ? `: ${answer.errorCode} ${answer.message}` : ''}`);
    if (!answer) throw new NationalPortalError(`national portal answered something else than { error_code } (${path})`);
    return answer;
  }
}

function refusal(path: string, answer: PortalAnswer): NationalPortalError {
  return new NationalPortalError(`national portal refused (${path}): error_code ${answer.errorCode} ${answer.message}`.slice(0, 1000));
}
