// The embedded demo's remote signing: one demo official (principal3, the principal of Trường THPT Hàm Rồng) signs
// through the remote-signing simulator (tools/remote-signing-sim, started by main.ts with the demo CA) instead of a
// server-held key. Idempotent: the registration is redone only when the provider's certificate changed.
import type { SignerKeys } from '../../services/keys/signer-keys.js';
import type { RemoteSigningClient } from '../../signing/remote-signing-client.js';
import type { Db } from '../client.js';
import { findStaffByUsername } from '../repositories/staff.js';

/** The demo holder at the simulator: the account, and the 12-digit ID number the provider knows them by. */
export const REMOTE_DEMO_HOLDER = {
  username: 'principal3', userId: '038180000003', name: 'Lê Thị Phương', organisation: 'Trường THPT Hàm Rồng',
} as const;

export async function seedRemoteSigningDemo(db: Db, signerKeys: SignerKeys, client: RemoteSigningClient): Promise<boolean> {
  const staff = await findStaffByUsername(db, REMOTE_DEMO_HOLDER.username);
  if (!staff) return false;
  const certificate = await client.getCertificate(REMOTE_DEMO_HOLDER.userId);
  const mode = await signerKeys.modeFor({ staffId: staff.id });
  if (mode?.kind === 'remote' && mode.holderId === REMOTE_DEMO_HOLDER.userId && mode.certificatePem.trim() === certificate.certificatePem.trim()) return false;
  await signerKeys.store({ staffId: staff.id }, { certificatePem: certificate.certificatePem, chainPem: certificate.chainPem, remoteHolderId: REMOTE_DEMO_HOLDER.userId });
  return true;
}
