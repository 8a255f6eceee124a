// The Payment Platform simulator's entry for in-process use (tests, the embedded demo). See README.md.
export {
  startPaymentPlatformSimulator, type PaymentPlatformSimulator, type PaymentPlatformSimulatorOptions, type SimCallback, type SimOutcome, type SimPayment,
} from './simulator.js';
