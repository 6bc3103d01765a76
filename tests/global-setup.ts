/**
 * Starts the Temporal servers once per test run and shares their addresses with every file.
 *
 * - One dev server (real persistence, visibility, Web UI, updates) shared by all files: tests
 *   isolate themselves by task queue and workflow id.
 * - Time-skipping test servers are started by the files that use them, one per file
 *   (tests/helpers/temporal.ts): their clock and lock are global to a server.
 * - The workflow bundle is built once and loaded by every worker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { allSearchAttributeKeys } from '../workflows/definitions/search-attributes';
import { bundleWorkflows } from '../lib/bundle';
import { provisionTestServer, startDevServer, type RunningServer } from '../lib/temporal-runtime';
import type { TemporalTestContext } from './helpers/context';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
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
    const [devServer, bundle, testServer] = await Promise.all([
      track(
        startDevServer({
          searchAttributes: allSearchAttributeKeys,
          logFile: path.join(runDir, 'dev-server.log'),
        }),
      ),
      // The same bundle as `npm run build`: with the failure converter that encodes messages.
      bundleWorkflows(path.resolve(__dirname, '../workflows')),
      // Provisioned (from the cache, or built once) before any file starts one of its own.
      provisionTestServer(),
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
      `temporal test servers ready in ${Date.now() - started} ms: dev ${devServer.address} (${devServer.source}), ` +
        `time-skipping server ${testServer?.path ?? 'from the SDK'}`,
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
