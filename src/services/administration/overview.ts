// The administration's start page (/quan-tri): a few counts that say whether the Department can work today — units,
// active accounts, signing keys near or past their expiry, procedures taking dossiers, effects that failed for good.
import type { AppContext } from '../../app-context.js';
import { administrationCounts } from '../../db/repositories/setup.js';
import type { Caller } from '../access.js';
import { keyExpiryWarnings } from '../keys/manage-keys.js';
import { administratorOf } from './administrator.js';

export interface AdministrationOverview {
  units: number;
  activeStaff: number;
  /** Active keys whose certificate ends within the warning period, or has ended. */
  keysExpiring: number;
  proceduresEnabled: number;
  failedEffects: number;
}

export async function administrationOverview(ctx: Pick<AppContext, 'db' | 'catalog'>, caller: Caller): Promise<AdministrationOverview> {
  administratorOf(caller);
  const [counts, keys] = await Promise.all([administrationCounts(ctx.db), keyExpiryWarnings(ctx)]);
  return {
    units: counts.units, activeStaff: counts.activeStaff, failedEffects: counts.failedEffects, keysExpiring: keys.expiring + keys.expired,
    // The catalog lists the procedures taking dossiers (switched-off ones left out).
    proceduresEnabled: ctx.catalog.list().length,
  };
}
