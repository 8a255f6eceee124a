// The portal's side of the status and step sync: what motcua reports, stored as the portal would (TO BE WRITTEN).
import type { RequestContext } from './simulator.js';

export interface SyncState {
  /** Every processing step the portal accepted, in the order it received them (duplicates by step id dropped). */
  steps: Array<Record<string, unknown>>;
}

export function newSyncState(): SyncState {
  return { steps: [] };
}

export async function handleSyncRequest(_context: RequestContext): Promise<boolean> {
  return false;
}
