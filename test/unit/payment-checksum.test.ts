// The Payment Platform's MaXacThuc recipe against vectors computed by hand (printf '%s' 'INIT|…|secret' | sha256sum):
// fields in the contract's order joined with '|', the secret last, SHA-256 in lowercase hex; and its time format.
import { describe, expect, it } from 'vitest';
import { checksumMatches, paymentChecksum } from '../../src/integrations/payment-platform/checksum.js';
import { parseVnTimestamp, vnTimestamp } from '../../src/calendar/vn-time.js';

const SECRET = 'test-secret-0123456789';
const REFERENCE = 'dvcSGDDT25010100012025010109300501';

describe('Payment Platform checksum (MaXacThuc)', () => {
  it('INIT: LoaiBanTin|PhienBan|MaDoiTac|MaThamChieu|SoTien|LoaiHinhThanhToan|MaKenhThanhToan|MaThietBi|NgonNgu|MaTienTe|MaNganHang|ThongTinGiaoDich|ThoiGianGD|Ip|secret', () => {
    // Fields given out of order on purpose: the recipe, not the object, decides the order; extra fields do not count.
    const message = {
      Ip: '10.0.0.5', ThoiGianGD: '20250101093005', ThongTinGiaoDich: 'THANH TOAN HO SO SGDDT-250101-0001', MaNganHang: 'PAYMENT', MaTienTe: 'VND',
      NgonNgu: 'vi-VN', MaThietBi: '1', MaKenhThanhToan: '1', LoaiHinhThanhToan: 'PAY', SoTien: '150000', MaThamChieu: REFERENCE, MaDoiTac: 'MOTCUA',
      PhienBan: '1.0.6', LoaiBanTin: 'INIT', ThongTinBienLai: { ignored: true },
    };
    expect(paymentChecksum('INIT', message, SECRET)).toBe('f39c1965371f4e25aa033aca16dfaa39bc64fef993b80944c89c765bfd76809c');
  });

  it('confirm callback: LoaiBanTin|MaLoi|MaDoiTac|MaThamChieu|SoTien|MaTienTe|MaGiaoDich|MaNganHang|ThoiGianGD|ThongTinGiaoDich|secret (SoTien a JSON number)', () => {
    const message = {
      LoaiBanTin: 'PAY', MaLoi: '00', MaDoiTac: 'MOTCUA', MaThamChieu: REFERENCE, SoTien: 150000, MaTienTe: 'VND', MaGiaoDich: 'SIM123',
      MaNganHang: 'SIMBANK', ThoiGianGD: '20250101093512', ThongTinGiaoDich: 'THANH TOAN HO SO SGDDT-250101-0001',
    };
    const expected = '18afc089d4f90b6773ebf9c2d1fca7884b48aafa03fc6a5b8aa114d2ed6dc3b4';
    expect(paymentChecksum('CONFIRM', message, SECRET)).toBe(expected);
    expect(checksumMatches('CONFIRM', message, SECRET, expected.toUpperCase())).toBe(true);
    expect(checksumMatches('CONFIRM', { ...message, SoTien: 150001 }, SECRET, expected)).toBe(false);
    expect(checksumMatches('CONFIRM', message, 'another-secret-456789', expected)).toBe(false);
    expect(checksumMatches('CONFIRM', message, SECRET, undefined)).toBe(false);
  });

  it('QUERY: LoaiBanTin|PhienBan|MaDoiTac|MaThamChieu|ThoiGianGD|secret', () => {
    const message = { LoaiBanTin: 'QUERY', PhienBan: '1.0.6', MaDoiTac: 'MOTCUA', MaThamChieu: REFERENCE, ThoiGianGD: '20250101093005' };
    expect(paymentChecksum('QUERY', message, SECRET)).toBe('4fcd29f14d657cc82e59e9115ec6a781d3a6a8cd4640bb7c705697cace50a21f');
  });
});

describe('Payment Platform time (yyyyMMddHHmmss, 24-hour, Vietnam time)', () => {
  it('writes the afternoon as 13-23 and the Vietnam day, not the UTC one', () => {
    expect(vnTimestamp(new Date('2025-01-01T08:05:09Z'))).toBe('20250101150509');
    expect(vnTimestamp(new Date('2024-12-31T17:30:00Z'))).toBe('20250101003000');
  });

  it('reads it back to the instant, and refuses dates that do not exist', () => {
    expect(parseVnTimestamp('20250101150509')?.toISOString()).toBe('2025-01-01T08:05:09.000Z');
    expect(parseVnTimestamp('20250230120000')).toBeUndefined();
    expect(parseVnTimestamp('20250101250000')).toBeUndefined();
    expect(parseVnTimestamp('2025-01-01')).toBeUndefined();
  });
});
