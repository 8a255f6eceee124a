// The attachments of a dossier the national portal pushed: it sends their URLs (DuongDanTaiTepTin), we fetch them.
// Only from the configured portal's own origin (any other URL would let whoever holds the secret make this server
// fetch inside the province's network), with a signed GET, no redirect, a timeout and the upload size limit.
import { createHash } from 'node:crypto';
import type { NationalPortalConfig } from '../../config.js';
import { signedHeaders } from './signature.js';

export interface AttachmentRef {
  url: string;
  /** The sha256 (hex) the portal announced, checked against the bytes when given. */
  sha256?: string;
}

/** Why an attachment could not be taken: 'refused' (not the portal's URL) or 'unavailable' (the portal failed to serve it). */
export class AttachmentProblem extends Error {
  constructor(readonly kind: 'refused' | 'unavailable', message: string) {
    super(message);
    this.name = 'AttachmentProblem';
  }
}

/** Throws AttachmentProblem('refused') unless the URL is http(s) on the portal's origin. No request is made. */
export function checkAttachmentUrl(portal: Pick<NationalPortalConfig, 'url'>, url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AttachmentProblem('refused', 'Đường dẫn tệp không hợp lệ.');
  }
  if (parsed.origin !== new URL(portal.url).origin || parsed.username || parsed.password) {
    throw new AttachmentProblem('refused', 'Chỉ nhận tệp từ Cổng Dịch vụ công quốc gia đã cấu hình.');
  }
  return parsed;
}

/** The bytes of one attachment, or AttachmentProblem. `maxBytes` bounds what is read, whatever Content-Length says. */
export async function fetchAttachment(portal: NationalPortalConfig, ref: AttachmentRef, maxBytes: number): Promise<Buffer> {
  const url = checkAttachmentUrl(portal, ref.url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'GET',
      headers: signedHeaders(portal.secret, 'GET', `${url.pathname}${url.search}`, ''),
      // A redirect could lead off the portal's origin: refused as a failure of the portal's.
      redirect: 'error',
      signal: AbortSignal.timeout(portal.timeoutMs),
    });
  } catch (error) {
    throw new AttachmentProblem('unavailable', `Không tải được tệp từ Cổng (${describe(error)}).`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new AttachmentProblem('unavailable', `Cổng trả lỗi HTTP ${response.status} khi tải tệp.`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new AttachmentProblem('unavailable', `Tệp lớn hơn ${Math.floor(maxBytes / 1024 / 1024)} MB.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.length;
      if (size > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw new AttachmentProblem('unavailable', `Tệp lớn hơn ${Math.floor(maxBytes / 1024 / 1024)} MB.`);
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (error instanceof AttachmentProblem) throw error;
    throw new AttachmentProblem('unavailable', `Tải tệp từ Cổng bị gián đoạn (${describe(error)}).`);
  }
  const data = Buffer.concat(chunks);
  if (ref.sha256 && createHash('sha256').update(data).digest('hex') !== ref.sha256.toLowerCase()) {
    throw new AttachmentProblem('unavailable', 'Nội dung tệp tải về không khớp mã băm SHA-256 Cổng đã gửi.');
  }
  return data;
}

function describe(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'quá thời gian chờ';
  return 'không kết nối được';
}
