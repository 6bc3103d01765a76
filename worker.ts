/**
 * The worker: runs every workflow and activity of the `customer-journey` task queue.
 *
 * It connects with Temporal's standard environment configuration, so the same process serves the
 * local dev server, a self-hosted cluster or Temporal Cloud, and it stops gracefully on SIGINT
 * and SIGTERM (in-flight activities get CJ_SHUTDOWN_GRACE_SECONDS to finish).
 *
 * Run it with `npm run worker` (against TEMPORAL_ADDRESS) or through `npm start`.
 */
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { loadIntegrationGateway } from './activities/integrations/config';
import { ConfigError, loadWorkerConfig, type WorkerConfig } from './lib/config';
import { bundleWorkflows } from './lib/bundle';
import { checkNamespace, describeProblems, isReady } from './lib/namespace-setup';
import { connectClient } from './lib/temporal-client';
import { installMetricsRuntime } from './lib/telemetry';
import { allSearchAttributeKeys } from './workflows/kernel/search-attributes';
import { bundleEncodesFailures, loadDataConverter, withLocalKeyFile } from './lib/data-converter';

export interface CreateWorkerOptions {
  config: WorkerConfig;
  connection: NativeConnection;
  /** Activity implementations; the real ones from `createActivities` when omitted. */
  activities?: WorkerOptions['activities'];
  /** Dependencies of the real activities (ignored when `activities` is given). */
  activityDeps?: ActivityDeps;
  /**
   * Payload codecs and failure converter (`loadDataConverter`); clients of this worker's
   * workflows need the same. Plain, unencrypted payloads when omitted.
   */
  dataConverter?: DataConverter;
}

/** Builds a worker for the configured task queue, from the prebuilt bundle when there is one. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { config, connection } = options;
  // Without a prebuilt bundle the worker bundles at start (a few seconds), quietly.
  const workflowBundle = config.workflowBundlePath
    ? { codePath: config.workflowBundlePath }
    : await bundleWorkflows(path.join(__dirname, 'workflows'));
  return await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    workflowBundle,
    activities: options.activities ?? createActivities(options.activityDeps),
    shutdownGraceTime: `${config.shutdownGraceSeconds}s`,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    maxCachedWorkflows: config.maxCachedWorkflows,
    dataConverter: options.dataConverter,
  });
}

/**
 * Connects, runs the worker until a shutdown signal, then closes the connection.
 *
 * @param env the environment to read settings from (tests pass their own).
 */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadWorkerConfig(env);
  const integrations = loadIntegrationGateway(env);
  // Before any connection: the SDK runtime takes its metrics endpoint only when it is created.
  installMetricsRuntime(config.metricsBindAddress);
  const converter = loadDataConverter(withLocalKeyFile(env, config.hasExplicitAddress));
  let encryption = converter.description;
  if (
    converter.dataConverter &&
    config.workflowBundlePath &&
    !bundleEncodesFailures(config.workflowBundlePath)
  ) {
    // Workflow failures are converted inside the bundle: one built without the failure
    // converter writes their messages in plain text (payloads are still encrypted).
    encryption +=
      '; workflow failure messages NOT encrypted (bundle built without the failure converter; ' +
      'npm run build makes one with it)';
  }
  // The weekly QA report reads visibility and results through a client of its own; the
  // preflight uses it first.
  const reports = await connectClient(env);
  let connection: NativeConnection | undefined;
  try {
    await preflight(reports.connection, config.namespace);
    connection = await NativeConnection.connect(config.connectionOptions);
    const worker = await createWorker({
      config,
      connection,
      activityDeps: { gateway: integrations.gateway, reportClient: reports.client },
      dataConverter: converter.dataConverter,
    });
    console.log(
      `worker polling task queue "${config.taskQueue}" on ${config.connectionOptions.address ?? 'localhost:7233'} ` +
        `(namespace ${config.namespace}, ${config.workflowBundlePath ? 'prebuilt bundle' : 'bundled at start'}; ` +
        `${integrations.description}; ${encryption}` +
        `${config.metricsBindAddress ? `; metrics on http://${config.metricsBindAddress}/metrics` : ''})`,
    );
    // Worker.run() returns once the runtime's SIGINT/SIGTERM handler has drained the worker.
    await worker.run();
  } finally {
    await reports.connection.close();
    await connection?.close();
  }
}

/** A namespace the workflows cannot run in; the message lists what is missing and the fix. */
export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

/**
 * Checks, before polling, that the namespace exists and has every custom search attribute with
 * its type: without them every workflow task would fail, forever, with `BadSearchAttributes`.
 *
 * @throws PreflightError with one message listing what is missing and the command to run.
 */
export async function preflight(
  connection: Connection,
  namespace: string,
  warn: (line: string) => void = (line) => console.warn(line),
): Promise<void> {
  const report = await checkNamespace(connection, namespace, allSearchAttributeKeys);
  if (report.unverifiable) {
    // Some clouds do not let a worker's credentials list attributes; the first upsert would tell.
    warn(`could not check the search attributes of namespace "${namespace}": ${report.unverifiable}`);
    return;
  }
  if (!isReady(report)) throw new PreflightError(describeProblems(report));
}

if (require.main === module) {
  runWorker().catch((error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof PreflightError ? error.message : error);
    process.exit(1);
  });
}
