// What a use-case, job or route receives: the process's database, catalog, keys, effects, job driver and settings.
// Types only, so that importing it never pulls the composition root (context.ts) into a module's runtime graph.
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database, Db } from './db/client.js';
import type { EffectRegistry } from './effects/types.js';
import type { JobDriver } from './jobs/types.js';
import type { ProcedureCatalog } from './services/procedures/catalog.js';
import type { SignerKeys } from './services/keys/signer-keys.js';
import type { AdminData } from './services/administration/admin-data.js';
import type { OrganisationInfo } from './services/administration/organisation-info.js';
import type { FileStorage } from './storage/index.js';

export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  catalog: ProcedureCatalog;
  signerKeys: SignerKeys;
  log: Logger;
  /** Derives tracking tokens. */
  secret: string;
  jobs: JobDriver;
  /** The effects registry (effects/index.ts), handed in so use-cases never import the job handlers. */
  effects: EffectRegistry;
  /** The administrators' data this process keeps in memory, reloaded when another process changes it. */
  adminData: AdminData;
  /** The province's and the Department's names (administration settings), for pages, documents and e-mails. */
  organisation: OrganisationInfo;
  /** Uploaded and issued files' bytes (storage/): PostgreSQL rows or S3-compatible object storage. */
  files: FileStorage;
}

/** 'server' writes to the outbox; 'worker' relays and runs jobs; 'embedded' does both in one process (inline). */
export type ProcessRole = 'server' | 'worker' | 'embedded';
