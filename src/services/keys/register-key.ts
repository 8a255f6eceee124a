// An admin registers an official's or a unit's signing key: a PKCS#12 file (key kept encrypted under the
// configured secret, and also under the owner's PIN when one is given), or a certificate alone for a key that
// lives on a USB token / remote-signing service (external signing).
import { X509Certificate } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import { upsertAppearance } from '../../db/repositories/signing.js';
import { findStaffByUsername, findUnit } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { parsePkcs12 } from '../../signing/pkcs12.js';
import type { Caller } from '../access.js';
import type { KeyOwner } from './signer-keys.js';

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
}

function requireAdmin(caller: Caller): void {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  if (!caller.staff.roles.includes('admin')) throw new AppError('FORBIDDEN', 'Chỉ quản trị viên được quản lý khóa ký số.');
}

async function ownerOf(ctx: AppContext, input: { staff?: string; unit?: string }): Promise<KeyOwner> {
  let owner: KeyOwner;
  if (input.staff && !input.unit) {
    const staff = await findStaffByUsername(ctx.db, input.staff);
    if (!staff) throw new AppError('VALIDATION_FAILED', 'Không tìm thấy cán bộ.', { staff: 'Không tồn tại.' });
    owner = { staffId: staff.id };
  } else if (input.unit && !input.staff) {
    if (!(await findUnit(ctx.db, input.unit))) throw new AppError('VALIDATION_FAILED', 'Không tìm thấy đơn vị.', { unit: 'Không tồn tại.' });
    owner = { unitId: input.unit };
  } else {
    throw new AppError('VALIDATION_FAILED', 'Chọn đúng một chủ sở hữu: cán bộ hoặc đơn vị.', { staff: 'Cán bộ hoặc đơn vị.' });
  }
  return owner;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The signature image of an official or the seal image of a unit, shown in the visible signature. */
export async function registerAppearance(ctx: AppContext, caller: Caller, input: { staff?: string; unit?: string; image?: Buffer }) {
  requireAdmin(caller);
  const owner = await ownerOf(ctx, input);
  if (!input.image || !input.image.subarray(0, 8).equals(PNG_MAGIC) || input.image.length > 512 * 1024) {
    throw new AppError('VALIDATION_FAILED', 'Ảnh chữ ký/con dấu phải là tệp PNG (nền trong suốt), tối đa 512 KB.', { image: 'PNG, ≤ 512 KB.' });
  }
  await upsertAppearance(ctx.db, owner, input.image);
  return { owner: 'staffId' in owner ? 'staff' : 'unit', sizeBytes: input.image.length };
}

export async function registerSigningKey(ctx: AppContext, caller: Caller, input: RegisterKeyInput) {
  requireAdmin(caller);
  const owner = await ownerOf(ctx, input);
  // 6 digits at least: with the attempt limit (keys/signer-keys.ts) a million PINs take decades to guess.
  if (input.pin !== undefined && !/^\d{6,12}$/.test(input.pin)) throw new AppError('VALIDATION_FAILED', 'Mã PIN phải gồm 6–12 chữ số.', { pin: '6–12 chữ số.' });

  let material: { certificatePem: string; privateKeyPem?: string; chainPem: string[] };
  if (input.pkcs12) {
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
  try {
    certificate = new X509Certificate(material.certificatePem);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'Chứng thư số không hợp lệ.', { certificate: 'Không đọc được.' });
  }
  if (new Date(certificate.validTo) < new Date()) throw new AppError('VALIDATION_FAILED', 'Chứng thư số đã hết hạn.', { certificate: 'Hết hạn.' });
  if ('unitId' in owner && input.pin !== undefined) {
    // The seal is applied by the worker right after the leader's signature; nobody is there to type its PIN.
    throw new AppError('VALIDATION_FAILED', 'Con dấu số của đơn vị không dùng mã PIN.', { pin: 'Không áp dụng cho đơn vị.' });
  }
  const keyId = await ctx.signerKeys.store(owner, material, material.privateKeyPem ? input.pin : undefined);
  return {
    keyId,
    mode: material.privateKeyPem ? (input.pin !== undefined ? 'pin' : 'server') : 'external',
    subject: certificate.subject,
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}
