// `npx tsx tools/remote-signing-sim/cli.ts`: the simulator as a stand-alone server (see README.md for the variables).
import { startRemoteSigningSimulator, type HolderSpec } from './simulator.js';

const env = process.env;
const holders: HolderSpec[] = (env.SIM_HOLDERS ?? '001090000001:Nguyễn Văn An')
  .split(',').map((entry) => entry.trim()).filter(Boolean)
  .map((entry) => {
    const [userId, ...name] = entry.split(':');
    return { userId: userId!.trim(), name: name.join(':').trim() || `Người ký ${userId}` };
  });
const autoConfirm = env.SIM_AUTO_CONFIRM_MS;
const sim = await startRemoteSigningSimulator({
  port: Number(env.SIM_PORT ?? 8090),
  holders,
  host: env.SIM_HOST ?? '127.0.0.1',
  clientId: env.SIM_CLIENT_ID ?? 'motcua',
  clientSecret: env.SIM_CLIENT_SECRET ?? 'motcua-secret',
  ...(env.SIM_CA_CERT && env.SIM_CA_KEY ? { caCertificateFile: env.SIM_CA_CERT, caKeyFile: env.SIM_CA_KEY } : {}),
  ...(env.SIM_STATE_DIR ? { stateDir: env.SIM_STATE_DIR } : {}),
  autoConfirmMs: autoConfirm === undefined || autoConfirm === '' ? 3000 : autoConfirm === 'never' ? null : Number(autoConfirm),
  transactionTtlMs: Number(env.SIM_TTL_MS ?? 300_000),
});
console.log(`remote-signing simulator at ${sim.url}`);
for (const h of sim.holders) console.log(`  holder ${h.userId} — ${h.name} (cert_id ${h.certId})`);
console.log('  CA certificate: GET /sim/ca.pem — add it to TRUST_ANCHORS so verification trusts the holders');
const stop = () => { void sim.close().then(() => process.exit(0)); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
