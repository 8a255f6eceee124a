// Signers' private keys at rest: AES-256-GCM under a key derived from the configured secret ("v1"), or from the
// configured secret AND the owner's PIN ("v2", scrypt over the PIN) so the server alone cannot sign with it.
// A key held on a USB token is registered by its certificate only ("external"); one held by a remote-signing provider
// (SmartCA-style) by its certificate and the holder's ID number at the provider ("remote").
// Unlocked keys are cached by key id: signing never re-parses a key; a PIN is re-checked against a salted hash.
// Every PIN attempt is judged with the key's row locked in PostgreSQL: wrong PINs are counted there (shared by every
// server copy), and from the 5th on the key is locked for a growing while (accounts/throttle.ts) during which the
// PIN is not even checked (SIGNING_PIN_LOCKED). scrypt runs on libuv's thread pool, never on the event loop.
// A wrong PIN is written to the audit log in the transaction that counts it. A key whose certificate is not valid
// now signs nothing (SIGNING_KEY_EXPIRED): verifiers would reject the signature.
import {
  createCipheriv, createDecipheriv, createHash, createPrivateKey, hkdfSync, randomBytes, timingSafeEqual, X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { scryptAsync } from '../../accounts/passwords.js';
import { PIN_FREE_FAILURES, pinLockSeconds, retryWhen, secondsUntil } from '../../accounts/throttle.js';
import type { Db } from '../../db/client.js';
import { clearPinFailures, lockPinState, recordPinFailure } from '../../db/repositories/pin-attempts.js';
import { findActiveKey, replaceKey, type SigningKeyRow } from '../../db/repositories/signing.js';
import { findStaffById } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { recordAudit, staffActor, type AuditActor } from '../audit/audit.js';
import { certificateDay, summariseCertificate } from './certificate-status.js';

export interface Signer {
  keyId: string;
  key: KeyObject;
  certificatePem: string;
  chainPem: string[];
}

export type KeyOwner = { staffId: string } | { unitId: string };

/** How an owner signs: the worker can sign for them ('server'), or it must wait for them ('pin', 'external', 'remote'). */
export type SigningMode =
  | { kind: 'server'; signer: Signer }
  | { kind: 'pin'; keyId: string; certificatePem: string; chainPem: string[] }
  | { kind: 'external'; keyId: string; certificatePem: string; chainPem: string[] }
  | { kind: 'remote'; keyId: string; certificatePem: string; chainPem: string[]; holderId: string };

export const EXTERNAL_KEY = 'external';
export const REMOTE_KEY = 'remote';

/** How a stored key signs, from the start of its `encrypted_private_key` (8 characters are enough). */
export function storedKeyMode(envelope: string): SigningMode['kind'] {
  if (envelope === EXTERNAL_KEY) return 'external';
  if (envelope === REMOTE_KEY) return 'remote';
  return envelope.startsWith('v2:') ? 'pin' : 'server';
}

function wrappingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'motcua', 'signing-keys/v1', 32));
}

// scrypt makes guessing a 6-digit PIN cost real time even for someone who also has the configured secret.
function pinWrappingKey(secret: string, pin: string, salt: Buffer): Promise<Buffer> {
  const base = Buffer.from(hkdfSync('sha256', secret, salt, 'signing-keys/v2', 32));
  return scryptAsync(pin.normalize('NFC'), base, 32, { N: 1 << 14, r: 8, p: 1 });
}

function seal(key: Buffer, plaintext: string): string[] {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')];
}

function open(key: Buffer, iv: string, tag: string, body: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}

export async function encryptPrivateKey(secret: string, privateKeyPem: string, pin?: string): Promise<string> {
  if (pin === undefined) return ['v1', ...seal(wrappingKey(secret), privateKeyPem)].join(':');
  const salt = randomBytes(16);
  return ['v2', salt.toString('base64'), ...seal(await pinWrappingKey(secret, pin, salt), privateKeyPem)].join(':');
}

