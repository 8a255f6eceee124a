// The administrators' view of signing keys: every key (current and past) with its certificate's facts and status,
// the signers who have no key yet (leaders, and the units whose seal a result carries), expiry warnings for the
// admin home, deactivating a key, and the signature/seal image preview. Registering is register-key.ts.
import type { AppContext } from '../../app-context.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import {
  deactivateKey, findActiveKey, findAppearance, findKeyWithOwner, listAppearanceOwners, listKeysWithOwners, listSealUnits, listSigningStaff,
  type KeyListRow,
} from '../../db/repositories/signing.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import { recordAudit } from '../audit/audit.js';
import { storedImageType, type AppearanceImageType } from './appearance-image.js';
import { certificateDay, EXPIRY_WARNING_DAYS, expiryWarning, keyStatus, summariseCertificate, type KeyStatus } from './certificate-status.js';
import { resolveOwner } from './register-key.js';
import { storedKeyMode, type SigningMode } from './signer-keys.js';

/** The role whose members sign results, and the unit kinds whose seal a result carries (the board, a school's office). */
export const SIGNER_ROLE = 'leader';
export const SEAL_UNIT_KINDS = ['board', 'school_office'] as const;

export interface KeyOwnerView {
  kind: 'staff' | 'unit';
  /** `staff:<username>` or `unit:<unit id>`. */
  ref: string;
  /** The username or the unit id. */
  id: string;
  name: string;
  /** The official's title, or nothing for a unit. */
  title: string | null;
}

export interface KeyView {
  id: string;
  owner: KeyOwnerView;
  commonName: string | null;
  organisation: string | null;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  status: KeyStatus;
  active: boolean;
  mode: SigningMode['kind'];
  pinProtected: boolean;
  /** Set while wrong PINs keep the key locked. */
  pinLockedUntil: string | null;
  hasAppearance: boolean;
  createdAt: string;
}

export interface SignerWithoutKey { owner: KeyOwnerView; unitName: string }

export interface SignerChoice { owner: KeyOwnerView; hasKey: boolean; hasAppearance: boolean; label: string }

function ownerView(row: Pick<KeyListRow, 'staffId' | 'unitId' | 'username' | 'staffName' | 'staffTitle' | 'unitName'>): KeyOwnerView {
  if (row.staffId) {
    const username = row.username ?? row.staffId;
    return { kind: 'staff', ref: `staff:${username}`, id: username, name: row.staffName ?? username, title: row.staffTitle };
  }
  const unitId = row.unitId ?? '';
  return { kind: 'unit', ref: `unit:${unitId}`, id: unitId, name: row.unitName ?? unitId, title: null };
}

function keyView(row: KeyListRow, now: Date, withImage: Set<string>): KeyView {
  const certificate = summariseCertificate(row.certificatePem, now);
  const mode = storedKeyMode(row.envelope);
  return {
    id: row.id,
    owner: ownerView(row),
    commonName: certificate.commonName,
    organisation: certificate.organisation,
    issuer: certificate.issuer,
    serial: certificate.serial,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    daysLeft: certificate.daysLeft,
    status: keyStatus(row.active, certificate.status),
    active: row.active,
    mode,
    pinProtected: mode === 'pin',
    pinLockedUntil: row.pinLockedUntil && row.pinLockedUntil > now ? row.pinLockedUntil.toISOString() : null,
    hasAppearance: withImage.has(row.staffId ?? row.unitId ?? ''),
    createdAt: row.createdAt.toISOString(),
  };
}

/** The staff ids and unit ids that have a signature or seal image. */
async function ownersWithImage(ctx: Pick<AppContext, 'db'>): Promise<Set<string>> {
  return new Set((await listAppearanceOwners(ctx.db)).map((i) => i.staffId ?? i.unitId ?? ''));
}

