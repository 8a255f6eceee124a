// The demo: the Thanh Hóa organisation (agencies, units, unit roles, settings), staff accounts, the demo signing CA,
// campaigns and a master register — all only in the embedded default. A production start (DATABASE_URL set) creates
// none of it: the operator runs `npm run admin:create` and the first-run set-up page (/quan-tri/thiet-lap).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { hashPassword } from '../../accounts/passwords.js';
import { registerRowSchema, toEntry } from '../../registers/register-row.js';
import type { Db } from '../client.js';
import { upsertCampaign, upsertCampaignSchool } from '../repositories/admissions.js';
import { upsertRegisterEntries } from '../repositories/registers.js';
import { bumpRevision, listUnitRoles, readOrganisationSettings, setUnitRole, updateOrganisationSettings } from '../repositories/administration.js';
import { UNIT_ROLES } from '../schema/index.js';
import { findStaffByUsername, insertStaff, listUnitsWithAgency, updateStaff, upsertAgency, upsertUnit, type StaffRow } from '../repositories/staff.js';
import type { SignerKeys } from '../../services/keys/signer-keys.js';
import { createCertificateAuthority, issueCertificate } from '../../signing/keys.js';

const organisationSchema = z.object({
  agencies: z.array(z.object({
    code: z.string(), name: z.string(), parentName: z.string(), place: z.string(), kind: z.enum(['department', 'school', 'centre']),
    abbreviation: z.string().optional(), parentCode: z.string().optional(),
  })),
  units: z.array(z.object({
    id: z.string(), agency: z.string(), parent: z.string().optional(), name: z.string(),
    kind: z.enum(['board', 'division', 'one_stop_desk', 'school_office']),
    // "Lưu: VT, QLCL" on the documents the unit drafts (Decree 30).
    abbreviation: z.string().optional(),
  })),
  unitRoles: z.array(z.object({ procedure: z.string(), role: z.enum(UNIT_ROLES), unit: z.string() })),
  settings: z.object({ provinceName: z.string(), departmentAgencyCode: z.string() }),
});

/** The demo organisation (organisation.yaml), marked as set up. Idempotent; part of seedDemo. */
export async function seedOrganisation(db: Db): Promise<void> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'organisation.yaml');
  const data = organisationSchema.parse(parse(await readFile(file, 'utf8')));
  for (const agency of data.agencies) await upsertAgency(db, { ...agency, abbreviation: agency.abbreviation ?? null, parentCode: agency.parentCode ?? null });
  for (const unit of data.units) {
    await upsertUnit(db, { id: unit.id, agencyCode: unit.agency, parentId: unit.parent ?? null, name: unit.name, kind: unit.kind, abbreviation: unit.abbreviation ?? null });
  }
  const assigned = await listUnitRoles(db);
  for (const { procedure, role, unit } of data.unitRoles) {
    if (!assigned.some((a) => a.procedureId === procedure && a.role === role)) await setUnitRole(db, procedure, role, unit);
  }
  const settings = await readOrganisationSettings(db);
  if (!settings.departmentAgencyCode) {
    await updateOrganisationSettings(db, { ...data.settings, setupCompletedAt: new Date() });
    await bumpRevision(db);
  }
}

export const DEMO_PASSWORD = 'demo';

/** Usernames are the roles, as the README lists them. */
export const DEMO_STAFF = [
  { username: 'clerk', fullName: 'Lê Thị Thu Hà', title: 'Cán bộ một cửa', roles: ['clerk'], unitId: 'mot-cua' },
  { username: 'specialist', fullName: 'Trần Văn Minh', title: 'Chuyên viên Phòng Quản lý chất lượng', roles: ['specialist'], unitId: 'qlcl' },
  // A deputy director signs for the director (Decree 30, art. 13): "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC".
  { username: 'leader', fullName: 'Nguyễn Đức Thắng', title: 'Phó Giám đốc', roles: ['leader'], unitId: 'so-gddt', authority: { kind: 'KT', for: 'GIÁM ĐỐC' } },
  { username: 'admin', fullName: 'Phạm Quốc Huy', title: 'Quản trị hệ thống', roles: ['admin'], unitId: 'so-gddt' },
  { username: 'school', fullName: 'Hoàng Thị Mai', title: 'Cán bộ văn phòng trường', roles: ['school'], unitId: 'thpt-lam-son' },
  { username: 'principal', fullName: 'Đỗ Văn Sơn', title: 'Hiệu trưởng Trường THPT chuyên Lam Sơn', roles: ['leader'], unitId: 'thpt-lam-son' },
  { username: 'school2', fullName: 'Vũ Thị Hạnh', title: 'Cán bộ văn phòng trường', roles: ['school'], unitId: 'thpt-dao-duy-tu' },
  { username: 'principal2', fullName: 'Ngô Quang Trung', title: 'Hiệu trưởng Trường THPT Đào Duy Từ', roles: ['leader'], unitId: 'thpt-dao-duy-tu' },
  { username: 'school3', fullName: 'Trịnh Văn Hải', title: 'Cán bộ văn phòng trường', roles: ['school'], unitId: 'thpt-ham-rong' },
  { username: 'principal3', fullName: 'Lê Thị Phương', title: 'Hiệu trưởng Trường THPT Hàm Rồng', roles: ['leader'], unitId: 'thpt-ham-rong' },
  { username: 'specialist2', fullName: 'Mai Thị Ngọc', title: 'Chuyên viên Phòng Giáo dục Trung học', roles: ['specialist'], unitId: 'gdtrh' },
] as const;

