// `npm run sim:national-portal`: the portal simulator as a stand-alone server (README.md: variables and endpoints).
import { startPortalSimulator } from './simulator.js';

const env = process.env;
const secret = env.SIM_SECRET ?? env.NATIONAL_PORTAL_SECRET ?? 'motcua-national-portal-demo-secret-0123456789';
const sim = await startPortalSimulator({
  port: Number(env.SIM_PORT ?? 8091),
  host: env.SIM_HOST ?? '127.0.0.1',
  secret,
  ...(env.SIM_MOTCUA_URL ? { motcuaUrl: env.SIM_MOTCUA_URL } : {}),
});
console.log(`national portal simulator at ${sim.url}`);
console.log(`  motcua: NATIONAL_PORTAL_URL=${sim.url} NATIONAL_PORTAL_SECRET=<SIM_SECRET>`);
console.log(`  what motcua reported: GET ${sim.url}/sim/sync`);
const stop = () => { void sim.close().then(() => process.exit(0)); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
