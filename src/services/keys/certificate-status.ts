// What an administrator needs to know about a signing certificate: who it names, who issued it, its serial, its
// validity and how many days it has left, and one status word the pages and the admin home colour by. Pure.
import { X509Certificate } from 'node:crypto';

/** A certificate this close to its end is flagged: a CA takes days to issue a new one, so the warning comes early. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

export type CertificateStatus = 'active' | 'expiring' | 'expired' | 'not_yet_valid';
/** A key's status: its certificate's, or `inactive` once replaced by a newer key or deactivated by an administrator. */
export type KeyStatus = CertificateStatus | 'inactive';

export const KEY_STATUS_LABELS: Record<KeyStatus, string> = {
  active: 'Đang dùng',
  expiring: `Sắp hết hạn (dưới ${EXPIRY_WARNING_DAYS} ngày)`,
  expired: 'Đã hết hạn',
  not_yet_valid: 'Chưa đến ngày hiệu lực',
  inactive: 'Đã thu hồi hoặc đã thay',
};

export interface CertificateSummary {
  commonName: string | null;
  organisation: string | null;
  /** The issuer's common name (else its whole name). */
  issuer: string;
  /** Hexadecimal, upper case, as CAs print it. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** Whole days until notAfter, rounded up; zero or negative once expired. */
  daysLeft: number;
  status: CertificateStatus;
}

/**
 * One attribute of a distinguished name as node:crypto prints it (one `KEY=value` a line, a value that holds a
 * separator in double quotes).
 */
function nameAttribute(name: string, key: string): string | null {
  for (const line of name.split('\n')) {
    if (!line.startsWith(`${key}=`)) continue;
    const value = line.slice(key.length + 1);
    return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return null;
}

export function certificateStatus(notBefore: Date, notAfter: Date, now: Date): CertificateStatus {
  if (now < notBefore) return 'not_yet_valid';
  if (now >= notAfter) return 'expired';
  return notAfter.getTime() - now.getTime() <= EXPIRY_WARNING_DAYS * DAY_MS ? 'expiring' : 'active';
}

export function summariseCertificate(certificatePem: string, now: Date): CertificateSummary {
  const certificate = new X509Certificate(certificatePem);
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  return {
    commonName: nameAttribute(certificate.subject, 'CN'),
    organisation: nameAttribute(certificate.subject, 'O'),
    issuer: nameAttribute(certificate.issuer, 'CN') ?? certificate.issuer.replaceAll('\n', ', '),
    serial: certificate.serialNumber.toUpperCase(),
    notBefore,
    notAfter,
    daysLeft: Math.ceil((notAfter.getTime() - now.getTime()) / DAY_MS),
    status: certificateStatus(notBefore, notAfter, now),
  };
}

/** An inactive key is inactive whatever its certificate says; an active one takes its certificate's status. */
export function keyStatus(active: boolean, certificate: CertificateStatus): KeyStatus {
  return active ? certificate : 'inactive';
}

/** A validity bound as Vietnamese readers write a day (Vietnam time). */
export function certificateDay(date: Date): string {
  return date.toLocaleDateString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' });
}

/** The words of an upload's warning, or null when the certificate has more than EXPIRY_WARNING_DAYS left. */
export function expiryWarning(summary: Pick<CertificateSummary, 'status' | 'daysLeft' | 'notAfter'>): string | null {
  if (summary.status !== 'expiring') return null;
  return `Chứng thư số hết hạn sau ${summary.daysLeft} ngày (ngày ${certificateDay(summary.notAfter)}). Cần đề nghị tổ chức cung cấp dịch vụ chứng thực cấp chứng thư mới.`;
}