export async function decryptPrivateKey(secret: string, stored: string, pin?: string): Promise<string> {
  const parts = stored.split(':');
  if (parts[0] === 'v1' && parts.length === 4) return open(wrappingKey(secret), parts[1]!, parts[2]!, parts[3]!);
  if (parts[0] === 'v2' && parts.length === 5) {
    if (pin === undefined) throw new AppError('SIGNING_PIN_REQUIRED', 'Cần nhập mã PIN để mở khóa ký số.');
    const key = await pinWrappingKey(secret, pin, Buffer.from(parts[1]!, 'base64'));
    try {
      return open(key, parts[2]!, parts[3]!, parts[4]!);
    } catch {
      throw new AppError('SIGNING_PIN_INVALID', 'Mã PIN không đúng.');
    }
  }
  throw new Error('unknown private key envelope');
}

/** How the messages name a key's certificate: "của người ký", "của con dấu số đơn vị so-gddt". */
function whoseKey(owner: KeyOwner): string {
  return 'staffId' in owner ? 'của người ký' : `của con dấu số đơn vị ${owner.unitId}`;
}

/**
 * Refuses a certificate outside its validity (expired, or not yet valid) with SIGNING_KEY_EXPIRED: a signature made
 * with it is rejected by every verifier, so nothing is signed until an administrator registers a valid key.
 */
export function assertCertificateCurrent(certificatePem: string, whose: string, now = new Date()): void {
  const { status, notBefore, notAfter } = summariseCertificate(certificatePem, now);
  const fix = 'Chữ ký số tạo bằng chứng thư này sẽ không hợp lệ; cần quản trị viên nạp chứng thư số mới.';
  if (status === 'expired') throw new AppError('SIGNING_KEY_EXPIRED', `Chứng thư số ${whose} đã hết hạn ngày ${certificateDay(notAfter)}. ${fix}`);
  if (status === 'not_yet_valid') {
    throw new AppError('SIGNING_KEY_EXPIRED', `Chứng thư số ${whose} chưa đến ngày hiệu lực (từ ngày ${certificateDay(notBefore)}). ${fix}`);
  }
}

function pinLocked(until: Date, now: Date): AppError {
  const error = new AppError('SIGNING_PIN_LOCKED', `Đã nhập sai mã PIN quá nhiều lần; khóa ký số tạm bị khóa. Vui lòng thử lại lúc ${retryWhen(until, now)}.`);
  error.retryAfterSeconds = secondsUntil(until, now);
  return error;
}

function pinInvalid(failures: number, lockedUntil: Date | null, now: Date): AppError {
  const left = PIN_FREE_FAILURES - failures;
  const more = lockedUntil ? ` Khóa ký số bị tạm khóa đến ${retryWhen(lockedUntil, now)}.`
    : left > 0 ? ` Còn ${left} lần thử trước khi khóa ký số bị tạm khóa.` : '';
  return new AppError('SIGNING_PIN_INVALID', `Mã PIN không đúng.${more}`);
}

const pinDigest = (salt: Buffer, pin: string): Buffer => createHash('sha256').update(salt).update(pin.normalize('NFC')).digest();

export class SignerKeys {
  private readonly cache = new Map<string, Signer>();
  private readonly pinChecks = new Map<string, { salt: Buffer; digest: Buffer }>();

  constructor(private readonly db: Db, private readonly secret: string) {}

  /** Another small secret kept at rest the way a server-held key is (v1, under the key-encryption secret): a TOTP seed. */
  sealSecret(plaintext: string): Promise<string> {
    return encryptPrivateKey(this.secret, plaintext);
  }

  openSecret(stored: string): Promise<string> {
    return decryptPrivateKey(this.secret, stored);
  }

  /** The approving official's server-held key (no PIN); the foundation's entry point. */
  async forStaff(staffId: string): Promise<Signer> {
    const mode = await this.usableModeFor({ staffId });
    if (!mode) throw new AppError('SIGNING_KEY_MISSING', 'Người ký chưa có chứng thư số.');
    if (mode.kind !== 'server') throw new AppError('SIGNING_PIN_REQUIRED', 'Khóa ký số của người ký cần mã PIN hoặc thiết bị ký.');
    return mode.signer;
  }

