// The HTTP client of the sync contract: dossiers (create, update) and processing steps, each a signed JSON POST
// (signature.ts). What counts as accepted follows the contract (docs/API.md, national portal): create and update answer
// JSON { error_code, message }, accepted when error_code is "0" or the message says "thành công"; the steps call
// answers plain text checked for "thành công" (a JSON { error_code: "0" } is taken too). Every other outcome — an HTTP
// error, a timeout, another body, a refusal — is a NationalPortalError: a plain Error, so the job driver retries it
// (jobs/registry.ts isPermanentFailure retries all but 4xx AppErrors) for as long as the sync job's policy says.
import type { NationalPortalConfig } from '../../config.js';
import { signedHeaders } from './signature.js';
import { MAX_STEPS_PER_REQUEST, SYNC_PATHS, type WireDossier, type WireStep } from './wire.js';

export class NationalPortalError extends Error {
  override readonly name = 'NationalPortalError';
}

export interface PortalAnswer { errorCode: string; message: string }

/** "… thành công" (success), not "… không thành công" (failure), which contains it. */
function saysSuccess(text: string): boolean {
  return /thành công/iu.test(text) && !/không thành công/iu.test(text);
}

/** The { error_code, message } of an answer body, when it is one. */
export function parsePortalAnswer(raw: string): PortalAnswer | undefined {
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch { return undefined; }
  return parsed && typeof parsed === 'object' && 'error_code' in parsed
    ? { errorCode: String((parsed as { error_code: unknown }).error_code), message: String((parsed as { message?: unknown }).message ?? '') }
    : undefined;
}

/** A create or update accepted: error_code "0", or a message saying "thành công" (how the contract's caller checks). */
export function dossierAnswerAccepted(answer: PortalAnswer): boolean {
  return answer.errorCode === '0' || saysSuccess(answer.message);
}

/** The steps call's 2xx body accepted: plain text containing "thành công" (the contract), or JSON error_code "0". */
export function stepsAnswerAccepted(raw: string): boolean {
  const answer = parsePortalAnswer(raw);
  return answer ? answer.errorCode === '0' : saysSuccess(raw);
}

/** The contract's "already exists" answer to a create: the dossier is then updated with the same body. */
function alreadyExists(answer: PortalAnswer): boolean {
  return (answer.errorCode === '3' || answer.errorCode === '-3') && /đã tồn tại/i.test(answer.message);
}

export class NationalPortalSyncClient {
  constructor(private readonly config: NationalPortalConfig) {}

  /** Creates the dossier at the portal, or updates it when the portal already holds it (a create whose ack was lost). */
  async upsertDossier(dossier: WireDossier, known: boolean): Promise<void> {
    if (!known) {
      const answer = await this.postForAnswer(SYNC_PATHS.createDossier, [dossier]);
      if (!alreadyExists(answer)) {
        if (dossierAnswerAccepted(answer)) return;
        throw refusal(SYNC_PATHS.createDossier, answer);
      }
    }
    const answer = await this.postForAnswer(SYNC_PATHS.updateDossier, [dossier]);
    if (!dossierAnswerAccepted(answer)) throw refusal(SYNC_PATHS.updateDossier, answer);
  }

  async sendSteps(steps: WireStep[]): Promise<void> {
    if (steps.length === 0) return;
    if (steps.length > MAX_STEPS_PER_REQUEST) throw new Error(`at most ${MAX_STEPS_PER_REQUEST} steps per request`);
    const raw = await this.post(SYNC_PATHS.steps, steps);
    if (stepsAnswerAccepted(raw)) return;
    const answer = parsePortalAnswer(raw);
    throw answer ? refusal(SYNC_PATHS.steps, answer) : new NationalPortalError(`national portal refused (${SYNC_PATHS.steps}): ${raw.slice(0, 500)}`);
  }

  private async postForAnswer(path: string, body: unknown): Promise<PortalAnswer> {
    const raw = await this.post(path, body);
    const answer = parsePortalAnswer(raw);
    if (!answer) throw new NationalPortalError(`national portal answered something else than { error_code } (${path})`);
    return answer;
  }

  /** The 2xx answer's body; anything else is a NationalPortalError. */
  private async post(path: string, body: unknown): Promise<string> {
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
    if (!response.ok) {
      const answer = parsePortalAnswer(raw);
      throw new NationalPortalError(`national portal answered HTTP ${response.status} (${path})${answer ? `: ${answer.errorCode} ${answer.message}` : ''}`.slice(0, 1000));
    }
    return raw;
  }
}

function refusal(path: string, answer: PortalAnswer): NationalPortalError {
  return new NationalPortalError(`national portal refused (${path}): error_code ${answer.errorCode} ${answer.message}`.slice(0, 1000));
}
