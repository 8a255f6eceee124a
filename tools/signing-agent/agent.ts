// Stand-in for the local signing agent an official runs next to their USB token (VGCA Sign Service style).
//   once:   tsx tools/signing-agent/agent.ts --download URL --upload URL --p12 FILE --password PW
//   serve:  tsx tools/signing-agent/agent.ts --serve 8987 --p12 FILE --password PW --origin https://portal.example
//   either: --sub-filter adbe.pkcs7.detached, --ess none|v1|v2, --like-itext (restamp /Info and XMP as iText does)
// It downloads the whole PDF, signs it as one incremental update with the PKCS#12 that plays the token, uploads the
// whole signed PDF and prints the portal's answer (one JSON line). See README.md. Imports nothing from src/.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { commonName, openPkcs12, signPdf, type EssAttribute, type SignOptions, type SubFilter, type TokenIdentity } from './sign.js';

const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

export interface HandOff { downloadUrl: string; uploadUrl: string }
export interface UploadAnswer { status: number; body: unknown }

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  if (!response.ok) throw new AgentError(`download refused: HTTP ${response.status} ${await response.text()}`, response.status);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_DOCUMENT_BYTES) throw new AgentError('document too large', 413);
  return Buffer.from(await response.arrayBuffer());
}

export class AgentError extends Error {
  constructor(message: string, readonly status = 502) {
    super(message);
  }
}

/** One hand-off: download, sign, upload; the portal's answer as it came. */
export async function signHandOff(handOff: HandOff, identity: TokenIdentity, options: SignOptions = {}): Promise<UploadAnswer> {
  const pdf = await download(handOff.downloadUrl);
  const signed = await signPdf(pdf, identity, options);
  const response = await fetch(handOff.uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: signed });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON: kept as text */ }
  return { status: response.status, body };
}

/**
 * The agent's local HTTP service: 127.0.0.1 only; CORS for the portal's origin(s) (with Chrome's Private Network
 * Access preflight answer); it fetches and uploads only URLs of those origins, so another web site cannot use it
 * to sign its own documents or to reach other hosts.
 */
export function serveAgent(options: { port: number; identity: TokenIdentity; origins: string[]; sign?: SignOptions }): Promise<http.Server> {
  const allowed = new Set(options.origins.map((o) => new URL(o).origin));
  const server = http.createServer((request, response) => {
    const origin = request.headers.origin;
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(body));
    };
    if (origin !== undefined) {
      if (!allowed.has(origin)) return send(403, { error: 'origin not allowed' });
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'Origin');
    }
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type',
        'access-control-allow-private-network': 'true', 'access-control-max-age': '600',
      });
      return response.end();
    }
    const url = request.url?.split('?')[0];
    if (request.method === 'GET' && url === '/status') {
      return send(200, { agent: 'motcua-signing-agent', certificate: commonName(options.identity.certificate) ?? null });
    }
    if (request.method !== 'POST' || url !== '/sign') return send(404, { error: 'not found' });
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 16 * 1024) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      let handOff: HandOff;
      try {
        handOff = JSON.parse(Buffer.concat(chunks).toString('utf8')) as HandOff;
        for (const u of [handOff.downloadUrl, handOff.uploadUrl]) {
          if (typeof u !== 'string' || !allowed.has(new URL(u).origin)) throw new Error('url');
        }
      } catch {
        return send(400, { error: 'expected { downloadUrl, uploadUrl } on the portal' });
      }
      signHandOff(handOff, options.identity, options.sign).then(
        (answer) => send(answer.status, answer.body),
        (error: unknown) => send(error instanceof AgentError ? error.status : 500, { error: error instanceof Error ? error.message : String(error) }),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve(server));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      download: { type: 'string' }, upload: { type: 'string' }, p12: { type: 'string' }, password: { type: 'string', default: '' },
      serve: { type: 'string' }, origin: { type: 'string', multiple: true },
      'sub-filter': { type: 'string' }, ess: { type: 'string' }, 'like-itext': { type: 'boolean', default: false },
    },
  });
  if (!values.p12) throw new Error('--p12 FILE is required');
  const identity = openPkcs12(await readFile(values.p12), values.password ?? '');
  const subFilter = values['sub-filter'];
  if (subFilter !== undefined && subFilter !== 'ETSI.CAdES.detached' && subFilter !== 'adbe.pkcs7.detached') throw new Error('--sub-filter: ETSI.CAdES.detached or adbe.pkcs7.detached');
  if (values.ess !== undefined && !['v1', 'v2', 'none'].includes(values.ess)) throw new Error('--ess: v1, v2 or none');
  const sign: SignOptions = { subFilter: subFilter as SubFilter | undefined, ess: values.ess as EssAttribute | undefined, likeItext: values['like-itext'] };
  if (values.serve !== undefined) {
    const origins = values.origin ?? ['http://localhost:3000'];
    const server = await serveAgent({ port: Number(values.serve), identity, origins, sign });
    const address = server.address();
    console.log(JSON.stringify({ listening: typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : null, origins }));
    const stop = () => server.close(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }
  if (!values.download || !values.upload) throw new Error('--download URL and --upload URL are required (or --serve PORT)');
  const answer = await signHandOff({ downloadUrl: values.download, uploadUrl: values.upload }, identity, sign);
  console.log(JSON.stringify(answer));
  if (answer.status >= 400) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  });
}
