import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/signing/keys.js';

const EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';
const DOCUMENT_SIGNING = '1.3.6.1.4.1.311.10.3.12';

describe('demo PKI', () => {
  it('issues a leaf that chains to its CA, with Vietnamese names intact', async () => {
    const ca = await createCertificateAuthority({
      commonName: 'motcua Demo CA',
      organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa',
    });
    const leaf = await issueCertificate(ca, {
      commonName: 'Lê Văn Bình'.normalize('NFD'),
      organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa',
      organisationalUnit: 'Ban Giám đốc',
      title: 'Phó Giám đốc',
      email: 'binh@example.vn',
      validDays: 30,
    });

    const caCert = new X509Certificate(ca.certificatePem);
    const leafCert = new X509Certificate(leaf.certificatePem);
    expect(caCert.ca).toBe(true);
    expect(leafCert.ca).toBe(false);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(leafCert.verify(caCert.publicKey)).toBe(true);
    expect(leafCert.checkIssued(caCert)).toBe(true);
    // Byte-identical issuer/subject names: forge must not re-encode the CA's UTF8String name.
    expect(leafCert.issuer).toBe(caCert.subject);
    expect(leafCert.subject).toContain('CN=Lê Văn Bình');
    expect(leafCert.subject).toContain('C=VN');
    expect(leafCert.subject).toContain('OU=Ban Giám đốc');
    expect(leafCert.subjectAltName).toBe('email:binh@example.vn');
    expect(leafCert.keyUsage).toEqual(expect.arrayContaining([EMAIL_PROTECTION, DOCUMENT_SIGNING]));
    expect(leafCert.checkPrivateKey(createPrivateKey(leaf.privateKeyPem))).toBe(true);
    expect(leaf.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const days = (Date.parse(leafCert.validTo) - Date.parse(leafCert.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    expect(Date.parse(leafCert.validFrom)).toBeLessThan(Date.now());
  });
});
