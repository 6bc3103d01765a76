/**
 * Test helpers: connections to the run's Temporal servers, names unique to each test, and
 * workers built from the shared workflow bundle.
 */
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { expect, inject } from 'vitest';

/**
 * A time-skipping environment on the server the global setup started for this fork.
 *
 * The SDK only builds such an environment around a server it starts itself; this subclass
 * reuses its client (which unlocks time skipping while a result is awaited) on ours.
 */
class ForkTimeSkippingEnvironment extends TestWorkflowEnvironment {
  static async connect(address: string): Promise<TestWorkflowEnvironment> {
    const internal = { [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
    const connection = await Connection.connect({ address, ...internal });
    const nativeConnection = await NativeConnection.connect({ address });
    const options = {
      server: { type: 'existing' },
      client: {},
      plugins: [],
    } as unknown as TestWorkflowEnvironment['options'];
    return new ForkTimeSkippingEnvironment(
      Runtime.instance(),
      options,
      true,
      'existing',
      connection,
      nativeConnection,
      'default',
      address,
    );
  }
}

/** Connects to this fork's time-skipping server (teardown closes only the connections). */
export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const { timeSkippingAddresses } = inject('temporal');
  const fork = Number(process.env.VITEST_POOL_ID ?? '1');
  const address = timeSkippingAddresses[(fork - 1) % timeSkippingAddresses.length];
  if (!address) throw new Error('the global setup started no time-skipping server');
  return await ForkTimeSkippingEnvironment.connect(address);
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