/**
 * Creates the demo organisation, the demo accounts and, for each leader, a certificate from a demo CA kept under
 * dataDir. Idempotent.
 */
export async function seedDemo(db: Db, signerKeys: SignerKeys, dataDir: string, options: { crlUrl?: string } = {}): Promise<string[]> {
  const created: string[] = [];
  await seedOrganisation(db);
  await seedDemoData(db);
  const ca = await loadOrCreateDemoCa(path.join(dataDir, 'demo-ca'));
  // The demo CA's CRL (GET /pki/demo-ca.crl) named in new demo certificates: their results then carry a DSS (B-LT).
  // Certificates seeded earlier keep what they had (the seed never replaces a key).
  const revocation = options.crlUrl ? { crlUrl: options.crlUrl } : {};
  // One hash for every demo account (they share the published password anyway): scrypt once, not ten times.
  let demoHash: string | undefined;
  for (const person of DEMO_STAFF) {
    const existing = await findStaffByUsername(db, person.username);
    if (existing) {
      await backfillAuthority(db, existing, person);
      continue;
    }
    demoHash ??= await hashPassword(DEMO_PASSWORD);
    const staff = await insertStaff(db, { ...person, roles: [...person.roles], passwordHash: demoHash });
    if (person.roles.includes('leader' as never)) {
      const certificate = await issueCertificate(ca, { commonName: person.fullName, organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa', title: person.title, ...revocation });
      await signerKeys.storeForStaff(staff.id, { ...certificate, chainPem: [ca.certificatePem] });
    }
    created.push(person.username);
  }
  // Organisations' seals (Decree 30: applied after the leader's signature), unit keys from the same demo CA: the
  // department's, and each school's for the results its principal signs (transfers, admissions).
  const seals = [
    { unitId: 'so-gddt', name: 'Sở Giáo dục và Đào tạo Thanh Hóa' },
    ...(await listUnitsWithAgency(db, 'school_office')).map(({ unit, agency }) => ({ unitId: unit.id, name: agency.name })),
  ];
  for (const seal of seals) {
    if (await signerKeys.modeFor({ unitId: seal.unitId })) continue;
    const certificate = await issueCertificate(ca, { commonName: seal.name, organisation: seal.name, ...revocation });
    await signerKeys.store({ unitId: seal.unitId }, { ...certificate, chainPem: [ca.certificatePem] });
  }
  return created;
}

/**
 * Demo databases seeded before accounts carried a signing authority: the demo deputy director signed under their own
 * title alone, which Decree 30 does not allow. Given it only while the account is still as the demo made it (same
 * title, no authority), so an account an administrator has changed is left alone.
 */
async function backfillAuthority(db: Db, existing: StaffRow, person: (typeof DEMO_STAFF)[number]): Promise<void> {
  if (!('authority' in person) || existing.authority || existing.title !== person.title) return;
  await updateStaff(db, existing.id, { authority: { ...person.authority } });
}

async function loadOrCreateDemoCa(dir: string): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const certFile = path.join(dir, 'ca.crt.pem');
  const keyFile = path.join(dir, 'ca.key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { certificatePem: await readFile(certFile, 'utf8'), privateKeyPem: await readFile(keyFile, 'utf8') };
  }
  const ca = await createCertificateAuthority({ commonName: 'motcua Demo CA (không dùng cho văn bản thật)', organisation: 'motcua demo' });
  await mkdir(dir, { recursive: true });
  await writeFile(keyFile, ca.privateKeyPem, { mode: 0o600 });
  await writeFile(certFile, ca.certificatePem);
  return ca;
}

const demoDataSchema = z.object({
  campaigns: z.array(z.object({
    id: z.string(), name: z.string(), grade: z.number().int(), schoolYear: z.string(), opensAt: z.string(), closesAt: z.string(),
    schools: z.array(z.object({ unit: z.string(), quota: z.number().int() })),
  })),
  register: z.array(registerRowSchema),
});

/** Demo admission campaigns with school quotas and a small master register (demo-data.yaml). Idempotent. */
export async function seedDemoData(db: Db): Promise<void> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo-data.yaml');
  // yaml turns unquoted dates into strings only with the core schema; keep them strings.
  const data = demoDataSchema.parse(parse(await readFile(file, 'utf8'), { schema: 'core' }));
  for (const c of data.campaigns) {
    await upsertCampaign(db, { id: c.id, name: c.name, grade: c.grade, schoolYear: c.schoolYear, opensAt: new Date(c.opensAt), closesAt: new Date(c.closesAt) });
    for (const s of c.schools) await upsertCampaignSchool(db, { campaignId: c.id, schoolUnitId: s.unit, quota: s.quota });
  }
  await upsertRegisterEntries(db, data.register.map(toEntry));
}