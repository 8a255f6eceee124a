// The organisation's names as every page, document and e-mail shows them, read from the administrators' settings
// (organisation_settings + the Department's agency) and kept per process by admin-data.ts.
import type { Db } from '../../db/client.js';
import { readOrganisationSettings } from '../../db/repositories/administration.js';
import { findAgency } from '../../db/repositories/staff.js';

export interface OrganisationInfo {
  /** The province ("Nghệ An"); empty until an administrator sets it. */
  provinceName: string;
  /** "Sở Giáo dục và Đào tạo <province>"; a neutral name until set. */
  departmentName: string;
  departmentAgencyCode: string | null;
  setupCompleted: boolean;
}

export const UNSET_ORGANISATION: OrganisationInfo = {
  provinceName: '', departmentName: 'Sở Giáo dục và Đào tạo', departmentAgencyCode: null, setupCompleted: false,
};

/** Reads the settings into `target` (mutated in place: everyone holding the object sees the new names). */
export async function loadOrganisationInfo(db: Db, target: OrganisationInfo): Promise<void> {
  const settings = await readOrganisationSettings(db);
  const agency = settings.departmentAgencyCode ? await findAgency(db, settings.departmentAgencyCode) : undefined;
  const departmentName = agency?.name ?? UNSET_ORGANISATION.departmentName;
  Object.assign(target, {
    provinceName: settings.provinceName,
    // The agency's name may already end with the province ("… Nghệ An"); never say it twice.
    departmentName: settings.provinceName && !departmentName.includes(settings.provinceName) ? `${departmentName} ${settings.provinceName}` : departmentName,
    departmentAgencyCode: settings.departmentAgencyCode,
    setupCompleted: settings.setupCompletedAt !== null,
  } satisfies OrganisationInfo);
}

/** How pages, e-mails and the sender's name call the service: one wording, read from the settings. */
export interface SiteNames {
  provinceName: string;
  departmentName: string;
  /** "Dịch vụ công trực tuyến Sở Giáo dục và Đào tạo <Tỉnh>". */
  siteName: string;
  /** A dossier code of this Department, as an example in the tracking form ("000.00.12.H56-250101-0001"). */
  codeExample: string;
}

export function siteNames(organisation: OrganisationInfo = UNSET_ORGANISATION): SiteNames {
  return {
    provinceName: organisation.provinceName,
    departmentName: organisation.departmentName,
    siteName: `Dịch vụ công trực tuyến ${organisation.departmentName}`,
    codeExample: `${organisation.departmentAgencyCode ?? '000.00.00.X00'}-250101-0001`,
  };
}
