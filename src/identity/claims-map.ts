// Where each citizen field is found in the identity provider's claims (OIDC_CLAIMS_MAP). The provider is configuration:
// the national SSO names its claims its own way, a test provider another, so the code reads claims only through this
// map. Paths are dot-separated ("address.formatted"); an empty path switches a field off.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const claimPath = z.string().trim().max(200).regex(/^$|^[A-Za-z0-9_:.-]+$/, 'a claim name or dot-separated path');

const memberMapSchema = z.object({
  personalId: claimPath, fullName: claimPath, birthDate: claimPath, gender: claimPath,
}).strict();

const familyMapSchema = z.object({
  child: claimPath, parent: claimPath, spouse: claimPath, head_of_household: claimPath,
}).strict();

export const claimsMapSchema = z.object({
  personalId: claimPath.min(1),
  fullName: claimPath.min(1),
  birthDate: claimPath,
  gender: claimPath,
  email: claimPath,
  phone: claimPath,
  permanentAddress: claimPath,
  currentAddress: claimPath,
  /** The level of assurance: the ID token's `acr`, or a claim of the provider's own. */
  loa: claimPath,
  /** Each relation's claim holds one member (an object) or a list of them. */
  family: familyMapSchema,
  /** The fields of one family member, inside each member object. */
  member: memberMapSchema,
}).strict();

export type ClaimsMap = z.infer<typeof claimsMapSchema>;

/**
 * VNeID-like claims, as the demo provider (demo-provider.ts) issues them: Vietnamese snake_case names, dates as
 * dd/mm/yyyy, the family as lists of members, the level of assurance as `acr`.
 */
export const DEFAULT_CLAIMS_MAP: ClaimsMap = {
  personalId: 'so_dinh_danh',
  fullName: 'ho_va_ten',
  birthDate: 'ngay_sinh',
  gender: 'gioi_tinh',
  email: 'email',
  phone: 'so_dien_thoai',
  permanentAddress: 'noi_thuong_tru',
  currentAddress: 'noi_o_hien_tai',
  loa: 'acr',
  family: { child: 'con', parent: 'cha_me', spouse: 'vo_chong', head_of_household: 'chu_ho' },
  member: { personalId: 'so_dinh_danh', fullName: 'ho_va_ten', birthDate: 'ngay_sinh', gender: 'gioi_tinh' },
};

/** What a configured map may give: any field, merged over the default (family and member field by field). */
const partialMapSchema = claimsMapSchema.extend({
  family: familyMapSchema.partial().optional(),
  member: memberMapSchema.partial().optional(),
}).partial().strict();

/**
 * OIDC_CLAIMS_MAP: inline JSON (starts with `{`) or the path of a JSON or YAML file, merged over DEFAULT_CLAIMS_MAP.
 * Throws a message naming what is wrong (config.ts lists it with the other problems).
 */
export function parseClaimsMap(raw: string | undefined): ClaimsMap {
  const text = raw?.trim();
  if (!text) return DEFAULT_CLAIMS_MAP;
  let value: unknown;
  if (text.startsWith('{')) {
    try { value = JSON.parse(text); } catch (error) { throw new Error(`not valid JSON (${(error as Error).message})`); }
  } else {
    const file = path.resolve(text);
    let content: string;
    try { content = readFileSync(file, 'utf8'); } catch { throw new Error(`cannot read the file ${file}`); }
    try { value = /\.ya?ml$/i.test(file) ? parseYaml(content) : JSON.parse(content); } catch (error) {
      throw new Error(`${file} does not parse (${(error as Error).message})`);
    }
  }
  const parsed = partialMapSchema.safeParse(value);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(map)'}: ${i.message}`).join('; '));
  const { family, member, ...fields } = parsed.data;
  return {
    ...DEFAULT_CLAIMS_MAP, ...fields,
    family: { ...DEFAULT_CLAIMS_MAP.family, ...family },
    member: { ...DEFAULT_CLAIMS_MAP.member, ...member },
  };
}
