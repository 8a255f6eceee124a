import { defineConfig } from 'vitest/config';

// Three layers (DESIGN.md rule 9): unit = pure code; integration = real PostgreSQL/Redis/poppler;
// e2e = HTTP flows through buildApp in both modes. The global setup (once per run) migrates the template database
// each integration/e2e file clones.
const timeouts = { testTimeout: 60_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], ...timeouts } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...timeouts } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...timeouts } },
      { test: { name: 'security', include: ['test/security/**/*.test.ts'], ...timeouts } },
      // Processes against dependencies that stop, restart or hang: each file starts its own PostgreSQL/Redis on other ports.
      { test: { name: 'faults', include: ['test/faults/**/*.test.ts'], setupFiles: ['test/helpers/postgres-fix-setup.ts'], ...timeouts } },
    ],
  },
});