async function keyViews(ctx: Pick<AppContext, 'db'>, only?: { active: boolean }): Promise<KeyView[]> {
  const [rows, withImage] = await Promise.all([listKeysWithOwners(ctx.db, only), ownersWithImage(ctx)]);
  const now = new Date();
  return rows.map((row) => keyView(row, now, withImage));
}

/** Who may hold a key: the leaders and the sealing units, each saying whether they have an active one. */
async function signerChoices(ctx: Pick<AppContext, 'db'>): Promise<{ staff: SignerChoice[]; units: SignerChoice[]; gaps: SignerWithoutKey[] }> {
  const [leaders, sealUnits, withImage] = await Promise.all([
    listSigningStaff(ctx.db, SIGNER_ROLE), listSealUnits(ctx.db, SEAL_UNIT_KINDS), ownersWithImage(ctx),
  ]);
  const staff = leaders.map((s) => ({
    owner: { kind: 'staff' as const, ref: `staff:${s.username}`, id: s.username, name: s.fullName, title: s.title },
    hasKey: s.hasKey, hasAppearance: withImage.has(s.id), unitName: s.unitName, label: `${s.fullName} — ${s.title} (${s.username})`,
  }));
  const units = sealUnits.map((u) => ({
    owner: { kind: 'unit' as const, ref: `unit:${u.id}`, id: u.id, name: u.name, title: null },
    hasKey: u.hasKey, hasAppearance: withImage.has(u.id), unitName: u.name, label: `${u.name} (${u.id})`,
  }));
  const gaps = [...staff, ...units].filter((c) => !c.hasKey).map((c) => ({ owner: c.owner, unitName: c.unitName }));
  return { staff: staff.map(({ unitName: _, ...c }) => c), units: units.map(({ unitName: _, ...c }) => c), gaps };
}

export interface SigningKeysOverview {
  items: KeyView[];
  withoutKey: SignerWithoutKey[];
  /** The owners a key or an image may be registered for (the page's select). */
  signers: { staff: SignerChoice[]; units: SignerChoice[] };
  warningDays: number;
}

/** GET /api/admin/keys and the keys page. */
export async function listSigningKeys(ctx: AppContext, caller: Caller): Promise<SigningKeysOverview> {
  administratorOf(caller);
  const [items, choices] = await Promise.all([keyViews(ctx), signerChoices(ctx)]);
  return { items, withoutKey: choices.gaps, signers: { staff: choices.staff, units: choices.units }, warningDays: EXPIRY_WARNING_DAYS };
}

export interface KeyExpiryWarnings {
  /** Active keys whose certificate ends within EXPIRY_WARNING_DAYS. */
  expiring: number;
  /** Active keys whose certificate has ended: whoever holds one cannot sign. */
  expired: number;
  warningDays: number;
  items: Array<Pick<KeyView, 'id' | 'owner' | 'serial' | 'notAfter' | 'daysLeft' | 'status'>>;
}

/**
 * The active keys that need an administrator soon, soonest first, for the keys page's banner and the admin home.
 * No access check: the caller's page is already an administrator's.
 */
export async function keyExpiryWarnings(ctx: Pick<AppContext, 'db'>): Promise<KeyExpiryWarnings> {
  const due = (await keyViews(ctx, { active: true }))
    .filter((k) => k.status === 'expiring' || k.status === 'expired')
    .sort((a, b) => a.notAfter.localeCompare(b.notAfter));
  return {
    expiring: due.filter((k) => k.status === 'expiring').length,
    expired: due.filter((k) => k.status === 'expired').length,
    warningDays: EXPIRY_WARNING_DAYS,
    items: due.map(({ id, owner, serial, notAfter, daysLeft, status }) => ({ id, owner, serial, notAfter, daysLeft, status })),
  };
}

