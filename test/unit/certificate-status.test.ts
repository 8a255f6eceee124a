// A key's status on the administrators' page: the certificate's validity against now, with the expiry threshold.
import { describe, expect, it } from 'vitest';
import { certificateStatus, EXPIRY_WARNING_DAYS, expiryWarning, keyStatus, summariseCertificate } from '../../src/services/keys/certificate-status.js';
import { createCertificateAuthority, issueCertificate } from '../../src/signing/keys.js';

const DAY_MS = 86_400_000;
const now = new Date('2026-03-01T00:00:00Z');
const at = (days: number) => new Date(now.getTime() + days * DAY_MS);

describe('certificate status', () => {
  it('is not valid yet, active, expiring within the threshold, then expired', () => {
    expect(certificateStatus(at(1), at(400), now)).toBe('not_yet_valid');
    expect(certificateStatus(at(-1), at(EXPIRY_WARNING_DAYS + 1), now)).toBe('active');
    expect(certificateStatus(at(-1), at(EXPIRY_WARNING_DAYS), now)).toBe('expiring');
    expect(certificateStatus(at(-1), at(0.01), now)).toBe('expiring');
    expect(certificateStatus(at(-400), now, now)).toBe('expired');
  });

  it('an inactive key is inactive whatever its certificate says', () => {
    expect(keyStatus(false, 'active')).toBe('inactive');
    expect(keyStatus(true, 'expired')).toBe('expired');
  });

  it('reads names with diacritics, issuer, serial and days left from a real certificate', async () => {
    const ca = await createCertificateAuthority({ commonName: 'CA Thử nghiệm', organisation: 'Bộ Thông tin và Truyền thông' });
    const leaf = await issueCertificate(ca, { commonName: 'Nguyễn Đức Thắng', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa', validDays: 10 });
    const summary = summariseCertificate(leaf.certificatePem, new Date());
    expect(summary).toMatchObject({
      commonName: 'Nguyễn Đức Thắng', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa', issuer: 'CA Thử nghiệm', daysLeft: 10, status: 'expiring',
    });
    expect(summary.serial).toMatch(/^[0-9A-F]{32}$/);
    expect(expiryWarning(summary)).toMatch(/hết hạn sau 10 ngày/);
    expect(expiryWarning({ ...summary, status: 'active' })).toBeNull();
  });
});
