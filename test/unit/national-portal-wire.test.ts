// The sync contract's wire mapping: Vietnam-time timestamps, national field names and codes, the handler name cut.
import { describe, expect, it } from 'vitest';
import { portalTimestamp, toWireDossier, toWireStep, type PortalDossier } from '../../src/integrations/national-portal/wire.js';

describe('national portal wire mapping', () => {
  it('writes dates as yyyyMMddHHmmss in Vietnam time, across the UTC day boundary', () => {
    expect(portalTimestamp(new Date('2026-12-31T17:30:05Z'))).toBe('20270101003005');
    expect(portalTimestamp(new Date('2026-06-01T00:00:00Z'))).toBe('20260601070000');
    expect(portalTimestamp(null)).toBe('');
  });

  const dossier: PortalDossier = {
    code: 'X-1', procedureCode: '1.005092.000.00.00.H56', procedureName: 'Cấp bản sao', channel: 'desk', ownerName: 'An', ownerIdNumber: null,
    ownerPhone: null, ownerEmail: null, summary: 'Cấp bản sao: An', statusCode: '2', submittedAt: new Date('2026-01-05T02:00:00Z'), receivedAt: null,
    appointmentAt: null, returnedAt: null, finishedAt: null, refusedAt: null, unitName: null, vneidAuthenticated: true, payment: 'unpaid',
  };

  it('maps channels, payment and VNeID flags to the contract codes; a dossier not yet received uses its filing time', () => {
    expect(toWireDossier(dossier)).toMatchObject({
      KenhThucHien: '1', DuocThanhToanTrucTuyen: '3', TaiKhoanDuocXacThucVoiVNeID: '1', SoGiayToChuHoSo: '', NgayTiepNhan: '20260105090000', NgayHenTra: '',
    });
    expect(toWireDossier({ ...dossier, channel: 'national', payment: 'paid-online', vneidAuthenticated: false })).toMatchObject({
      KenhThucHien: '2', DuocThanhToanTrucTuyen: '1', TaiKhoanDuocXacThucVoiVNeID: '0',
    });
  });

  it('cuts a long handler name to 50 characters the same way on every resend', () => {
    const step = {
      id: 'X-1:7', dossierCode: 'X-1', handlerName: 'Nguyễn '.repeat(10).trim(), handlerTitle: 'Chuyên viên', unitName: 'Phòng A',
      at: new Date('2026-01-05T02:00:00Z'), content: 'Tiếp nhận hồ sơ', statusCode: '4', statutoryEndAt: null, appointmentAt: new Date('2026-01-06T10:00:00Z'),
    };
    const wire = toWireStep(step);
    expect(wire.NguoiXuLy).toHaveLength(50);
    expect(wire.NguoiXuLy!.endsWith('...')).toBe(true);
    expect(wire).toMatchObject({ MaBuoc: 'X-1:7', TrangThai: '4', NgayKetThucTheoQuyDinh: '', NgayHenTra: '20260106170000', ThoiDiemXuLy: '20260105090000' });
    expect(toWireStep(step)).toEqual(wire);
  });
});
