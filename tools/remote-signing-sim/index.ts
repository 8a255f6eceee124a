// The remote-signing simulator's entry for in-process use (tests, the embedded demo, benchmarks). See README.md.
export { startRemoteSigningSimulator, type HolderSpec, type RemoteSigningSimulator, type SimTransaction, type SimulatorOptions } from './simulator.js';
