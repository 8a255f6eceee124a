// `npm run sim:payment-platform`: the simulator as a stand-alone server (see README.md for the variables).
import { startPaymentPlatformSimulator } from './simulator.js';

const env = process.env;
const motcua = (env.SIM_MOTCUA_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const sim = await startPaymentPlatformSimulator({
  port: Number(env.SIM_PORT ?? 8091),
  host: env.SIM_HOST ?? '127.0.0.1',
  partnerCode: env.SIM_PARTNER_CODE ?? 'MOTCUA',
  secret: env.SIM_SECRET ?? 'motcua-payment-secret',
  ...(env.SIM_ACCESS_TOKEN ? { accessToken: env.SIM_ACCESS_TOKEN } : {}),
  confirmUrl: `${motcua}/api/payment-platform/confirm`,
  returnUrl: `${motcua}/thanh-toan/ket-qua`,
});
sim.dropCallbacks = env.SIM_DROP_CALLBACKS === '1';
console.log(`payment-platform simulator at ${sim.url} (callbacks to ${motcua}${sim.dropCallbacks ? ', dropped' : ''})`);
console.log('  motcua: PAYMENT_PLATFORM_URL, PAYMENT_PLATFORM_PARTNER_CODE, PAYMENT_PLATFORM_SECRET as above');
const stop = () => { void sim.close().then(() => process.exit(0)); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
