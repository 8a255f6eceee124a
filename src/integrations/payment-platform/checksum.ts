// MaXacThuc, the Payment Platform's checksum: SHA-256 over the UTF-8 bytes of a message's fields, in the order the
// contract fixes for that message, joined with '|', with the shared secret appended as the last element; lowercase hex.
// A plain hash, not an HMAC: that is the platform's recipe, so both sides must compute exactly this.
import { createHash, timingSafeEqual } from 'node:crypto';

/** The field order of each message's checksum (the secret follows the last one). */
export const CHECKSUM_FIELDS = {
  INIT: ['LoaiBanTin', 'PhienBan', 'MaDoiTac', 'MaThamChieu', 'SoTien', 'LoaiHinhThanhToan', 'MaKenhThanhToan', 'MaThietBi', 'NgonNgu',
    'MaTienTe', 'MaNganHang', 'ThongTinGiaoDich', 'ThoiGianGD', 'Ip'],
  /** The confirm callback, and the answer to a status check (same shape; TrangThaiGD is not covered: see client.ts). */
  CONFIRM: ['LoaiBanTin', 'MaLoi', 'MaDoiTac', 'MaThamChieu', 'SoTien', 'MaTienTe', 'MaGiaoDich', 'MaNganHang', 'ThoiGianGD', 'ThongTinGiaoDich'],
  QUERY: ['LoaiBanTin', 'PhienBan', 'MaDoiTac', 'MaThamChieu', 'ThoiGianGD'],
  /** Our answer to a callback (MaLoi, MaDoiTac, MaThamChieu, ThoiGianGD): the contract leaves it unsigned; we sign it. */
  CONFIRM_ANSWER: ['MaLoi', 'MaDoiTac', 'MaThamChieu', 'ThoiGianGD'],
} as const satisfies Record<string, readonly string[]>;

export type ChecksumKind = keyof typeof CHECKSUM_FIELDS;

/** The checksum of `message` by the recipe of `kind`; a missing field counts as the empty string. */
export function paymentChecksum(kind: ChecksumKind, message: Readonly<Record<string, unknown>>, secret: string): string {
  const parts = CHECKSUM_FIELDS[kind].map((field) => {
    const value = message[field];
    return value === undefined || value === null ? '' : String(value);
  });
  return createHash('sha256').update([...parts, secret].join('|'), 'utf8').digest('hex');
}

/** Whether `given` is the checksum of `message` (constant-time; hex compared case-insensitively). */
export function checksumMatches(kind: ChecksumKind, message: Readonly<Record<string, unknown>>, secret: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(paymentChecksum(kind, message, secret));
  const actual = Buffer.from(given.toLowerCase());
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