const keyNotFound = () => new AppError('NOT_FOUND', 'Không tìm thấy khóa ký số.');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One key (for the deactivation's confirmation page). */
export async function findSigningKey(ctx: AppContext, caller: Caller, keyId: string): Promise<KeyView> {
  administratorOf(caller);
  const row = UUID.test(keyId) ? await findKeyWithOwner(ctx.db, keyId) : undefined;
  if (!row) throw keyNotFound();
  return keyView(row, new Date(), await ownersWithImage(ctx));
}


/**
 * The key stops signing at once: results that need it wait (the issue-result job retries, batch signing answers
 * NO_SIGNING_KEY) until a new key is registered. It stays listed, inactive, for the record.
 */
export async function deactivateSigningKey(ctx: AppContext, caller: Caller, keyId: string): Promise<KeyView> {
  const { actor } = administratorOf(caller);
  if (!UUID.test(keyId)) throw keyNotFound();
  const now = new Date();
  const row = await ctx.db.transaction(async (tx) => {
    const key = await findKeyWithOwner(tx, keyId, true);
    if (!key) throw keyNotFound();
    if (!(await deactivateKey(tx, keyId))) throw new AppError('KEY_ALREADY_INACTIVE', 'Khóa ký số này đã thu hồi (hoặc đã được thay) trước đó.');
    const owner = ownerView(key);
    const certificate = summariseCertificate(key.certificatePem, now);
    await recordAudit(tx, actor, 'key.deactivated', owner.ref, {
      keyId, owner: owner.kind === 'staff' ? `${owner.name} (${owner.id})` : owner.name, serial: certificate.serial,
      notAfter: certificate.notAfter.toISOString(),
    });
    return { ...key, active: false };
  });
  ctx.signerKeys.forget(keyId);
  return keyView(row, now, await ownersWithImage(ctx));
}

/** The signature or seal image of `ref` (`staff:<username>` or `unit:<unit id>`), for the preview. */
export async function appearancePreview(ctx: AppContext, caller: Caller, ref: string): Promise<{ image: Buffer; type: AppearanceImageType }> {
  administratorOf(caller);
  const [kind, id] = [ref.slice(0, ref.indexOf(':')), ref.slice(ref.indexOf(':') + 1)];
  if ((kind !== 'staff' && kind !== 'unit') || !id) throw new AppError('NOT_FOUND', 'Không có ảnh chữ ký/con dấu này.');
  let resolved;
  try {
    resolved = await resolveOwner(ctx, kind === 'staff' ? { staff: id } : { unit: id });
  } catch {
    throw new AppError('NOT_FOUND', 'Không có ảnh chữ ký/con dấu này.');
  }
  const image = await findAppearance(ctx.db, resolved.owner);
  if (!image) throw new AppError('NOT_FOUND', 'Chưa có ảnh chữ ký/con dấu.');
  return { image, type: storedImageType(image) };
}

/**
 * For a leader's own pages (the approval queue): what is wrong with their key, in their words — none, expired, or
 * expiring within EXPIRY_WARNING_DAYS — or null when all is well (or they do not sign).
 */
export async function ownKeyNotice(ctx: Pick<AppContext, 'db'>, staff: Pick<StaffRow, 'id' | 'roles'>): Promise<string | null> {
  if (!staff.roles.includes(SIGNER_ROLE)) return null;
  const key = await findActiveKey(ctx.db, { staffId: staff.id });
  if (!key) return 'Bạn chưa có khóa ký số đang dùng: kết quả bạn phê duyệt sẽ chờ ở bước ký cho đến khi quản trị viên nạp khóa.';
  const certificate = summariseCertificate(key.certificatePem, new Date());
  if (certificate.status === 'expired') {
    return `Chứng thư số của bạn đã hết hạn ngày ${certificateDay(certificate.notAfter)}: `
      + 'bạn chưa phê duyệt được hồ sơ (kết quả không ký được). Vui lòng liên hệ quản trị viên để nạp chứng thư mới.';
  }
  const warning = expiryWarning(certificate);
  return warning ? `${warning} Vui lòng liên hệ quản trị viên.` : null;
}
