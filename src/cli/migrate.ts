// `npm run db:migrate`: applies the committed migrations to DATABASE_URL (or the embedded PGlite) and exits.
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';

const config = loadConfig();
const database = await openDatabase(config.database, { migrate: true });
console.log(`migrations applied (${database.kind})`);
await database.close();
