// The provider's claims as a citizen: read through the claims map (claims-map.ts), then checked by ONE zod schema
// (12-digit ID numbers, real dates, bounded text). A provider that sends junk is refused here with every bad field
// named in Vietnamese (CITIZEN_CLAIMS_INVALID, a 4xx page), before anything is written.
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { ClaimsMap } from './claims-map.js';
import { PERSONAL_ID } from './personal-id.js';

export const FAMILY_RELATIONS = ['child', 'parent', 'spouse', 'head_of_household'] as const;
export type FamilyRelation = (typeof FAMILY_RELATIONS)[number];

/** 'YYYY-MM-DD' or 'DD/MM/YYYY' (how Vietnamese systems write it) → 'YYYY-MM-DD', a real date between 1900 and today. */
export function normaliseDate(value: string): string | null {
  const text = value.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : vn ? [vn[3], vn[2], vn[1]] : [];
  if (!year || !month || !day) return null;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return null;
  if (Number(year) < 1900 || date.getTime() > Date.now()) return null;
  return date.toISOString().slice(0, 10);
}

/** Stored as 'male' | 'female' | 'other': providers write "Nam"/"Nữ", "male"/"female", "M"/"F" or a code. */
function normaliseGender(value: string): string {
  const folded = value.trim().normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  if (['nam', 'male', 'm', '1'].includes(folded)) return 'male';
  if (['nu', 'female', 'f', '2'].includes(folded)) return 'female';
  return 'other';
}

const personalId = z.string({ error: 'Thiếu số định danh cá nhân.' }).trim().regex(PERSONAL_ID, 'Số định danh cá nhân phải gồm đúng 12 chữ số.');
const fullName = z.string({ error: 'Thiếu họ và tên.' }).trim().normalize('NFC').min(1, 'Thiếu họ và tên.').max(200, 'Họ và tên quá dài.');
const optionalDate = z.string({ error: 'Ngày sinh không hợp lệ.' }).nullable().transform((v, ctx) => {
  if (v === null) return null;
  const date = normaliseDate(v);
  if (!date) ctx.addIssue({ code: 'custom', message: 'Ngày sinh không hợp lệ (cần dạng ngày/tháng/năm hoặc năm-tháng-ngày, là một ngày có thật).' });
  return date;
});
const optionalText = (max: number, label: string) => z.string({ error: `${label} không hợp lệ.` }).trim().normalize('NFC')
  .max(max, `${label} quá dài.`).nullable();
const optionalGender = z.string({ error: 'Giới tính không hợp lệ.' }).max(20, 'Giới tính không hợp lệ.').nullable()
  .transform((v) => (v === null ? null : normaliseGender(v)));

const familyMember = z.object({
  relation: z.enum(FAMILY_RELATIONS),
  personalId, fullName, birthDate: optionalDate, gender: optionalGender,
});

/** The one schema of this boundary: what a sign-in may write about a citizen and their family. */
export const citizenClaimsSchema = z.object({
  personalId,
  fullName,
  birthDate: optionalDate,
  gender: optionalGender,
  email: z.email({ error: 'Thư điện tử không hợp lệ.' }).max(254, 'Thư điện tử quá dài.').nullable(),
  phone: z.string({ error: 'Số điện thoại không hợp lệ.' }).trim().regex(/^\+?[0-9 .()-]{6,20}$/, 'Số điện thoại không hợp lệ.').nullable(),
  permanentAddress: optionalText(500, 'Nơi thường trú'),
  currentAddress: optionalText(500, 'Nơi ở hiện tại'),
  loa: optionalText(100, 'Mức độ xác thực'),
  family: z.array(familyMember).max(50, 'Quá nhiều thành viên gia đình.'),
});

export type CitizenClaims = z.infer<typeof citizenClaimsSchema>;
export type FamilyMember = CitizenClaims['family'][number];