  /** How the owner's active key signs, whatever its certificate's dates (null: no key). */
  async modeFor(owner: KeyOwner): Promise<SigningMode | null> {
    const row = await findActiveKey(this.db, owner);
    return row ? this.modeOf(row) : null;
  }

  /** modeFor, for signing now: a key whose certificate is out of date is refused (SIGNING_KEY_EXPIRED). */
  async usableModeFor(owner: KeyOwner, whose = whoseKey(owner)): Promise<SigningMode | null> {
    const row = await findActiveKey(this.db, owner);
    if (!row) return null;
    assertCertificateCurrent(row.certificatePem, whose);
    return this.modeOf(row);
  }

  /** Refuses (SIGNING_KEY_EXPIRED) when the owner's active key is out of date; no key is no refusal here. */
  async assertKeyCurrent(owner: KeyOwner, whose = whoseKey(owner)): Promise<void> {
    const row = await findActiveKey(this.db, owner);
    if (row) assertCertificateCurrent(row.certificatePem, whose);
  }

  private async modeOf(row: SigningKeyRow): Promise<SigningMode> {
    const kind = storedKeyMode(row.encryptedPrivateKey);
    if (kind === 'remote') return { kind, keyId: row.id, certificatePem: row.certificatePem, chainPem: row.chainPem, holderId: row.remoteHolderId ?? '' };
    if (kind !== 'server') return { kind, keyId: row.id, certificatePem: row.certificatePem, chainPem: row.chainPem };
    return { kind: 'server', signer: await this.cached(row, () => decryptPrivateKey(this.secret, row.encryptedPrivateKey)) };
  }

