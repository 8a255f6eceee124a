// Creates the demo organisation (province, agencies, units, unit roles), its staff accounts, their signing keys and
// the seals on the fault suite's database: a production start (DATABASE_URL set) creates none of them. Run with tsx
// by run.ts, with the SAME environment as the server and worker (DATA_DIR for the demo CA, APP_SECRET /
// KEY_ENCRYPTION_SECRET for the keys stored encrypted).
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { closeContext, createContext } from '../../src/context.js';
import { seedDemo } from '../../src/db/seed/index.js';

const config = loadConfig(process.env);
const log = pino({ level: 'warn' });
// 'server' role: migrations and the catalog like a server start (which seeds nothing), and no queue connection; the
// organisation comes from seedDemo below.
const ctx = await createContext(config, log, 'server');
try {
  const created = await seedDemo(ctx.db, ctx.signerKeys, config.dataDir);
  console.log(`seeded staff: ${created.join(', ') || '(already there)'}`);
} finally {
  await closeContext(ctx);
}
