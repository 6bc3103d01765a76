import { defineConfig } from 'vitest/config';

// Two test processes suit a 2-core machine that also runs the Temporal servers.
const workers = Number(process.env.CJ_TEST_WORKERS ?? 2);

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: workers,
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
  },
});
