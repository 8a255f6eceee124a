// The portal's side of the inbound channel: dossiers citizens filed on the national portal, pushed to motcua, and their
// attachments served to motcua (TO BE WRITTEN).
import type { RequestContext } from './simulator.js';

export interface PushState {
  /** Attachments served to motcua, by path. */
  files: Map<string, { name: string; mimeType: string; data: Buffer }>;
}

export function newPushState(): PushState {
  return { files: new Map() };
}

export async function handleDossierPushRequest(_context: RequestContext): Promise<boolean> {
  return false;
}
