/**
 * `npm run bench -- --cluster`: the same happy-path journeys on the local cluster (Temporal server
 * 1.29.2 on its own PostgreSQL, SQL visibility; `lib/cluster`) with one and then two worker
 * processes on one task queue, and what a parked journey costs a worker there. Run after the dev
 * server part, so the two never share the machine's two cores.
 *
 * Each worker is the bench's worker process (`bench/worker-process.ts`: the product's
 * `createWorker`, real activities into an outbox) with the bench's tuning. CPU is read from /proc
 * for the workers, the server and PostgreSQL (its postmaster and every backend).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { startCluster, type RunningCluster } from '../local/cluster';
import { SERVER_VERSION } from '../local/cluster/binaries';
import { HISTORY_SHARDS } from '../local/cluster/config';
import { journeyWorkflowId } from '../workflows/customer-journey/contract';
import { CUSTOMER_JOURNEY, driveJourney, runPool, type Driver } from './driver';
import { cpuSeconds, residentBytes, startWorker, workerEnvironment, type RunningWorker } from './processes';
import { HAPPY_PATH_POLICY, PARKED_POLICY, type Mode, type WorkerTuning } from './settings';
import { round } from './stats';

const MiB = 1024 * 1024;

/** Journeys per throughput measurement, in flight at once, and parked, per bench mode. */
const CLUSTER_SIZES: Record<Mode, { journeys: number; concurrency: number; warmup: number; parked: number }> =
  {
    quick: { journeys: 6, concurrency: 3, warmup: 1, parked: 40 },
    full: { journeys: 80, concurrency: 20, warmup: 5, parked: 400 },
    long: { journeys: 80, concurrency: 20, warmup: 5, parked: 2_000 },
  };

export interface ClusterBenchOptions {
  mode: Mode;
  tuning: WorkerTuning;
  /** The bench run's scratch folder; the cluster's data goes in `cluster/` inside it. */
  scratch: string;
  /** The product's workflow bundle. */
  bundle: string;
  /** Unique per run, for workflow ids. */
  tag: string;
  log: (line: string) => void;
}

/** Processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** The first process whose command line contains every one of `parts`. */
function findProcess(...parts: string[]): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (parts.every((part) => cmdline.includes(part))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** CPU seconds of the server and of PostgreSQL (postmaster and its backends, which come and go). */
function clusterCpu(cluster: RunningCluster): { server: number; postgres: number } {
  const server = findProcess('temporal-server', path.join(cluster.dataDir, 'config'));
  const postmaster = findProcess('postgres', '-D', path.join(cluster.dataDir, 'postgres'));
  const postgres =
    postmaster === undefined
      ? NaN
      : [postmaster, ...childrenOf(postmaster)].reduce((total, pid) => total + (cpuSeconds(pid) ?? 0), 0);
  return { server: cpuSeconds(server) ?? NaN, postgres };
}

interface Throughput {
  workers: number;
  journeys: number;
  failures: number;
  seconds: number;
  perSecond: number;
  cpuMsPerJourney: { workers: number; server: number; postgres: number };
  journeyMs: { p50: number; max: number };
}

async function measure(
  driver: Driver,
  cluster: RunningCluster,
  workers: RunningWorker[],
  count: number,
  concurrency: number,
  prefix: string,
): Promise<Throughput> {
  const workerCpu = () => workers.reduce((total, worker) => total + (cpuSeconds(worker.pid) ?? NaN), 0);
  const cpu0 = { workers: workerCpu(), ...clusterCpu(cluster) };
  const pool = await runPool(count, concurrency, (i) =>
    driveJourney(driver, `${prefix}-${i}`, HAPPY_PATH_POLICY),
  );
  const cpu1 = { workers: workerCpu(), ...clusterCpu(cluster) };
  const done = pool.results.length;
  const perJourney = (from: number, to: number) => round(((to - from) * 1000) / Math.max(1, done), 0);
  const times = pool.results.map((result) => result.ms).sort((a, b) => a - b);
  if (pool.failures.length > 0) throw new Error(`cluster journeys failed: ${pool.failures[0]}`);
  return {
    workers: workers.length,
    journeys: done,
    failures: pool.failures.length,
    seconds: round(pool.elapsedMs / 1000, 1),
    perSecond: round((done * 1000) / pool.elapsedMs),
    cpuMsPerJourney: {
      workers: perJourney(cpu0.workers, cpu1.workers),
      server: perJourney(cpu0.server, cpu1.server),
      postgres: perJourney(cpu0.postgres, cpu1.postgres),
    },
    journeyMs: {
      p50: round(times[Math.floor(times.length / 2)] ?? NaN, 0),
      max: round(times.at(-1) ?? NaN, 0),
    },
  };
}

/**
 * Starts `count` journeys that wait on a timer 30 days away, and what they add to a worker's RSS.
 * The first few also load the worker's workflow runtime (isolate, bundle, JIT), so the figure is
 * taken over the rest, as the dev server part does.
 */
async function parkedMemory(driver: Driver, worker: RunningWorker, count: number, tag: string) {
  const query = `JourneyStage = 'inquiry' AND ExecutionStatus = 'Running' AND CustomerId STARTS_WITH 'BCP-${tag}-'`;
  const park = async (from: number, to: number) => {
    const started = await runPool(to - from, 50, (i) =>
      driver.client.workflow.start(CUSTOMER_JOURNEY, {
        taskQueue: driver.taskQueue,
        workflowId: journeyWorkflowId(`BCP-${tag}-${from + i}`),
        args: [
          {
            customerId: `BCP-${tag}-${from + i}`,
            channel: 'email',
            inquiry: 'Pricing for 50 seats',
            policy: PARKED_POLICY,
          },
        ],
      }),
    );
    if (started.failures.length > 0) throw new Error(`parking failed: ${started.failures[0]}`);
    // Parked = its first workflow task ran (SQL visibility shows its stage).
    const deadline = Date.now() + 180_000;
    while ((await driver.client.workflow.count(query)).count < to) {
      if (Date.now() > deadline) throw new Error('parked journeys did not all start on the cluster');
      await sleep(500);
    }
    await sleep(2_000);
    return residentBytes(worker.pid);
  };
  const warm = Math.max(10, Math.round(count / 20));
  const idle = residentBytes(worker.pid);
  const afterWarm = await park(0, warm);
  const after = await park(warm, count);
  return {
    journeys: count,
    workerRssMiB: {
      idle: round(idle / MiB, 1),
      afterFirst: { journeys: warm, rssMiB: round(afterWarm / MiB, 1) },
      after: round(after / MiB, 1),
    },
    perJourneyKiB: round((after - afterWarm) / 1024 / (count - warm), 1),
  };
}

export type ClusterFigures = Awaited<ReturnType<typeof benchCluster>>;

/** Starts the cluster, measures, stops it; its data stays in the scratch folder. */
export async function benchCluster(options: ClusterBenchOptions) {
  const sizes = CLUSTER_SIZES[options.mode];
  const { log, tag } = options;
  const dataDir = path.join(options.scratch, 'cluster');
  const startedAt = Date.now();
  const cluster = await startCluster({ dataDir, ui: false, log: (line) => log(`cluster: ${line}`) });
  const startMs = Date.now() - startedAt;
  const workers: RunningWorker[] = [];
  let connection: Connection | undefined;
  try {
    const taskQueue = `bench-cluster-${tag}`;
    const env = workerEnvironment({
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: cluster.namespace,
      CJ_TASK_QUEUE: taskQueue,
      CJ_WORKFLOW_BUNDLE: options.bundle,
      CJ_INTEGRATION_MODE: 'outbox',
      CJ_OUTBOX_DIR: path.join(options.scratch, 'cluster-outbox'),
      CJ_MAX_CACHED_WORKFLOWS: String(options.tuning.maxCachedWorkflows),
      CJ_MAX_CONCURRENT_ACTIVITIES: String(options.tuning.maxConcurrentActivityTaskExecutions),
      CJ_SHUTDOWN_GRACE_SECONDS: '5',
    });
    const start = async (name: string) =>
      await startWorker(options.tuning, env, path.join(options.scratch, `cluster-worker-${name}.log`));
    workers.push(await start('1'));
    connection = await Connection.connect({ address: cluster.address });
    const driver: Driver = { client: new Client({ connection, namespace: cluster.namespace }), taskQueue };

    log(`cluster: warm-up, then ${sizes.journeys} journeys with one worker, ${sizes.concurrency} in flight`);
    await runPool(sizes.warmup, sizes.warmup, (i) =>
      driveJourney(driver, `BCW-${tag}-${i}`, HAPPY_PATH_POLICY),
    );
    const one = await measure(driver, cluster, workers, sizes.journeys, sizes.concurrency, `BC1-${tag}`);
    log(`cluster: one worker ${one.perSecond} journeys/s`);

    workers.push(await start('2'));
    await runPool(sizes.warmup, sizes.warmup, (i) =>
      driveJourney(driver, `BCW2-${tag}-${i}`, HAPPY_PATH_POLICY),
    );
    const two = await measure(driver, cluster, workers, sizes.journeys, sizes.concurrency, `BC2-${tag}`);
    log(`cluster: two workers ${two.perSecond} journeys/s`);

    // Memory on a fresh worker alone on the queue, so its RSS is what parked journeys add.
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    workers.push(await start('parked'));
    await sleep(2_000);
    log(`cluster: ${sizes.parked} parked journeys`);
    const parked = await parkedMemory(driver, workers[0]!, sizes.parked, tag);
    log(`cluster: ${parked.perJourneyKiB} KiB per parked journey`);
    return {
      topology:
        `temporal-server ${SERVER_VERSION} (frontend, history, matching, worker in one process; ${HISTORY_SHARDS} history shards) ` +
        'on PostgreSQL (default store and SQL visibility), on the same 2-core machine as the workers and the driver',
      startMs,
      sizes,
      load: round(os.loadavg()[0]!, 2),
      throughput: { oneWorker: one, twoWorkers: two, speedup: round(two.perSecond / one.perSecond) },
      parked,
      notes: [
        'Every process shares the two cores: a second worker adds polling capacity, not CPU, so the ' +
          'speedup shows how much the single worker was the bottleneck rather than the server and PostgreSQL.',
      ],
    };
  } finally {
    await Promise.allSettled(workers.map((worker) => worker.stop()));
    await connection?.close();
    await cluster.stop();
  }
}

/** The cluster figures as a few lines for the terminal, next to the dev server's throughput. */
export function renderClusterTable(figures: ClusterFigures, devServerPerSecond: number): string {
  const { oneWorker, twoWorkers } = figures.throughput;
  const row = (name: string, value: string) => `| ${name.padEnd(40)} | ${value.padEnd(60)} |`;
  const cpu = (t: Throughput) =>
    `workers ${t.cpuMsPerJourney.workers} ms, server ${t.cpuMsPerJourney.server} ms, PostgreSQL ${t.cpuMsPerJourney.postgres} ms`;
  return [
    row('Cluster (--cluster)', 'Result'),
    row('-'.repeat(40), '-'.repeat(60)),
    row('Throughput, dev server, one worker', `${devServerPerSecond} journeys/s`),
    row(
      'Throughput, cluster, one worker',
      `${oneWorker.perSecond} journeys/s (${oneWorker.journeys} journeys)`,
    ),
    row(
      'Throughput, cluster, two workers',
      `${twoWorkers.perSecond} journeys/s (×${figures.throughput.speedup})`,
    ),
    row('CPU per journey, one worker', cpu(oneWorker)),
    row('CPU per journey, two workers', cpu(twoWorkers)),
    row(
      'Parked journey, worker memory',
      `${figures.parked.perJourneyKiB} KiB (${figures.parked.journeys} parked)`,
    ),
    row('Cluster start', `${round(figures.startMs / 1000, 1)} s (PostgreSQL, schemas, server, namespace)`),
  ].join('\n');
}
