// Vitest setup file (faults project): installs the postgres.js load-time fix (src/db/postgres-fix.ts) before a test
// file's helpers import postgres statically, as the real processes have it before their lazy import.
import { registerPostgresFix } from '../../src/db/postgres-fix.js';

registerPostgresFix();
