/**
 * Starts the Temporal servers once per test run and shares their addresses with every file.
 *
 * - One dev server (real persistence, visibility, Web UI, updates) shared by all files: tests
 *   isolate themselves by task queue and workflow id.
 * - Time-skipping test servers are started by the files that use them, one per file
 *   (tests/helpers/temporal.ts): their clock and lock are global to a server.
 * - The workflow bundle is built once and loaded by every worker.
 * - On a bare machine it first provisions what the suite runs on, in order: the Temporal CLI
 *   (built with Go), the time-skipping test server (resolved with Maven), Chromium (unpacked
 *   from its npm package), and, when the run includes the files that need them, the local
 *   cluster's server, schema tool and Web UI (built with Go), and Prometheus with promtool
 *   (Debian's package where apt is there, else built with Go), each into the per-user cache.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { allSearchAttributeKeys } from '../workflows/kernel/search-attributes';
import { bundleWorkflows } from '../lib/bundle';
import { provisionClusterBinaries } from '../local/cluster/binaries';
import { provisionPrometheus } from '../local/prometheus/provision';
import {
  provisionTemporalCli,
  provisionTestServer,
  startDevServer,
  type RunningServer,
} from '../local/temporal-runtime';
import { provisionChromium } from './helpers/browser';
import type { TemporalTestContext } from './helpers/context';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cj-tests-'));
  const servers: RunningServer[] = [];
  const started = Date.now();
  try {
    // Provisioning first, one step at a time: on a bare machine the CLI's Go build takes both
    // cores for minutes, and a server started meanwhile misses its start-up deadline. Each step
    // is cached, so later runs pass through in milliseconds.
    const cli = provisionTemporalCli();
    const testServer = await provisionTestServer();
    const browser = provisionChromium();
    // The cluster suite's Temporal server (a Go build of a few minutes on a bare machine, see
    // README) and the metrics suite's Prometheus (Debian's package: a second; built from source
    // only without apt), after the steps above for the same reason. A build beside the tests was
    // tried at the lowest CPU priority: the first run took about as long and a test timed out.
    const log = (line: string) => console.error(`[provision] ${line}`);
    // The cluster and Prometheus take minutes to build on a bare machine: only for the files that
    // run them (all of them in a whole run), and before any test, so no build competes with one.
    const selected = await selectedTestFiles(project);
    const cluster = selected.has('cluster.test.ts')
      ? await provisionClusterBinaries({ log, retryHint: 'npm test' })
      : undefined;
    const prometheus = selected.has('metrics.test.ts')
      ? await provisionPrometheus({ log, retryHint: 'npm test' })
      : undefined;
    const provisioned = Date.now() - started;
    // Every server is recorded as soon as it runs, so a failure elsewhere still stops it.
    const track = async (starting: Promise<RunningServer>) => {
      const server = await starting;
      servers.push(server);
      return server;
    };
    const [devServer, bundle] = await Promise.all([
      track(
        startDevServer({
          searchAttributes: allSearchAttributeKeys,
          logFile: path.join(runDir, 'dev-server.log'),
        }),
      ),
      // The same bundle as `npm run build`: with the failure converter that encodes messages.
      bundleWorkflows(path.resolve(__dirname, '../workflows')),
    ]);
    const workflowBundlePath = path.join(runDir, 'workflow-bundle.js');
    fs.writeFileSync(workflowBundlePath, bundle.code);
    const context: TemporalTestContext = {
      devServer: { address: devServer.address, uiUrl: devServer.uiUrl ?? '' },
      workflowBundlePath,
      runDir,
    };
    project.provide('temporal', context);
    console.log(
      `test environment ready in ${Date.now() - started} ms (provisioning ${provisioned} ms): ` +
        `dev server ${devServer.address} (CLI ${cli?.source ?? 'from the SDK'}), ` +
        `time-skipping server ${testServer?.source ?? 'from the SDK'}, Chromium ${browser.source}, ` +
        `cluster binaries ${!cluster ? 'not needed' : Object.keys(cluster.buildTimes).length > 0 ? 'built' : 'cache'}, ` +
        `Prometheus ${!prometheus ? 'not needed' : `${prometheus.version ?? ''} ${prometheus.source}`.trim()}${prometheus?.buildMs ? ` (built in ${Math.round(prometheus.buildMs / 1000)} s)` : ''}`,
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

/**
 * The names of the test files this run selected: `vitest run <filters>` narrows them by path, a
 * whole run takes every file. (Vitest keeps the command line's filters on its instance; without
 * them every file counts, so nothing a test needs is ever left out.)
 */
async function selectedTestFiles(project: TestProject): Promise<Set<string>> {
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters);
  return new Set(testFiles.map((file) => path.basename(file)));
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporal: TemporalTestContext;
  }
}
