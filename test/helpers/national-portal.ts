// The national portal link in tests: the portal simulator (tools/national-portal-sim) on a free port, motcua in
// production mode pointed at it and listening on another (so the simulator can push to it), and a diploma-copy dossier
// as the portal pushes it.
import { randomBytes } from 'node:crypto';
import type { PushDossier } from '../../tools/national-portal-sim/dossier-push.js';
import { startPortalSimulator, type PortalSimulator } from '../../tools/national-portal-sim/simulator.js';
import { startTestEnvironment, type TestEnvironment } from './context.js';
import { diplomaRequest } from './dossiers.js';
import { makePdf } from './files.js';
import { type ApiClient, listenForHttp } from './http.js';

export const DIPLOMA_TTHC = '1.005092.000.00.00.H56';

export interface PortalEnvironment { sim: PortalSimulator; env: TestEnvironment; api: ApiClient; secret: string; close(): Promise<void> }

export async function startPortalEnvironment(extraEnv: Record<string, string> = {}): Promise<PortalEnvironment> {
  const secret = randomBytes(32).toString('hex');
  const sim = await startPortalSimulator({ secret });
  const env = await startTestEnvironment('production', { env: { NATIONAL_PORTAL_URL: sim.url, NATIONAL_PORTAL_SECRET: secret, ...extraEnv } });
  const api = await listenForHttp(env);
  sim.options.motcuaUrl = api.baseUrl;
  return { sim, env, api, secret, close: async () => { await env.close(); await sim.close(); } };
}

/** A diploma copy filed on the portal by a citizen signed in with VNeID, its ID card (a PDF) hosted on the portal. */
export async function portalDiplomaDossier(nationalCode: string, name: string): Promise<PushDossier & { TaiLieuNop: NonNullable<PushDossier['TaiLieuNop']> }> {
  const { applicantName, applicantIdNumber, applicantPhone, applicantAddress, ...form } = diplomaRequest(name);
  return {
    MaHoSo: nationalCode, MaTTHC: DIPLOMA_TTHC, NgayNopHoSo: '20261201090000', KenhThucHien: '2',
    ChuHoSo: applicantName, SoGiayToChuHoSo: applicantIdNumber, SoDienThoai: applicantPhone, DiaChi: applicantAddress,
    DinhDanhCHS: [{ LoaiDinhDanh: '1', SoDinhDanh: applicantIdNumber }], TaiKhoanDuocXacThucVoiVNeID: '1', loAs: 'LOA2',
    DuLieuBieuMau: { ...form, holderName: applicantName },
    TaiLieuNop: [{ MaThanhPhanHoSo: 'identity', TenTepDinhKem: 'cccd.pdf', data: await makePdf(`CCCD ${name}`), mimeType: 'application/pdf' }],
  };
}
