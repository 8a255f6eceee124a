// Files sent from pages (uploads shown inline, the signed result, the one-stop forms), with safe headers.
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import type { DossierView } from '../../services/viewing/dossier-view.js';
import { bodyLength } from '../../storage/index.js';

function asciiFileName(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^\w.-]+/g, '_');
}

export function sendDownload(reply: FastifyReply, mimeType: string, fileName: string, data: Buffer | Readable, inline: boolean) {
  // A stream from object storage announces its recorded length: cut short by a failed hash check, it is visibly incomplete.
  const length = bodyLength(data);
  if (length !== undefined) reply.header('content-length', length);
  return reply.type(mimeType)
    .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${asciiFileName(fileName)}"; filename*=UTF-8''${encodeURIComponent(fileName)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(data);
}

/** Set once at start-up: whether the one-stop forms endpoint (issue 4B) is registered in this build. */
export const formsAvailability = { enabled: false };

/**
 * The one-stop forms issued for this dossier so far (the service lists them: issue 4B), as links under `base`:
 * staff use the API URLs (their session cookie works there); citizens get /ho-so/:code/mau/:kind, which passes the
 * remembered tracking token on.
 */
export function formLinks(view: DossierView, base: string): Array<{ kind: string; label: string; url: string }> {
  if (!formsAvailability.enabled) return [];
  const listed = (view as { forms?: Array<{ kind: string; label: string; url: string }> }).forms ?? [];
  return listed.map((f) => ({ kind: f.kind, label: f.label, url: base.startsWith('/api/') ? f.url : `${base}/mau/${encodeURIComponent(f.kind)}` }));
}
