import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Set by `tests/global-setup.ts` in this process while it builds the cluster beside the tests. */
const CLUSTER_BUILDING = 'CJ_TESTS_CLUSTER_BUILDING';

// Two test processes suit a 2-core machine that also runs the Temporal servers.
const workers = Number(process.env.CJ_TEST_WORKERS ?? 2);

/**
 * Vitest's order, except that the cluster suite goes last while the global setup (which runs
 * before the files are ordered) builds its binaries beside the other files: it waits for them.
 */
class ClusterLastWhileBuilding extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    if (process.env[CLUSTER_BUILDING] !== '1') return sorted;
    const waits = (file: TestSpecification) => path.basename(file.moduleId) === 'cluster.test.ts';
    return [...sorted.filter((file) => !waits(file)), ...sorted.filter(waits)];
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: workers,
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/setup.ts'],
    sequence: { sequencer: ClusterLastWhileBuilding },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
  },
});