/** The value at a dot-separated path of the claims (own properties only). */
function at(source: unknown, path: string): unknown {
  if (!path) return undefined;
  let value: unknown = source;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * A claim as the schema's input: absent or empty → null; a number → its digits (so the schema judges them); an
 * address object → its `formatted` text (the OIDC address claim). Anything else is passed on for the schema to refuse.
 */
function claimValue(source: unknown, path: string): unknown {
  const value = at(source, path);
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'object' && !Array.isArray(value) && typeof (value as { formatted?: unknown }).formatted === 'string') {
    return (value as { formatted: string }).formatted;
  }
  return value;
}

/** The claims rearranged as the schema reads them (nothing checked yet). */
export function mapClaims(claims: Record<string, unknown>, map: ClaimsMap): Record<string, unknown> {
  const family: unknown[] = [];
  for (const relation of FAMILY_RELATIONS) {
    const value = at(claims, map.family[relation]);
    const members = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
    for (const member of members) {
      family.push({
        relation,
        personalId: claimValue(member, map.member.personalId) ?? undefined,
        fullName: claimValue(member, map.member.fullName) ?? undefined,
        birthDate: claimValue(member, map.member.birthDate),
        gender: claimValue(member, map.member.gender),
      });
    }
  }
  return {
    personalId: claimValue(claims, map.personalId) ?? undefined,
    fullName: claimValue(claims, map.fullName) ?? undefined,
    birthDate: claimValue(claims, map.birthDate),
    gender: claimValue(claims, map.gender),
    email: claimValue(claims, map.email),
    phone: claimValue(claims, map.phone),
    permanentAddress: claimValue(claims, map.permanentAddress),
    currentAddress: claimValue(claims, map.currentAddress),
    loa: claimValue(claims, map.loa),
    family,
  };
}

const FIELD_LABELS: Record<string, string> = {
  personalId: 'Số định danh cá nhân', fullName: 'Họ và tên', birthDate: 'Ngày sinh', gender: 'Giới tính', email: 'Thư điện tử',
  phone: 'Số điện thoại', permanentAddress: 'Nơi thường trú', currentAddress: 'Nơi ở hiện tại', loa: 'Mức độ xác thực',
  family: 'Thành viên gia đình',
};
const RELATION_LABELS: Record<FamilyRelation, string> = { child: 'con', parent: 'cha/mẹ', spouse: 'vợ/chồng', head_of_household: 'chủ hộ' };

/** "family.1.personalId" → "Thành viên gia đình thứ 2 (con): Số định danh cá nhân". */
function fieldLabel(pathParts: ReadonlyArray<PropertyKey>, mapped: Record<string, unknown>): string {
  const [head, index, field] = pathParts.map(String);
  if (head === 'family' && index !== undefined && /^\d+$/.test(index)) {
    const member = (mapped.family as Array<{ relation?: FamilyRelation }>)[Number(index)];
    const relation = member?.relation ? ` (${RELATION_LABELS[member.relation]})` : '';
    return `Thành viên gia đình thứ ${Number(index) + 1}${relation}${field ? `: ${FIELD_LABELS[field] ?? field}` : ''}`;
  }
  return FIELD_LABELS[head ?? ''] ?? (head || 'Thông tin');
}

/**
 * The citizen the claims describe, or CITIZEN_CLAIMS_INVALID listing every bad field (labels in Vietnamese; the
 * provider's values are not echoed). A family member who is the citizen themselves (a head of household) is dropped.
 */
export function readCitizenClaims(claims: Record<string, unknown>, map: ClaimsMap): CitizenClaims {
  const mapped = mapClaims(claims, map);
  const parsed = citizenClaimsSchema.safeParse(mapped);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[fieldLabel(issue.path, mapped)] ??= issue.message;
    throw new AppError('CITIZEN_CLAIMS_INVALID',
      'Máy chủ định danh gửi thông tin công dân không hợp lệ nên chưa thể đăng nhập. Vui lòng thử lại sau hoặc nộp hồ sơ không cần đăng nhập.',
      fields);
  }
  const citizen = parsed.data;
  return { ...citizen, family: citizen.family.filter((m) => m.personalId !== citizen.personalId) };
}
