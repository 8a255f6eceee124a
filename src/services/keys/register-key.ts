// An admin registers an official's or a unit's signing key: a PKCS#12 file (key kept encrypted under the
// configured secret, and also under the owner's PIN when one is given), or a certificate alone for a key that
// lives on a USB token (external signing), or an official's ID number at the remote-signing provider (the certificate
// is fetched from the provider: remote signing). A new key replaces the owner's active one
// (kept, inactive, for the record). A certificate that has expired or is not valid yet is refused; one that
// expires within EXPIRY_WARNING_DAYS is taken with a warning. Each registration is audited with the change.
import { X509Certificate } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import { upsertAppearance } from '../../db/repositories/signing.js';
import { findStaffByUsername, findUnit } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { isPersonalId } from '../../identity/personal-id.js';
import { parsePkcs12 } from '../../signing/pkcs12.js';
import { providerFailure, remoteSigningClient } from '../../signing/remote-signing-client.js';
import type { Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import { recordAudit } from '../audit/audit.js';
import { appearanceImageType, MAX_APPEARANCE_BYTES } from './appearance-image.js';
import { certificateDay, expiryWarning, summariseCertificate, type CertificateSummary } from './certificate-status.js';
import type { KeyOwner, SigningMode } from './signer-keys.js';

export interface RegisterKeyInput {
  /** Exactly one: a staff username or a unit id. */
  staff?: string;
  unit?: string;
  pkcs12?: Buffer;
  password?: string;
  pin?: string;
  /** Certificate (PEM) for external signing, with its chain. */
  certificate?: string;
  chain?: string;
  /** Remote signing: the official's 12-digit ID number at the provider, which holds the key and hands out the certificate. */
  remoteHolderId?: string;
}

/** The certificate a remote-signing provider holds for `holderId`, with its chain. */
async function remoteMaterial(ctx: AppContext, holderId: string): Promise<{ certificatePem: string; chainPem: string[]; remoteHolderId: string }> {
  if (!isPersonalId(holderId)) {
    throw new AppError('VALIDATION_FAILED', 'Số định danh cá nhân (CCCD) phải gồm 12 chữ số.', { remoteHolderId: '12 chữ số.' });
  }
  const client = remoteSigningClient(ctx.config);
  try {
    const found = await client.getCertificate(holderId);
    return { certificatePem: found.certificatePem, chainPem: found.chainPem, remoteHolderId: holderId };
  } catch (error) {
    throw providerFailure(error);
  }
}

/** A key's or an image's owner, with how the audit log and the pages name it. */
export interface ResolvedOwner {
  owner: KeyOwner;
  /** `staff:<username>` or `unit:<unit id>`: the audit entry's target and the preview URL's segment. */
  ref: string;
  name: string;
}

export async function resolveOwner(ctx: Pick<AppContext, 'db'>, input: { staff?: string; unit?: string }): Promise<ResolvedOwner> {
  if (input.staff && !input.unit) {
    const staff = await findStaffByUsername(ctx.db, input.staff);
    if (!staff) throw new AppError('VALIDATION_FAILED', 'Không tìm thấy cán bộ.', { staff: 'Không tồn tại.' });
    return { owner: { staffId: staff.id }, ref: `staff:${staff.username}`, name: `${staff.fullName} (${staff.username})` };
  }
  if (input.unit && !input.staff) {
    const unit = await findUnit(ctx.db, input.unit);
    if (!unit) throw new AppError('VALIDATION_FAILED', 'Không tìm thấy đơn vị.', { unit: 'Không tồn tại.' });
    return { owner: { unitId: unit.id }, ref: `unit:${unit.id}`, name: unit.name };
  }
  throw new AppError('VALIDATION_FAILED', 'Chọn đúng một chủ sở hữu: cán bộ hoặc đơn vị.', { staff: 'Cán bộ hoặc đơn vị.' });
}

/** The signature image of an official or the seal image of a unit, shown in the visible signature. */
export async function registerAppearance(ctx: AppContext, caller: Caller, input: { staff?: string; unit?: string; image?: Buffer }) {
  const { actor } = administratorOf(caller);
  const resolved = await resolveOwner(ctx, input);
  const type = input.image && input.image.length <= MAX_APPEARANCE_BYTES ? appearanceImageType(input.image) : null;
  if (!input.image || !type) {
    throw new AppError('VALIDATION_FAILED', `Ảnh chữ ký/con dấu phải là tệp PNG (nên có nền trong suốt) hoặc JPEG, tối đa ${MAX_APPEARANCE_BYTES / 1024} KB.`,
      { image: `PNG hoặc JPEG, ≤ ${MAX_APPEARANCE_BYTES / 1024} KB.` });
  }
  const image = input.image;
  await ctx.db.transaction(async (tx) => {
    await upsertAppearance(tx, resolved.owner, image);
    await recordAudit(tx, actor, 'key.appearance_uploaded', resolved.ref,
      { owner: resolved.name, type, sizeBytes: image.length });
  });
  return { owner: 'staffId' in resolved.owner ? 'staff' as const : 'unit' as const, ref: resolved.ref, type, sizeBytes: image.length };
}

/** Refuses a certificate outside its validity: the key could only make signatures every verifier rejects. */
function assertCurrentlyValid(summary: CertificateSummary): void {
  if (summary.status === 'expired') {
    throw new AppError('CERTIFICATE_EXPIRED', `Chứng thư số đã hết hạn ngày ${certificateDay(summary.notAfter)}.`, { certificate: 'Hết hạn.' });
  }
  if (summary.status === 'not_yet_valid') {
    throw new AppError('CERTIFICATE_NOT_YET_VALID', `Chứng thư số chỉ có hiệu lực từ ngày ${certificateDay(summary.notBefore)}.`, { certificate: 'Chưa đến ngày hiệu lực.' });
  }
}

export async function registerSigningKey(ctx: AppContext, caller: Caller, input: RegisterKeyInput) {
  const { actor } = administratorOf(caller);
  const resolved = await resolveOwner(ctx, input);
  const { owner } = resolved;
  // 6 digits at least: with the attempt limit (keys/signer-keys.ts) a million PINs take decades to guess.
  if (input.pin !== undefined && !/^\d{6,12}$/.test(input.pin)) throw new AppError('VALIDATION_FAILED', 'Mã PIN phải gồm 6–12 chữ số.', { pin: '6–12 chữ số.' });

  let material: { certificatePem: string; privateKeyPem?: string; chainPem: string[]; remoteHolderId?: string };
  if (input.remoteHolderId !== undefined) {
    if ('unitId' in owner) throw new AppError('VALIDATION_FAILED', 'Con dấu số của đơn vị không ký số từ xa.', { remoteHolderId: 'Chỉ dành cho cán bộ.' });
    if (input.pkcs12 || input.certificate || input.pin !== undefined) {
      throw new AppError('VALIDATION_FAILED', 'Ký số từ xa: chỉ cần số định danh của người ký, không kèm tệp khóa, chứng thư hay mã PIN.', { remoteHolderId: 'Không kèm tệp khóa.' });
    }
    material = await remoteMaterial(ctx, input.remoteHolderId);
  } else if (input.pkcs12) {
    try {
      const parsed = parsePkcs12(input.pkcs12, input.password ?? '');
      material = { certificatePem: parsed.certificatePem, privateKeyPem: parsed.privateKeyPem, chainPem: parsed.chainPem };
    } catch (error) {
      throw new AppError('VALIDATION_FAILED', error instanceof Error ? error.message : 'Tệp PKCS#12 không hợp lệ.', { pkcs12: 'Không mở được.' });
    }
  } else if (input.certificate) {
    const blocks = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const [leaf] = blocks(input.certificate);
    if (!leaf) throw new AppError('VALIDATION_FAILED', 'Chứng thư số không hợp lệ.', { certificate: 'Cần PEM.' });
    material = { certificatePem: `${leaf}\n`, chainPem: blocks(input.chain ?? '').map((b) => `${b}\n`) };
  } else {
    throw new AppError('VALIDATION_FAILED', 'Cần tệp PKCS#12 hoặc chứng thư số.', { pkcs12: 'Bắt buộc.' });
  }
  let certificate: X509Certificate;
  let summary: CertificateSummary;
  try {
    certificate = new X509Certificate(material.certificatePem);
    summary = summariseCertificate(material.certificatePem, new Date());
  } catch {
    throw new AppError('VALIDATION_FAILED', 'Chứng thư số không hợp lệ.', { certificate: 'Không đọc được.' });
  }
  assertCurrentlyValid(summary);
  if ('unitId' in owner && input.pin !== undefined) {
    // The seal is applied by the worker right after the leader's signature; nobody is there to type its PIN.
    throw new AppError('VALIDATION_FAILED', 'Con dấu số của đơn vị không dùng mã PIN.', { pin: 'Không áp dụng cho đơn vị.' });
  }
  const mode: SigningMode['kind'] = material.privateKeyPem ? (input.pin !== undefined ? 'pin' : 'server') : material.remoteHolderId ? 'remote' : 'external';
  const keyId = await ctx.signerKeys.store(owner, material, material.privateKeyPem ? input.pin : undefined, (tx, id) =>
    recordAudit(tx, actor, 'key.uploaded', resolved.ref, {
      keyId: id, owner: resolved.name, serial: summary.serial, subject: summary.commonName, issuer: summary.issuer,
      notAfter: summary.notAfter.toISOString(), mode,
      // The ID number is personal data: the log keeps its last digits, enough to tell two registrations apart.
      ...(material.remoteHolderId ? { remoteHolderId: `********${material.remoteHolderId.slice(-4)}` } : {}),
    }));
  const warning = expiryWarning(summary);
  return {
    keyId,
    mode,
    owner: resolved.ref,
    subject: certificate.subject,
    commonName: summary.commonName,
    serial: summary.serial,
    notBefore: summary.notBefore.toISOString(),
    notAfter: summary.notAfter.toISOString(),
    daysLeft: summary.daysLeft,
    status: summary.status,
    ...(warning ? { warning } : {}),
  };
}
