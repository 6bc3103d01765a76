/**
 * Test helpers: connections to the run's Temporal servers, names unique to each test, and
 * workers built from the shared workflow bundle.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { startTimeSkippingEnvironment } from '../../local/temporal-runtime';
import { allSearchAttributeKeys } from '../../workflows/kernel/search-attributes';

/**
 * Starts a time-skipping test server for the calling file (or test); `teardown` stops it.
 *
 * Every file gets a fresh server: the clock and the time-skipping lock are global to a server,
 * and a file can leave the lock held (seen after the journey's continue-as-new test), which
 * stopped time for the next file. With class-data sharing a server starts in about a second.
 */
export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  return await startTimeSkippingEnvironment(
    { searchAttributes: allSearchAttributeKeys },
    process.env,
    () => {},
  );
}

/**
 * A time-skipping server for the calling test file: started before its tests, torn down after.
 * Call it at the file's top level; the returned function gives the server inside a test.
 */
export function timeSkippingServerForFile(): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await timeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  return () => {
    if (!env) throw new Error('the time-skipping server is not started yet: call env() inside a test');
    return env;
  };
}

/** Connects to the run's dev server (real visibility, search attributes and Web UI). */
export async function devServerEnvironment(): Promise<TestWorkflowEnvironment> {
  return await TestWorkflowEnvironment.createFromExistingServer({
    address: inject('temporal').devServer.address,
  });
}

/** The workflow bundle the global setup built from `workflows/`. */
export function workflowBundle(): { codePath: string } {
  return { codePath: inject('temporal').workflowBundlePath };
}

/**
 * A task queue and workflow-id prefix derived from the running test's name, so tests never share
 * workflows even when the dev server outlives the run.
 */
export function testNames(): { taskQueue: string; workflowId: (suffix?: string) => string } {
  const name = (expect.getState().currentTestName ?? 'test')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(-60);
  const unique = `${name}-${randomUUID().slice(0, 8)}`;
  return { taskQueue: unique, workflowId: (suffix = 'wf') => `${unique}-${suffix}` };
}

/** Creates a worker on the shared bundle for the given environment and task queue. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  options: Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath'> &
    Partial<Pick<WorkerOptions, 'workflowBundle'>>,
): Promise<Worker> {
  return await Worker.create({
    connection: env.nativeConnection,
    workflowBundle: options.workflowBundle ?? workflowBundle(),
    ...options,
  });
}

/**
 * The message a rejected update or failed workflow gives its caller: the SDK wraps it (the
 * error says "Workflow Update failed"), the reason is in the cause.
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected a rejection, but it succeeded');
  return error.cause instanceof Error ? error.cause.message : error.message;
}
