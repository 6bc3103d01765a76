/**
 * The bench's worker, in a process of its own so its memory (VmRSS) is the whole worker: the
 * product's `createWorker` (worker.ts) with the real activities writing into an outbox under
 * bench/out/. Started by bench/run.ts with `fork`, configured through the product's own `CJ_*` /
 * `TEMPORAL_*` settings (lib/config.ts) and steered over the IPC channel.
 *
 *   serve    run until told to stop ({ type: 'shutdown' }).
 *   startup  measure one start-up (prebuilt bundle or bundling at start), report it, exit.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { OutboxGateway } from '../activities/integrations/outbox-gateway';
import { loadWorkerConfig, type WorkerConfig } from '../lib/config';
import { createWorker } from '../worker';
import type { WorkerTuning } from './settings';

export type ToWorker = { type: 'shutdown' };
export type FromWorker =
  | { type: 'ready'; createWorkerMs: number; applied: WorkerTuning }
  | { type: 'startup'; createWorkerMs: number; processToReadyMs: number }
  | { type: 'error'; message: string };

/** Process arguments: `<mode> <tuning JSON> [prebuilt|bundle]`. */
interface Arguments {
  mode: 'serve' | 'startup';
  tuning: WorkerTuning;
  bundling: 'prebuilt' | 'bundle';
}

function parseArguments(argv: string[]): Arguments {
  const [mode, tuning, bundling = 'prebuilt'] = argv;
  if ((mode !== 'serve' && mode !== 'startup') || !tuning) {
    throw new Error('usage: worker-process.ts serve|startup <tuning JSON> [prebuilt|bundle]');
  }
  if (bundling !== 'prebuilt' && bundling !== 'bundle') throw new Error(`unknown bundling ${bundling}`);
  return { mode, tuning: JSON.parse(tuning) as WorkerTuning, bundling };
}

function send(message: FromWorker, then?: () => void): void {
  if (process.send) process.send(message, undefined, undefined, () => then?.());
  else then?.();
}

/**
 * `createWorker` passes two of the tuning knobs (maxCachedWorkflows and
 * maxConcurrentActivityTaskExecutions, from CJ_MAX_CACHED_WORKFLOWS / CJ_MAX_CONCURRENT_ACTIVITIES)
 * and leaves the workflow-task slots and the pollers at the SDK defaults. Worker.ts is not the
 * bench's to change, so in this process only, the SDK's `Worker.create` gets those options added.
 */
function addTuningCreateWorkerLacks(tuning: WorkerTuning): void {
  const create = Worker.create.bind(Worker);
  Worker.create = (options: WorkerOptions) =>
    create({
      ...options,
      maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.workflowTaskPollers },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.activityTaskPollers },
    });
}

/** The tuning the SDK compiled into the worker's options: proof that the settings took effect. */
function appliedTuning(worker: Worker): WorkerTuning {
  const { options } = worker;
  const slots = (supplier: unknown) => (supplier as { numSlots?: number } | undefined)?.numSlots ?? NaN;
  const maximum = (behavior: unknown) => (behavior as { maximum?: number } | undefined)?.maximum ?? NaN;
  return {
    maxCachedWorkflows: options.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: slots(options.tuner.workflowTaskSlotSupplier),
    maxConcurrentActivityTaskExecutions: slots(options.tuner.activityTaskSlotSupplier),
    workflowTaskPollers: maximum(options.workflowTaskPollerBehavior),
    activityTaskPollers: maximum(options.activityTaskPollerBehavior),
  };
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  addTuningCreateWorkerLacks(args.tuning);
  const loaded = loadWorkerConfig(process.env);
  // Bundling at start means no bundle at all: createWorker then bundles workflows/ itself.
  const config: WorkerConfig =
    args.bundling === 'bundle' ? { ...loaded, workflowBundlePath: undefined } : loaded;
  const outboxDir = process.env.CJ_OUTBOX_DIR;
  if (!outboxDir) throw new Error('CJ_OUTBOX_DIR must name the bench outbox');
  const gateway = new OutboxGateway({ dir: path.resolve(outboxDir) });
  const connection = await NativeConnection.connect(config.connectionOptions);
  try {
    const started = performance.now();
    const worker = await createWorker({ config, connection, activityDeps: { gateway } });
    const createWorkerMs = performance.now() - started;

    if (args.mode === 'startup') {
      await worker.runUntil(async () => {
        // `performance.now()` counts from the start of this process.
        send({ type: 'startup', createWorkerMs, processToReadyMs: performance.now() });
        await Promise.resolve();
      });
      return;
    }

    process.on('message', (message: ToWorker) => {
      if (message.type === 'shutdown') worker.shutdown();
    });
    const running = worker.run();
    send({ type: 'ready', createWorkerMs, applied: appliedTuning(worker) });
    await running;
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    send({ type: 'error', message }, () => process.exit(1));
  },
);
