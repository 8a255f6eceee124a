// The sync contract's shapes on the wire (DVCQG "đồng bộ hồ sơ": HoSoDongBoDVC, QuaTrinhXuLyDongBoDVC): national field
// names, codes as strings, every date as yyyyMMddHHmmss in Vietnam time. Pure mapping; what to send is decided in
// services/national-portal/sync-dossier.ts.
import { vnTimestamp } from '../../calendar/vn-time.js';

/** The contract's endpoints (the portal's URLThemMoi, URLCapNhat, URLDongBoTienTrinh), under NATIONAL_PORTAL_URL. */
export const SYNC_PATHS = {
  createDossier: '/dvcqg/hoso/themmoi',
  updateDossier: '/dvcqg/hoso/capnhat',
  steps: '/dvcqg/hoso/quatrinh',
} as const;

/** The contract takes at most this many steps per request. */
export const MAX_STEPS_PER_REQUEST = 10;

/** The portal cuts the handler's name at 50 characters; we cut it ourselves so the same name is stored on every resend. */
const MAX_HANDLER_NAME = 50;

/** A contract date (calendar/vn-time.ts vnTimestamp), or "" for no date (the contract's empty value). */
export function portalTimestamp(at: Date | null | undefined): string {
  return at ? vnTimestamp(at) : '';
}

/** How the dossier was filed, as the contract counts it: 1 at the desk, 2 online (this portal or the national one). */
export type Channel = 'desk' | 'online' | 'national';

export interface PortalDossier {
  code: string;
  procedureCode: string;
  procedureName: string;
  channel: Channel;
  ownerName: string;
  ownerIdNumber: string | null;
  ownerPhone: string | null;
  ownerEmail: string | null;
  summary: string;
  statusCode: string;
  submittedAt: Date;
  receivedAt: Date | null;
  appointmentAt: Date | null;
  returnedAt: Date | null;
  finishedAt: Date | null;
  refusedAt: Date | null;
  unitName: string | null;
  /** Filed in a VNeID-authenticated session. */
  vneidAuthenticated: boolean;
  payment: 'none' | 'paid-online' | 'unpaid';
}

export interface PortalStep {
  /** Stable across resends: the portal drops a step whose id it already holds. */
  id: string;
  dossierCode: string;
  handlerName: string;
  handlerTitle: string;
  unitName: string;
  at: Date;
  content: string;
  statusCode: string;
  statutoryEndAt: Date | null;
  appointmentAt: Date | null;
}

export type WireDossier = Record<string, string>;
export type WireStep = Record<string, string>;

const CHANNEL_CODES: Record<Channel, string> = { desk: '1', online: '2', national: '2' };
const PAYMENT_CODES: Record<PortalDossier['payment'], string> = { none: '0', 'paid-online': '1', unpaid: '3' };

export function toWireDossier(d: PortalDossier): WireDossier {
  return {
    MaHoSo: d.code,
    MaTTHC: d.procedureCode,
    TenTTHC: d.procedureName.slice(0, 500),
    KenhThucHien: CHANNEL_CODES[d.channel],
    ChuHoSo: d.ownerName,
    SoGiayToChuHoSo: d.ownerIdNumber ?? '',
    LoaiDoiTuong: '1',
    SoDienThoai: d.ownerPhone ?? '',
    Email: d.ownerEmail ?? '',
    TrichYeuHoSo: d.summary.slice(0, 1000),
    NgayNopHoSo: portalTimestamp(d.submittedAt),
    NgayTiepNhan: portalTimestamp(d.receivedAt ?? d.submittedAt),
    NgayHenTra: portalTimestamp(d.appointmentAt),
    TrangThaiHoSo: d.statusCode,
    NgayTra: portalTimestamp(d.returnedAt),
    NgayKetThucXuLy: portalTimestamp(d.finishedAt),
    NgayTuChoi: portalTimestamp(d.refusedAt),
    DonViXuLy: d.unitName ?? '',
    NoiNopHoSo: '2',
    TaiKhoanDuocXacThucVoiVNeID: d.vneidAuthenticated ? '1' : '0',
    DuocThanhToanTrucTuyen: PAYMENT_CODES[d.payment],
  };
}

export function toWireStep(s: PortalStep): WireStep {
  const name = s.handlerName.length > MAX_HANDLER_NAME ? `${s.handlerName.slice(0, MAX_HANDLER_NAME - 3)}...` : s.handlerName;
  return {
    MaBuoc: s.id,
    MaHoSo: s.dossierCode,
    NguoiXuLy: name,
    ChucDanh: s.handlerTitle,
    ThoiDiemXuLy: portalTimestamp(s.at),
    PhongBanXuLy: s.unitName,
    NoiDungXuLy: s.content,
    TrangThai: s.statusCode,
    NgayBatDau: portalTimestamp(s.at),
    NgayKetThucTheoQuyDinh: portalTimestamp(s.statutoryEndAt),
    NgayHenTra: portalTimestamp(s.appointmentAt),
  };
}