  /**
   * A PIN-locked key: decrypted (scrypt) on first use, then only the PIN is checked. Each attempt is judged with the
   * key's row locked: while the key is locked the PIN is not checked at all; a wrong PIN is counted, a right one
   * clears the count. `actor` is who typed the PIN, for the audit log (by default the key's owner).
   */
  async unlock(owner: KeyOwner, pin: string, actor?: AuditActor): Promise<Signer> {
    const row = await findActiveKey(this.db, owner);
    if (!row || row.encryptedPrivateKey === EXTERNAL_KEY || row.encryptedPrivateKey === REMOTE_KEY) throw new AppError('SIGNING_KEY_MISSING', 'Người ký chưa có khóa ký số trên máy chủ.');
    // Before the PIN: an attempt on a key that cannot sign is not counted against its owner.
    assertCertificateCurrent(row.certificatePem, whoseKey(owner));
    if (!row.encryptedPrivateKey.startsWith('v2:')) return this.cached(row, () => decryptPrivateKey(this.secret, row.encryptedPrivateKey));
    // Decided inside the transaction, thrown after it: an exception inside would roll the counted failure back.
    const outcome = await this.db.transaction(async (tx): Promise<{ signer: Signer } | { error: AppError }> => {
      const state = await lockPinState(tx, row.id);
      if (!state) return { error: new AppError('SIGNING_KEY_MISSING', 'Người ký chưa có khóa ký số trên máy chủ.') };
      if (state.lockedUntil && state.lockedUntil > state.now) return { error: pinLocked(state.lockedUntil, state.now) };
      const signer = await this.checkPin(row, pin);
      if (signer) {
        if (state.failures > 0 || state.lockedUntil) await clearPinFailures(tx, row.id);
        return { signer };
      }
      const failures = state.failures + 1;
      const lockedUntil = await recordPinFailure(tx, row.id, failures, pinLockSeconds(failures));
      await this.auditPinFailure(tx, row, owner, actor, { failures, lockedUntil: lockedUntil?.toISOString() ?? null });
      return { error: pinInvalid(failures, lockedUntil, state.now) };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.signer;
  }

  private async auditPinFailure(tx: Db, row: SigningKeyRow, owner: KeyOwner, actor: AuditActor | undefined, details: Record<string, unknown>): Promise<void> {
    const staff = 'staffId' in owner ? await findStaffById(tx, owner.staffId) : undefined;
    const who = actor ?? (staff ? staffActor(staff) : { id: null, name: 'Không xác định', kind: 'anonymous' as const, ip: null });
    const certificate = new X509Certificate(row.certificatePem);
    await recordAudit(tx, who, 'key.pin_failed', staff ? `staff:${staff.username}` : null, {
      keyId: row.id, owner: staff ? `${staff.fullName} (${staff.username})` : null, serial: certificate.serialNumber.toUpperCase(),
      notAfter: new Date(certificate.validTo).toISOString(), ...details,
    });
  }

  /** Drops a key this process holds unlocked (after an administrator deactivated it). */
  forget(keyId: string): void {
    this.cache.delete(keyId);
    this.pinChecks.delete(keyId);
  }

  /** The unlocked key when `pin` is right, null when it is wrong. */
  private async checkPin(row: SigningKeyRow, pin: string): Promise<Signer | null> {
    const check = this.pinChecks.get(row.id);
    const signer = this.cache.get(row.id);
    if (check && signer) return timingSafeEqual(check.digest, pinDigest(check.salt, pin)) ? signer : null;
    let pem: string;
    try {
      // Always decrypted here, never taken from the cache: only a PIN that opens the key is remembered.
      pem = await decryptPrivateKey(this.secret, row.encryptedPrivateKey, pin);
    } catch (error) {
      if (error instanceof AppError && error.code === 'SIGNING_PIN_INVALID') return null;
      throw error;
    }
    const unlocked = this.cache.get(row.id) ?? { keyId: row.id, key: createPrivateKey(pem), certificatePem: row.certificatePem, chainPem: row.chainPem };
    const salt = randomBytes(16);
    this.cache.set(row.id, unlocked);
    this.pinChecks.set(row.id, { salt, digest: pinDigest(salt, pin) });
    return unlocked;
  }

  private async cached(row: SigningKeyRow, decrypt: () => Promise<string>): Promise<Signer> {
    const hit = this.cache.get(row.id);
    if (hit) return hit;
    const key = createPrivateKey(await decrypt());
    const signer: Signer = this.cache.get(row.id) ?? { keyId: row.id, key, certificatePem: row.certificatePem, chainPem: row.chainPem };
    this.cache.set(row.id, signer);
    return signer;
  }

  async storeForStaff(staffId: string, material: { certificatePem: string; privateKeyPem: string; chainPem?: string[] }, pin?: string): Promise<string> {
    return this.store({ staffId }, material, pin);
  }

  /**
   * The owner's new key; their previous ones stay, inactive, for the record. Replacing and `alsoInTransaction` (the
   * use-case's audit entry) commit together.
   */
  async store(
    owner: KeyOwner, material: { certificatePem: string; privateKeyPem?: string; chainPem?: string[]; remoteHolderId?: string }, pin?: string,
    alsoInTransaction?: (tx: Db, keyId: string) => Promise<void>,
  ): Promise<string> {
    const certificate = new X509Certificate(material.certificatePem);
    if (material.privateKeyPem && !certificate.checkPrivateKey(createPrivateKey(material.privateKeyPem))) {
      throw new AppError('VALIDATION_FAILED', 'Khóa bí mật không khớp với chứng thư số.');
    }
    // Encrypted before the transaction: scrypt (a PIN) takes tens of milliseconds nobody should hold a lock for.
    const encryptedPrivateKey = material.privateKeyPem ? await encryptPrivateKey(this.secret, material.privateKeyPem, pin)
      : material.remoteHolderId ? REMOTE_KEY : EXTERNAL_KEY;
    return this.db.transaction(async (tx) => {
      const row = await replaceKey(tx, {
        ...('staffId' in owner ? { staffId: owner.staffId } : { unitId: owner.unitId }),
        certificatePem: material.certificatePem,
        chainPem: material.chainPem ?? [],
        encryptedPrivateKey,
        remoteHolderId: material.privateKeyPem ? null : material.remoteHolderId ?? null,
      });
      await alsoInTransaction?.(tx, row.id);
      return row.id;
    });
  }
}
