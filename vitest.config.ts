import { defineConfig } from 'vitest/config';

// Three layers (DESIGN.md rule 9): unit = pure code; integration = real PostgreSQL/Redis/poppler;
// e2e = HTTP flows through buildApp in both modes. The global setup (once per run) migrates the template database
// each integration/e2e file clones.
const timeouts = { testTimeout: 60_000, hookTimeout: 120_000 };
// Most files wait on PostgreSQL, Redis, chromium or child processes rather than on the CPU: two files at a time on the
// 2-core CI machine (vitest's default there is one). The faults run afterwards, alone (groupOrder 1, one worker): they
// stop and start their own databases and time recoveries.
const parallel = { maxWorkers: 2, sequence: { groupOrder: 0 } };
// Files of a project share their worker's modules (isolate: false): loading node_modules (fastify, pdfkit, pdf-lib,
// bullmq, the AWS SDK …) and src afresh for each file took ~3.4 s a file, half the suite's time. Nothing a file needs
// lives in a module between files: each starts its own context (database, DATA_DIR, queue prefix, config passed in,
// not read from process.env) and src's caches are keyed by that context or by its paths. A file that replaces a
// module (vi.mock) would leak the stand-in to the files after it, so those run isolated, in `mocking`.
const MOCKING = ['test/unit/admin-data.test.ts', 'test/e2e/dossier-page-reads.test.ts'];
const shared = { isolate: false, exclude: MOCKING };

export default defineConfig({
  test: {
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], ...timeouts, ...parallel, ...shared } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...timeouts, ...parallel, ...shared } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...timeouts, ...parallel, ...shared } },
      { test: { name: 'security', include: ['test/security/**/*.test.ts'], ...timeouts, ...parallel, ...shared } },
      { test: { name: 'mocking', include: MOCKING, ...timeouts, ...parallel } },
      // Processes against dependencies that stop, restart or hang: each file starts its own PostgreSQL/Redis on other ports.
      { test: { name: 'faults', include: ['test/faults/**/*.test.ts'], setupFiles: ['test/helpers/postgres-fix-setup.ts'], ...timeouts, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
