/**
 * Starts the Temporal servers once per test run and shares their addresses with every file.
 *
 * - One dev server (real persistence, visibility, Web UI, updates) shared by all files: tests
 *   isolate themselves by task queue and workflow id.
 * - One time-skipping test server per test fork. Its clock and its time-skipping lock are global
 *   to the server: two files waiting on results at once would unlock it twice (the server rejects
 *   the second unlock) and each would skip the other's timers. Forks run their files one after
 *   another, so a server per fork gives every file a clock of its own without a JVM per file.
 * - The workflow bundle is built once and loaded by every worker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { allSearchAttributeKeys } from '../workflows/definitions/search-attributes';
import { bundleWorkflows } from '../lib/bundle';
import { startDevServer, startTimeSkippingServer, type RunningServer } from '../lib/temporal-runtime';
import type { TemporalTestContext } from './helpers/context';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const forks = Math.max(1, Number(project.config.maxWorkers) || 1);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cj-tests-'));
  const servers: RunningServer[] = [];
  const started = Date.now();
  try {
    // Every server is recorded as soon as it runs, so a failure elsewhere still stops it.
    const track = async (starting: Promise<RunningServer>) => {
      const server = await starting;
      servers.push(server);
      return server;
    };
    const [devServer, bundle, ...timeSkipping] = await Promise.all([
      track(
        startDevServer({
          searchAttributes: allSearchAttributeKeys,
          logFile: path.join(runDir, 'dev-server.log'),
        }),
      ),
      // The same bundle as `npm run build`: with the failure converter that encodes messages.
      bundleWorkflows(path.resolve(__dirname, '../workflows')),
      ...Array.from({ length: forks }, () =>
        track(startTimeSkippingServer({ searchAttributes: allSearchAttributeKeys })),
      ),
    ]);
    const workflowBundlePath = path.join(runDir, 'workflow-bundle.js');
    fs.writeFileSync(workflowBundlePath, bundle.code);
    const context: TemporalTestContext = {
      devServer: { address: devServer.address, uiUrl: devServer.uiUrl ?? '' },
      timeSkippingAddresses: timeSkipping.map((server) => server.address),
      workflowBundlePath,
      runDir,
    };
    project.provide('temporal', context);
    console.log(
      `temporal test servers ready in ${Date.now() - started} ms: dev ${devServer.address} (${devServer.source}), ` +
        `time-skipping ${timeSkipping.map((server) => server.address).join(', ')}`,
    );
  } catch (error) {
    await Promise.allSettled(servers.map((server) => server.stop()));
    throw error;
  }
  return async () => {
    await Promise.all(servers.map((server) => server.stop()));
    fs.rmSync(runDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporal: TemporalTestContext;
  }
}
