import { defineConfig } from 'vitest/config';

// Each fork gets its own time-skipping server (see tests/global-setup.ts), so the number of
// forks and of servers come from one setting.
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
