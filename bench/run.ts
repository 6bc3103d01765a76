/**
 * `npm run bench`: throughput, billable actions, history size, parked load and worker start-up of
 * the customer journey, in one run on a dev server of its own, with the real worker.
 *
 *   npm run bench                  full run (a few minutes on 2 cores), writes bench/results.json
 *   npm run bench -- --quick       tiny counts (well under a minute), for the smoke test
 *   npm run bench -- --long        10,000 parked journeys instead of 1,000
 *   npm run bench -- --cluster     also the local cluster, with one and two workers (bench/cluster.ts)
 *   options: --out <file>  --journeys <n>  --concurrency <n>  --parked <n>  --keep-scratch
 *            --tuning '{"maxConcurrentWorkflowTaskExecutions":40}' (over the values in settings.ts)
 *
 * Scratch (outbox, bundles, server and worker logs) goes to bench/out/<run>/ and is removed after
 * a successful run unless --keep-scratch is given; a failed run keeps it for the post-mortem.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import * as prettier from 'prettier';
import { bundleWorkflows } from '../lib/bundle';
import {
  describeCli,
  provisionTemporalCli,
  startDevServer,
  type RunningServer,
} from '../local/temporal-runtime';
import { allSearchAttributeKeys } from '../workflows/kernel/search-attributes';
import {
  closeJourneyUpdate,
  journeyWorkflowId,
  registerInquiryUpdate,
} from '../workflows/customer-journey/contract';
import type { customerJourney } from '../workflows';
import type { BaselinePlan } from './baseline-workflow';
import {
  CUSTOMER_JOURNEY,
  driveBaseline,
  driveCase,
  driveJourney,
  driveToAfterSales,
  noneSent,
  runPool,
  waitQuiet,
  type DrivenJourney,
  type Driver,
} from './driver';
import {
  addCounts,
  countHistory,
  emptyCount,
  EventType,
  eventsOfType,
  fetchHistory,
  historyBytes,
  scaleCount,
  type HistoryCount,
} from './history';
import {
  cpuSeconds,
  findDevServerPid,
  measureStartup,
  residentBytes,
  startWorker,
  workerEnvironment,
  type RunningWorker,
} from './processes';
import { benchCluster, renderClusterTable } from './cluster';
import { reportScale } from './report-scale';
import { renderTable } from './report';
import {
  AFTER_SALES_PROFILE,
  HAPPY_PATH_POLICY,
  HISTORY_LIMITS,
  PARKED_POLICY,
  REVISIT_PROBE_POLICY,
  SIZES,
  WORKER_TUNING,
  WORKER_TUNING_REASONS,
  type Mode,
  type Sizes,
  type WorkerTuning,
} from './settings';
import { mean, median, round, summary } from './stats';

const ROOT = path.resolve(__dirname, '..');
const TASK_QUEUE = 'customer-journey';
const STARTUP_TASK_QUEUE = 'bench-startup';
const MiB = 1024 * 1024;

interface Options {
  mode: Mode;
  sizes: Sizes;
  tuning: WorkerTuning;
  out: string;
  keepScratch: boolean;
  cluster: boolean;
}

function parseOptions(argv: string[]): Options {
  let mode: Mode = 'full';
  let out = path.join(ROOT, 'bench', 'results.json');
  let keepScratch = false;
  let cluster = false;
  const overrides: Partial<Sizes> = {};
  let tuning: WorkerTuning = WORKER_TUNING;
  const number = (flag: string, value: string | undefined) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${flag} needs a whole number above 0`);
    return parsed;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') mode = 'quick';
    else if (arg === '--long') mode = 'long';
    else if (arg === '--keep-scratch') keepScratch = true;
    else if (arg === '--cluster') cluster = true;
    else if (arg === '--out') out = path.resolve(argv[++i] ?? '');
    else if (arg === '--journeys') overrides.journeys = number(arg, argv[++i]);
    else if (arg === '--concurrency') overrides.concurrency = number(arg, argv[++i]);
    else if (arg === '--parked') overrides.parked = number(arg, argv[++i]);
    else if (arg === '--tuning')
      tuning = { ...tuning, ...(JSON.parse(argv[++i] ?? '{}') as Partial<WorkerTuning>) };
    else throw new Error(`unknown option ${arg} (see the header of bench/run.ts)`);
  }
  return { mode, sizes: { ...SIZES[mode], ...overrides }, tuning, out, keepScratch, cluster };
}

const startedAt = performance.now();
function log(line: string): void {
  console.error(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}`);
}

/** The production bundle (lib/bundle.ts): failure converter, shared workflow modules. */
async function buildBundle(workflowsPath: string, target: string): Promise<number> {
  const started = performance.now();
  const { code } = await bundleWorkflows(workflowsPath);
  fs.writeFileSync(target, code);
  return performance.now() - started;
}

// ---------------------------------------------------------------------------------------------
// Journey families: histories and their actions

interface FamilyCount {
  journey: HistoryCount;
  quote: HistoryCount;
  case: HistoryCount;
  family: HistoryCount;
  queries: number;
  describes: number;
  rejectedUpdates: number;
}

async function countFamily(client: Client, driven: DrivenJourney): Promise<FamilyCount> {
  const [journey, quote, kase] = await Promise.all(
    [driven.journeyId, driven.quoteWorkflowId, driven.caseWorkflowId].map(async (id) =>
      id === undefined ? emptyCount() : countHistory(await fetchHistory(client, id)),
    ),
  );
  const family = [journey!, quote!, kase!].reduce(addCounts, emptyCount());
  return {
    journey: journey!,
    quote: quote!,
    case: kase!,
    family,
    queries: driven.sent.queries,
    describes: driven.sent.describes,
    rejectedUpdates: driven.sent.rejectedUpdates,
  };
}

/** The baseline plan: the same activities, timers, updates and signals as a journey family. */
function planFrom(families: FamilyCount[]): BaselinePlan {
  const medianOf = (pick: (count: HistoryCount) => number) =>
    Math.round(median(families.map(({ family }) => pick(family))));
  return {
    updates: medianOf((count) => count.byKind.update),
    signals: medianOf((count) => count.byKind.signal),
    activities: medianOf((count) => count.byKind.activityAttempt),
    timers: medianOf((count) => count.byKind.timer),
  };
}

/**
 * The minimum the business events of one happy-path journey require (every entry is billed once):
 * the journey's start and its case (a child: 2), each message a person or system sends, each
 * side effect the business rules name, and each SLA or cadence deadline that must be armed.
 */
const MINIMUM = {
  starts: { customerJourney: 1, 'afterSalesCase (child)': 2 },
  messages: {
    recordNeeds: 1,
    submitProposal: 1,
    'reviewProposal (the internal review)': 1,
    submitQuote: 1,
    signContract: 1,
    deliveryConfirmed: 1,
    reportIssue: 1,
    closeJourney: 1,
    resolve: 1,
    submitFeedback: 1,
  },
  activities: {
    'notifyCustomer (proposal sent, quote sent, contract confirmation, case received, advice, case closed)': 6,
    'createTask (proposal review)': 1,
    'syncCustomerArchive (handoff)': 1,
    'recordArchiveEvent (case opened, case closed)': 2,
    'createTask (handoff)': 1,
    pushTrainingSchedule: 1,
    'requestReferral (promoter)': 1,
    assignCase: 1,
    scheduleRevisit: 1,
    sendSurvey: 1,
    'requestQaReview (only when drawn: 20 % of cases)': 0,
  },
  timers: {
    'journey first-response window': 1,
    'journey proposal-review window': 1,
    'journey follow-up cadence (while negotiating)': 1,
    'journey periodic revisit (after delivery)': 1,
    'case first-reply window': 1,
    'case resolution window': 1,
    'case revisit / no-feedback window': 1,
  },
} as const;

const sumOf = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
const MIN_CASE = { starts: 2, messages: 2, activities: 6, timers: 3 };

function minimumFor(count: HistoryCount, scope: 'family' | 'case'): number {
  const qa = count.byActivityType.requestQaReview ? 1 : 0;
  if (scope === 'case') return sumOf(MIN_CASE) + qa;
  return (
    sumOf(MINIMUM.starts) + sumOf(MINIMUM.messages) + sumOf(MINIMUM.activities) + sumOf(MINIMUM.timers) + qa
  );
}

const PROPOSALS: Record<string, string> = {
  searchAttributeUpserts:
    'Upsert search attributes once per workflow task instead of once per change: mark them dirty and ' +
    'flush from the main loop before it waits (merges e.g. resolved + revisit deadline, feedback + ' +
    'closed + QA sample); pass the values known at start (CustomerId, Channel, JourneyId, CasePriority, ' +
    'IssueCategory, AssignedTeam, the first stage) with the start/startChild call instead of a first ' +
    'upsert; and stop indexing NextDeadlineAt on every re-plan (ops can sort on the stage plus the ' +
    'deadline shown in the details).',
  timerReplans:
    'Re-plan a timer only when the earliest deadline moves earlier; when it moves later, let the armed ' +
    'timer fire and sleep again (one wasted wake-up instead of a cancelled timer plus a new one).',
  quoteApprovalChild:
    'Decide an auto-approved quote (margin above the policy) inside the journey; start the quoteApproval ' +
    'child only when a manager must decide (saves the child start and its report-back signal).',
  childReportBackSignals:
    'Have the journey await its children’s results where it can (child completion is not billed) and ' +
    'keep the report-back signal only for children started by an earlier run (continue-as-new).',
  activityRetries: 'Retries come from failing integrations: fix the failing receiver.',
  extraActivities: 'Merge side effects that go to the same system in the same step.',
};

// ---------------------------------------------------------------------------------------------
// Long-tail probes: what an after-sales month adds to a journey's history

interface Slice {
  events: number;
  bytes: number;
  actions: number;
}

function slice(history: { events?: unknown[] | null }, from: number, to: number): Slice {
  const events = (history.events ?? []).slice(from, to) as Parameters<typeof historyBytes>[0];
  return { events: events.length, bytes: historyBytes(events), actions: countHistory({ events }).actions };
}

async function caseProbe(driver: Driver, tag: string) {
  const sent = noneSent();
  const { handle } = await driveToAfterSales(driver, `BL-${tag}`, HAPPY_PATH_POLICY, sent);
  await waitQuiet(driver.client, handle.workflowId);
  const h0 = await handle.fetchHistory();
  await driveCase(driver, handle, sent);
  await waitQuiet(driver.client, handle.workflowId);
  const h1 = await handle.fetchHistory();
  const case2 = await driveCase(driver, handle, sent);
  await waitQuiet(driver.client, handle.workflowId);
  const h2 = await handle.fetchHistory();
  await handle.executeUpdate(closeJourneyUpdate, { args: [{ reason: 'bench finished' }] });
  const len = (history: typeof h0) => history.events?.length ?? 0;
  // The second case is the typical month's: no referral (one was requested 0 days ago).
  const caseChild = countHistory(await fetchHistory(driver.client, case2));
  return {
    atAfterSalesStart: { events: len(h0), bytes: historyBytes(h0.events ?? []) },
    caseWithReferral: slice(h1, len(h0), len(h1)),
    caseWithoutReferral: slice(h2, len(h1), len(h2)),
    caseChild: { events: caseChild.events, bytes: caseChild.bytes, actions: caseChild.actions },
  };
}

async function revisitProbe(driver: Driver, tag: string, revisits: number) {
  const sent = noneSent();
  const { handle } = await driveToAfterSales(driver, `BR-${tag}`, REVISIT_PROBE_POLICY, sent);
  const deadline = Date.now() + 120_000;
  let history = await handle.fetchHistory();
  // Revisit timers are the only ones that fire in this journey (the others were cancelled).
  while (eventsOfType(history, EventType.EVENT_TYPE_TIMER_FIRED).length < revisits + 1) {
    if (Date.now() > deadline) throw new Error('the revisit probe saw too few revisits');
    await sleep(500);
    history = await handle.fetchHistory();
  }
  await handle.executeUpdate(closeJourneyUpdate, { args: [{ reason: 'bench finished' }] });
  const fired = eventsOfType(history, EventType.EVENT_TYPE_TIMER_FIRED).map(({ index }) => index);
  const first = fired[0]!;
  const last = fired[revisits]!;
  const cycle = slice(history, first, last);
  return {
    revisits,
    perRevisit: {
      events: round(cycle.events / revisits),
      bytes: round(cycle.bytes / revisits),
      actions: round(cycle.actions / revisits),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Parked load

async function latencies(samples: number, call: () => Promise<unknown>, gapMs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
    await sleep(gapMs);
  }
  return times;
}

async function serverResponsiveness(connection: Connection, client: Client, samples: number) {
  // Visibility calls are rate-limited per namespace (10/s by default): space them out.
  const describe = await latencies(
    samples,
    () => connection.workflowService.describeNamespace({ namespace: 'default' }),
    20,
  );
  const count = await latencies(samples, () => client.workflow.count(`ExecutionStatus = 'Running'`), 150);
  return { describeNamespaceMs: summary(describe), countRunningMs: summary(count) };
}

async function parkedLoad(
  driver: Driver,
  connection: Connection,
  worker: RunningWorker,
  sizes: Sizes,
  tag: string,
  maxCachedWorkflows: number,
) {
  const { client } = driver;
  const rssMiB = () => round(residentBytes(worker.pid) / MiB, 1);
  const before = rssMiB();
  const serverBefore = await serverResponsiveness(connection, client, sizes.latencySamples);

  const customerId = (i: number) => `BP-${tag}-${i}`;
  const query = `JourneyStage = 'inquiry' AND ExecutionStatus = 'Running'`;
  /** Starts journeys from…to-1 and waits until all of them ran their first workflow task. */
  const park = async (from: number, to: number) => {
    const parkingStarted = performance.now();
    const started = await runPool(to - from, sizes.parkConcurrency, (i) =>
      client.workflow.start<typeof customerJourney>(CUSTOMER_JOURNEY, {
        taskQueue: driver.taskQueue,
        workflowId: journeyWorkflowId(customerId(from + i)),
        args: [
          {
            customerId: customerId(from + i),
            channel: 'email',
            inquiry: 'Pricing for 50 seats',
            owner: 'sales-7',
            policy: PARKED_POLICY,
          },
        ],
      }),
    );
    if (started.failures.length > 0) throw new Error(`parking failed: ${started.failures[0]}`);
    // Parked = its first workflow task ran: it has upserted its stage and armed its timer.
    const deadline = Date.now() + Math.max(120_000, (to - from) * 150);
    let visible = 0;
    while ((visible = (await client.workflow.count(query)).count) < to) {
      if (Date.now() > deadline) throw new Error(`only ${visible} of ${to} journeys parked`);
      await sleep(250);
    }
    const seconds = (performance.now() - parkingStarted) / 1000;
    await sleep(sizes.settleMs);
    return { visible, seconds };
  };
  // The first few journeys also warm the worker's workflow runtime (its isolate, the bundle, the
  // JIT); the rest show what one more parked journey costs.
  const warm = Math.max(10, Math.round(sizes.parked / 20));
  // The slope is taken while every journey still fits the cache; past it (--long) the worker
  // evicts the least recently used journey for each new one, and its memory should stay flat.
  const cacheEdge = Math.min(sizes.parked, maxCachedWorkflows);
  await park(0, warm);
  const afterWarm = rssMiB();
  const cpuBefore = cpuSeconds(worker.pid);
  const { visible: visibleAtEdge, seconds: edgeSeconds } = await park(warm, cacheEdge);
  const cpuAfter = cpuSeconds(worker.pid);
  const atEdge = rssMiB();
  let visible = visibleAtEdge;
  let beyondSeconds = 0;
  if (sizes.parked > cacheEdge) {
    const beyond = await park(cacheEdge, sizes.parked);
    visible = beyond.visible;
    beyondSeconds = beyond.seconds;
  }
  const after = rssMiB();
  const allParkedSeconds = edgeSeconds + beyondSeconds;
  const serverAfter = await serverResponsiveness(connection, client, sizes.latencySamples);

  const touch = (index: number) =>
    client.workflow.getHandle(journeyWorkflowId(customerId(index))).executeUpdate(registerInquiryUpdate, {
      args: [{ channel: 'phone', summary: 'Calls again about the offer' }],
    });
  const evictedCount = sizes.parked - cacheEdge;
  // Evicted: the oldest journeys (the cache drops the least recently used). Cached: the newest
  // half of the cache, which the evicted samples' own reloads cannot push out.
  const rttEvicted =
    evictedCount > 0
      ? await latencies(
          Math.min(sizes.updateSamples, evictedCount),
          () => touch(Math.floor(Math.random() * evictedCount)),
          0,
        )
      : [];
  const cachedFloor = sizes.parked - Math.floor(cacheEdge / 2);
  const rtt = await latencies(
    sizes.updateSamples,
    () => touch(cachedFloor + Math.floor(Math.random() * (sizes.parked - cachedFloor))),
    0,
  );
  return {
    journeys: sizes.parked,
    startSeconds: round(allParkedSeconds, 1),
    startsPerSecond: round((sizes.parked - warm) / allParkedSeconds, 1),
    workerCpuMsPerStart:
      cpuBefore === undefined || cpuAfter === undefined
        ? null
        : round(((cpuAfter - cpuBefore) * 1000) / (cacheEdge - warm), 1),
    waitingOn: 'first-response timer 30 days away (stage inquiry)',
    workerRssMiB: {
      measured:
        'VmRSS of the worker process (/proc/<pid>/status): a fresh idle worker; after the first journeys ' +
        '(which also load the workflow runtime); with every journey parked',
      before,
      afterFirst: { journeys: warm, rssMiB: afterWarm },
      after,
      perJourneyKiB: round(((atEdge - afterWarm) * 1024) / (cacheEdge - warm), 1),
      atCacheSize: { journeys: cacheEdge, rssMiB: atEdge },
      caveat:
        'an upper bound on what parked journeys need: V8 collects lazily below its heap limit, so part of ' +
        'the growth is garbage left by creating each workflow instance, not the cached journeys themselves',
      cacheHoldsAll: sizes.parked <= maxCachedWorkflows,
    },
    server: { before: serverBefore, after: serverAfter, runningCounted: visible },
    updateRoundTripMs: {
      update: 'registerInquiry',
      target: 'a random journey among the newest half of the cache (cached: no replay)',
      ...summary(rtt),
    },
    eviction:
      evictedCount > 0
        ? {
            cacheSize: maxCachedWorkflows,
            evicted: evictedCount,
            how:
              'parked − cache size: the cache holds maxCachedWorkflows journeys and drops the least ' +
              'recently used one for each journey started past it',
            rssBeyondCacheKiBPerJourney: round(((after - atEdge) * 1024) / evictedCount, 1),
            wakeUpMs: {
              update: 'registerInquiry',
              target:
                'a random evicted journey (among the oldest parked): the worker replays its history first',
              ...summary(rttEvicted),
            },
          }
        : null,
    closedAfterwards: false,
  };
}

/**
 * Worker memory per cached case: standalone cases parked on their first-reply window (4 business
 * hours), measured like the journeys: the RSS slope from a warm few to all of them.
 */
async function parkedCases(driver: Driver, worker: RunningWorker, sizes: Sizes, tag: string) {
  const { client } = driver;
  const rssMiB = () => round(residentBytes(worker.pid) / MiB, 1);
  const count = sizes.parkedCases;
  const query = `WorkflowType = 'afterSalesCase' AND CaseStage = 'awaiting-reply' AND ExecutionStatus = 'Running'`;
  const already = (await client.workflow.count(query)).count;
  const park = async (from: number, to: number) => {
    const started = await runPool(to - from, sizes.parkConcurrency, (i) =>
      client.workflow.start('afterSalesCase', {
        taskQueue: driver.taskQueue,
        workflowId: `case-BC-${tag}-${from + i}`,
        args: [
          {
            customerId: `BC-${tag}-${from + i}`,
            description: 'Screen flickers',
            category: 'technical',
            severity: 'cosmetic',
            channel: 'email',
          },
        ],
      }),
    );
    if (started.failures.length > 0) throw new Error(`parking cases failed: ${started.failures[0]}`);
    const deadline = Date.now() + Math.max(120_000, (to - from) * 150);
    let visible = 0;
    while ((visible = (await client.workflow.count(query)).count) < already + to) {
      if (Date.now() > deadline) throw new Error(`only ${visible - already} of ${to} cases parked`);
      await sleep(250);
    }
    await sleep(sizes.settleMs);
  };
  const warm = Math.max(10, Math.round(count / 20));
  const before = rssMiB();
  await park(0, warm);
  const afterWarm = rssMiB();
  await park(warm, count);
  const after = rssMiB();
  return {
    cases: count,
    waitingOn: 'first-reply window (P4, 4 business hours) and its warning ladder',
    workerRssMiB: {
      before,
      afterFirst: { cases: warm, rssMiB: afterWarm },
      after,
      perCaseKiB: round(((after - afterWarm) * 1024) / (count - warm), 1),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The run

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { sizes, tuning } = options;
  const runName = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  const tag = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const scratch = path.join(ROOT, 'bench', 'out', runName);
  fs.mkdirSync(scratch, { recursive: true });
  log(`${options.mode} run; scratch in ${path.relative(ROOT, scratch)}`);

  const cli = provisionTemporalCli();
  const cliInfo = cli ? describeCli(cli.path) : undefined;
  const benchBundle = path.join(scratch, 'bench-workflows.js');
  const productBundle = path.join(scratch, 'product-workflows.js');
  let server: RunningServer | undefined;
  let worker: RunningWorker | undefined;
  let connection: Connection | undefined;
  let succeeded = false;
  try {
    log('starting the dev server and bundling workflows');
    const [startedServer, , productBundleMs] = await Promise.all([
      startDevServer({
        headless: true,
        dbFile: path.join(scratch, 'temporal.sqlite'),
        logFile: path.join(scratch, 'dev-server.log'),
        searchAttributes: allSearchAttributeKeys,
      }),
      buildBundle(path.join(ROOT, 'bench', 'workflows.ts'), benchBundle),
      buildBundle(path.join(ROOT, 'workflows'), productBundle),
    ]);
    server = startedServer;
    const serverPort = Number(server.address.split(':').pop());
    const serverPid = findDevServerPid(serverPort);
    const outboxDir = path.join(scratch, 'outbox');
    const baseEnv = {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: 'default',
      CJ_INTEGRATION_MODE: 'outbox',
      CJ_OUTBOX_DIR: outboxDir,
      CJ_MAX_CACHED_WORKFLOWS: String(tuning.maxCachedWorkflows),
      CJ_MAX_CONCURRENT_ACTIVITIES: String(tuning.maxConcurrentActivityTaskExecutions),
      CJ_SHUTDOWN_GRACE_SECONDS: '5',
    };
    const workerEnv = workerEnvironment({
      ...baseEnv,
      CJ_TASK_QUEUE: TASK_QUEUE,
      CJ_WORKFLOW_BUNDLE: benchBundle,
    });
    worker = await startWorker(tuning, workerEnv, path.join(scratch, 'worker.log'));
    log(`worker ${worker.pid} polling "${TASK_QUEUE}" (created in ${Math.round(worker.createWorkerMs)} ms)`);
    const appliedTuning = worker.applied;
    if ((Object.keys(tuning) as (keyof WorkerTuning)[]).some((key) => appliedTuning[key] !== tuning[key])) {
      throw new Error(`the worker did not take the tuning: ${JSON.stringify(appliedTuning)}`);
    }
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: 'default' });
    const driver: Driver = { client, taskQueue: TASK_QUEUE };

    // 1. Throughput -------------------------------------------------------------------------
    log(`warm-up: ${sizes.warmup} journey(s)`);
    const warm = await runPool(sizes.warmup, sizes.warmup, (i) =>
      driveJourney(driver, `BW-${tag}-${i}`, HAPPY_PATH_POLICY),
    );
    if (warm.results.length === 0) throw new Error(`warm-up failed: ${warm.failures.join('; ')}`);
    const plan = planFrom(await Promise.all(warm.results.map((driven) => countFamily(client, driven))));
    log(`baseline plan (from the warm-up families): ${JSON.stringify(plan)}`);
    await runPool(sizes.warmup, sizes.warmup, (i) =>
      driveBaseline(driver, `baseline-warm-${tag}-${i}`, plan),
    );

    // Journeys and baseline runs alternate in rounds (J B B J J B…), so load from anything else on
    // the machine falls on both alike; each side's rate is its runs over its own time.
    const load = () => round(os.loadavg()[0]!, 2);
    const loadSamples: number[] = [load()];
    const sides = {
      journey: { results: [] as DrivenJourney[], failures: [] as string[], ms: 0, worker: 0, server: 0 },
      baseline: { results: [] as { ms: number }[], failures: [] as string[], ms: 0, worker: 0, server: 0 },
    };
    const measure = async <T extends { ms: number }>(
      side: { results: T[]; failures: string[]; ms: number; worker: number; server: number },
      count: number,
      task: (index: number) => Promise<T>,
    ) => {
      const worker0 = cpuSeconds(worker?.pid) ?? NaN;
      const server0 = cpuSeconds(serverPid) ?? NaN;
      const pool = await runPool(count, sizes.concurrency, task);
      side.worker += (cpuSeconds(worker?.pid) ?? NaN) - worker0;
      side.server += (cpuSeconds(serverPid) ?? NaN) - server0;
      side.ms += pool.elapsedMs;
      side.results.push(...pool.results);
      side.failures.push(...pool.failures);
      loadSamples.push(load());
    };
    const rounds = sizes.throughputRounds;
    log(
      `throughput: ${sizes.journeys} journeys and ${sizes.journeys} baseline runs in ${rounds} rounds, ${sizes.concurrency} in flight`,
    );
    let journeyIndex = 0;
    let baselineIndex = 0;
    for (let r = 0; r < rounds; r++) {
      const count =
        Math.floor(((r + 1) * sizes.journeys) / rounds) - Math.floor((r * sizes.journeys) / rounds);
      const runJourneys = () =>
        measure(sides.journey, count, () =>
          driveJourney(driver, `BJ-${tag}-${journeyIndex++}`, HAPPY_PATH_POLICY),
        );
      const runBaseline = () =>
        measure(sides.baseline, count, () =>
          driveBaseline(driver, `baseline-${tag}-${baselineIndex++}`, plan),
        );
      if (r % 2 === 0) {
        await runJourneys();
        await runBaseline();
      } else {
        await runBaseline();
        await runJourneys();
      }
    }
    const journeys = sides.journey;
    const baseline = sides.baseline;
    for (const failure of [...journeys.failures, ...baseline.failures].slice(0, 5)) log(`failed: ${failure}`);
    const rate = (side: { results: unknown[]; ms: number }) => side.results.length / (side.ms / 1000);
    const cpuEach = (side: { results: unknown[]; worker: number; server: number }) => {
      const n = Math.max(1, side.results.length);
      return {
        workerCpuMsEach: Number.isFinite(side.worker) ? round((side.worker * 1000) / n, 1) : null,
        serverCpuMsEach: Number.isFinite(side.server) ? round((side.server * 1000) / n, 1) : null,
      };
    };
    const throughput = {
      count: sizes.journeys,
      concurrency: sizes.concurrency,
      rounds,
      order: 'alternating rounds: journeys then baseline, baseline then journeys, …',
      journey: {
        completed: journeys.results.length,
        failed: journeys.failures.length,
        failures: journeys.failures.slice(0, 5),
        seconds: round(journeys.ms / 1000, 1),
        perSecond: round(rate(journeys), 2),
        journeyMs: summary(
          journeys.results.map((driven) => driven.ms),
          0,
        ),
        ...cpuEach(journeys),
      },
      baseline: {
        workflow: 'benchBaseline (bench/baseline-workflow.ts)',
        plan,
        completed: baseline.results.length,
        failed: baseline.failures.length,
        failures: baseline.failures.slice(0, 5),
        seconds: round(baseline.ms / 1000, 1),
        perSecond: round(rate(baseline), 2),
        runMs: summary(
          baseline.results.map((run) => run.ms),
          0,
        ),
        ...cpuEach(baseline),
      },
      ratio: round(rate(journeys) / rate(baseline), 3),
      machineLoad: {
        meaning:
          '1-minute load average of the machine (2 cores) at the start and after each half-round; ' +
          'the bench itself accounts for about 3 (server, worker, driver), more means other work competed',
        samples: loadSamples,
      },
    };
    log(`journeys ${throughput.journey.perSecond}/s, baseline ${throughput.baseline.perSecond}/s`);

    // 2 + 3. Actions and history sizes ------------------------------------------------------
    log('counting actions and history sizes');
    const sample = journeys.results.slice(0, sizes.historySample);
    const baselineWorkflowId = `baseline-${tag}-0`;
    const families = await Promise.all(sample.map((driven) => countFamily(client, driven)));
    const meanOf = (pick: (family: FamilyCount) => HistoryCount) =>
      scaleCount(
        families.map(pick).reduce((total, count) => addCounts(total, count), emptyCount()),
        families.length,
      );
    const family = meanOf((f) => f.family);
    const journeyOnly = meanOf((f) => f.journey);
    const caseOnly = meanOf((f) => f.case);
    const familyMinimum = round(mean(families.map((f) => minimumFor(f.family, 'family'))));
    const caseMinimum = round(mean(families.map((f) => minimumFor(f.case, 'case'))));
    const baselineCount = countHistory(await fetchHistory(client, baselineWorkflowId));
    const familyMessages = family.byKind.update + family.byKind.signal;
    const overMinimum: Record<string, number> = {
      searchAttributeUpserts: family.byKind.searchAttributeUpsert,
      timerReplans: round(family.byKind.timer - sumOf(MINIMUM.timers)),
      quoteApprovalChild: round(family.byKind.childWorkflowStart - 2),
      childReportBackSignals: family.signalsSent,
      activityRetries: round(family.byKind.activityAttempt - family.activitiesScheduled),
      extraActivities: round(
        family.activitiesScheduled -
          (sumOf(MINIMUM.activities) + (family.byActivityType.requestQaReview ?? 0)),
      ),
      otherMessages: round(familyMessages - sumOf(MINIMUM.messages) - family.signalsSent),
    };
    const [biggest, biggestActions] = Object.entries(overMinimum).sort((a, b) => b[1] - a[1])[0]!;
    // Its start (2, billed in the journey) and its report-back signal when it sent one (1, billed in
    // the journey; a case heard through its result sends none).
    const caseEndToEnd = round(caseOnly.actions + 2 + caseOnly.signalsSent);
    const actions = {
      rules:
        'Temporal Cloud: workflow start 1; child workflow start 2 (billed in the parent); timer started 1; ' +
        'signal 1 (where received); update 1 (accepted; rejected ones leave no event, the driver counts them); ' +
        'search-attribute upsert 1 (except one writing only TemporalChangeVersion, exempt; attributes given ' +
        'at start are not billed); activity attempt 1 (ActivityTaskStarted.attempt); continue-as-new 1; ' +
        'queries 1 each, counted by the driver (no event). Source: Temporal Cloud documentation, ' +
        '"Temporal Cloud Actions" (docs.temporal.io/cloud/actions).',
      sampledFamilies: families.length,
      perJourney: {
        description:
          'one happy-path journey (its quote meets the margin policy: approved inside the journey since ' +
          'quote-auto-approval-inline, before in a quoteApproval child) and its afterSalesCase child',
        actions: family.actions,
        min: Math.min(...families.map((f) => f.family.actions)),
        max: Math.max(...families.map((f) => f.family.actions)),
        minimum: familyMinimum,
        overMinimum: round(family.actions - familyMinimum),
        byKind: family.byKind,
        byEventType: family.byEventType,
        byActivityType: family.byActivityType,
        byWorkflow: {
          customerJourney: journeyOnly.actions,
          afterSalesCase: caseOnly.actions,
        },
        queriesByDriver: round(mean(families.map((f) => f.queries))),
        describesByDriver: round(mean(families.map((f) => f.describes))),
        rejectedUpdatesByDriver: round(mean(families.map((f) => f.rejectedUpdates))),
        timersFired: family.timersFired,
        timersCancelled: family.timersCancelled,
        searchAttributeUpsertsByKey: family.upsertKeys,
        upsertsSharingAWorkflowTask: family.upsertsSharingATask,
        upsertsInFirstWorkflowTask: family.upsertsInFirstTask,
        upsertsUnderProposal: family.upsertsUnderProposal,
      },
      perCase: {
        description:
          'the typical case: reported through the journey, resolved with advice, survey answered satisfied (promoter)',
        actionsInItsHistory: caseOnly.actions,
        actionsEndToEnd: caseEndToEnd,
        endToEndIncludes:
          'its history + its start as a child (2, in the journey) + its caseClosed signal when it sends one (1, in the journey; none when the journey hears it through its result)',
        minimum: caseMinimum,
        minimumIncludes:
          'start as a child 2 + resolve 1 + submitFeedback 1 + 6 activities (+ QA review when drawn) + 3 SLA timers',
        byKind: caseOnly.byKind,
        byEventType: caseOnly.byEventType,
        byActivityType: caseOnly.byActivityType,
      },
      minimumDefinition: MINIMUM,
      overMinimumBySource: overMinimum,
      biggestCost: {
        source: biggest,
        actionsPerJourney: biggestActions,
        shareOfJourney: round(biggestActions / family.actions, 3),
        proposal: PROPOSALS[biggest] ?? '',
        ...(biggest === 'searchAttributeUpserts'
          ? {
              upsertsAfterProposal: family.upsertsUnderProposal,
              actionsPerJourneyAfterProposal: round(
                family.actions - family.byKind.searchAttributeUpsert + family.upsertsUnderProposal,
              ),
            }
          : {}),
      },
      baselineRun: { actions: baselineCount.actions, byKind: baselineCount.byKind },
      slaTimersFiredDuringHappyPath: family.timersFired,
    };

    log('long-tail probes (cases and revisits of an after-sales journey)');
    const [caseTail, revisitTail] = await Promise.all([
      caseProbe(driver, tag),
      revisitProbe(driver, tag, sizes.probeRevisits),
    ]);
    const referralExtra = {
      events: caseTail.caseWithReferral.events - caseTail.caseWithoutReferral.events,
      bytes: caseTail.caseWithReferral.bytes - caseTail.caseWithoutReferral.bytes,
      actions: caseTail.caseWithReferral.actions - caseTail.caseWithoutReferral.actions,
    };
    const perMonth = (pick: (s: Slice) => number) =>
      AFTER_SALES_PROFILE.casesPerMonth * pick(caseTail.caseWithoutReferral) +
      AFTER_SALES_PROFILE.revisitsPerMonth * pick(revisitTail.perRevisit) +
      AFTER_SALES_PROFILE.referralsPerMonth * pick(referralExtra);
    const eventsPerMonth = perMonth((s) => s.events);
    const bytesPerMonth = perMonth((s) => s.bytes);
    const months = (limit: number, used: number, rate: number) => round((limit - used) / rate, 1);
    const start = caseTail.atAfterSalesStart;
    const history = {
      bytesAre: 'serialized temporal.api.history.v1.History (protobuf), payloads plain JSON (no codec)',
      perJourney: {
        customerJourney: {
          events: journeyOnly.events,
          bytes: journeyOnly.bytes,
          workflowTasks: journeyOnly.workflowTasks,
        },
        afterSalesCase: {
          events: caseOnly.events,
          bytes: caseOnly.bytes,
          workflowTasks: caseOnly.workflowTasks,
        },
        family: { events: family.events, bytes: family.bytes },
      },
      perCase: { events: caseOnly.events, bytes: caseOnly.bytes },
      longevity: {
        profile: {
          ...AFTER_SALES_PROFILE,
          meaning:
            'one case a month (promoter), one periodic revisit a quarter, a referral at most every 180 days',
        },
        journeyAtAfterSalesStart: start,
        addedToTheJourneyPerCase: caseTail.caseWithoutReferral,
        addedByAReferral: referralExtra,
        addedPerRevisit: revisitTail.perRevisit,
        caseChildHistory: caseTail.caseChild,
        eventsPerMonth: round(eventsPerMonth, 1),
        bytesPerMonth: round(bytesPerMonth),
        // The journey's side (report, child start, report-back, upserts…) plus the case's own history.
        billableActionsPerMonth: round(
          perMonth((s) => s.actions) + AFTER_SALES_PROFILE.casesPerMonth * caseTail.caseChild.actions,
          1,
        ),
        monthsUntilContinueAsNewSuggested: Math.min(
          months(HISTORY_LIMITS.suggestContinueAsNewEvents, start.events, eventsPerMonth),
          months(HISTORY_LIMITS.suggestContinueAsNewBytes, start.bytes, bytesPerMonth),
        ),
        monthsUntilHistoryWarning: Math.min(
          months(HISTORY_LIMITS.warnEvents, start.events, eventsPerMonth),
          months(HISTORY_LIMITS.warnBytes, start.bytes, bytesPerMonth),
        ),
        bindingLimit:
          months(HISTORY_LIMITS.suggestContinueAsNewEvents, start.events, eventsPerMonth) <=
          months(HISTORY_LIMITS.suggestContinueAsNewBytes, start.bytes, bytesPerMonth)
            ? 'event count'
            : 'history size',
        limits: HISTORY_LIMITS,
      },
    };

    // 4. Parked load --------------------------------------------------------------------------
    // A fresh worker, so "before" is an idle worker rather than one that just ran the throughput.
    await worker.stop();
    worker = await startWorker(tuning, workerEnv, path.join(scratch, 'worker-parked.log'));
    await sleep(sizes.settleMs);
    log(`parked load: ${sizes.parked} journeys waiting on timers`);
    const parked = await parkedLoad(driver, connection, worker, sizes, tag, tuning.maxCachedWorkflows);
    log(
      `parked: worker RSS ${parked.workerRssMiB.before} → ${parked.workerRssMiB.after} MiB ` +
        `(${parked.workerRssMiB.perJourneyKiB} KiB per journey)`,
    );
    // Cases on a fresh worker of their own task queue: neither the journeys' memory nor a journey
    // woken by a timer can land in their slope.
    await worker.stop();
    const caseQueue = `${TASK_QUEUE}-parked-cases`;
    worker = await startWorker(
      tuning,
      workerEnvironment({ ...baseEnv, CJ_TASK_QUEUE: caseQueue, CJ_WORKFLOW_BUNDLE: benchBundle }),
      path.join(scratch, 'worker-parked-cases.log'),
    );
    await sleep(sizes.settleMs);
    log(`parked load: ${sizes.parkedCases} cases waiting on their first-reply window`);
    const parkedCaseLoad = await parkedCases({ ...driver, taskQueue: caseQueue }, worker, sizes, tag);
    log(`parked cases: ${parkedCaseLoad.workerRssMiB.perCaseKiB} KiB per case`);

    const outboxLines = fs.existsSync(outboxDir)
      ? Object.fromEntries(
          fs
            .readdirSync(outboxDir)
            .map((file) => [
              file.replace(/\.jsonl$/, ''),
              fs.readFileSync(path.join(outboxDir, file), 'utf8').split('\n').filter(Boolean).length,
            ]),
        )
      : {};
    await worker.stop();
    worker = undefined;

    // 5. The analyst report over many closed cases ----------------------------------------------
    const report = await reportScale({
      client: driver.client,
      connection,
      address: server.address,
      cases: sizes.reportCases,
      tag,
      log,
    });
    log(
      `report: ${report.cases} cases in ${report.listing.seconds} s from the listing ` +
        `(${report.histories.seconds} s one history at a time); same figures: ${report.sameFigures}`,
    );

    // 6. Start-up ---------------------------------------------------------------------------
    log(`worker start-up: ${sizes.startupRuns} run(s) each, prebuilt bundle and bundling at start`);
    const startupEnv = workerEnvironment({
      ...baseEnv,
      CJ_TASK_QUEUE: STARTUP_TASK_QUEUE,
      CJ_WORKFLOW_BUNDLE: productBundle,
    });
    const runs: Record<'prebuilt' | 'bundle', { createWorkerMs: number; processToReadyMs: number }[]> = {
      prebuilt: [],
      bundle: [],
    };
    for (let i = 0; i < sizes.startupRuns; i++) {
      for (const bundling of ['prebuilt', 'bundle'] as const) {
        runs[bundling].push(
          await measureStartup(tuning, bundling, startupEnv, path.join(scratch, `startup-${bundling}.log`)),
        );
      }
    }
    const startupOf = (list: { createWorkerMs: number; processToReadyMs: number }[]) => ({
      createWorkerMs: {
        median: round(median(list.map((r) => r.createWorkerMs)), 0),
        samples: list.map((r) => round(r.createWorkerMs, 0)),
      },
      processToReadyMs: {
        median: round(median(list.map((r) => r.processToReadyMs)), 0),
        samples: list.map((r) => round(r.processToReadyMs, 0)),
      },
    });
    const startup = {
      runs: sizes.startupRuns,
      measured:
        'createWorker(...) until it returns (bundle loaded or built, namespace checked); and from process start until polling',
      prebuiltBundle: startupOf(runs.prebuilt),
      bundlingAtStart: startupOf(runs.bundle),
      bundleBuildMs: round(productBundleMs, 0),
    };

    // 7. The local cluster (--cluster), after everything else on the dev server -------------
    const cluster = options.cluster
      ? await benchCluster({ mode: options.mode, tuning, scratch, bundle: productBundle, tag, log })
      : undefined;

    // The issue's targets in one place (README "Performance" shows them before → after).
    const targets = {
      throughputRatio: throughput.ratio,
      actionsPerJourney: actions.perJourney.actions,
      actionsPerCase: actions.perCase.actionsEndToEnd,
      rssKiBPerCachedJourney: parked.workerRssMiB.perJourneyKiB,
      rssKiBPerCachedCase: parkedCaseLoad.workerRssMiB.perCaseKiB,
      report10kSeconds:
        report.cases >= 10_000 ? round((report.listing.seconds * 10_000) / report.cases, 2) : null,
      reportSecondsPer1000: report.listing.secondsPer1000,
      targets: {
        throughputRatio: '≥ 0.9',
        actionsPerJourney: `≤ ${round(actions.perJourney.minimum * 1.2, 1)} (1.2 × the minimum)`,
        actionsPerCase: '≤ 16',
        rssKiBPerCachedJourney: '≤ 400',
        rssKiBPerCachedCase: '≤ 400',
        report10kSeconds: '< 10 (measured with --long; null otherwise)',
      },
    };
    const results = {
      summary: targets,
      meta: {
        mode: options.mode,
        sizes,
        startedAt: new Date(Date.now() - (performance.now() - startedAt)).toISOString(),
        durationSeconds: round((performance.now() - startedAt) / 1000, 1),
        machine: {
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
          node: process.version,
          temporalSdk: '1.24.0',
        },
        devServer: {
          cli: cliInfo
            ? `temporal ${cliInfo.version} (server ${cliInfo.server})`
            : (server.source ?? 'unknown'),
          startedWith: 'startDevServer (lib/temporal-runtime.ts)',
          persistence:
            'SQLite file in bench/out/<run>/ with journal_mode=wal, synchronous=normal (as npm start)',
          ui: 'off (headless)',
          ip: '127.0.0.1',
          logLevel: 'warn',
          searchAttributes: allSearchAttributeKeys.map((key) => key.name),
          dynamicConfig:
            'defaults (continue-as-new suggested at 4,096 events / 4 MiB; warnings at 10,240 events / 10 MiB)',
        },
        worker: {
          process:
            'forked child (bench/worker-process.ts): createWorker from worker.ts with the real activities',
          integrations: 'OutboxGateway into bench/out/<run>/outbox (nothing leaves the machine)',
          payloads: 'plain JSON (no encryption codec)',
          tuning,
          appliedAsTheSdkCompiledIt: appliedTuning,
          tunedOnTheCommandLine: tuning !== WORKER_TUNING,
          reasons: WORKER_TUNING_REASONS,
          activityRequestsRecorded: outboxLines,
        },
        policy: { happyPath: HAPPY_PATH_POLICY, parked: PARKED_POLICY, revisitProbe: REVISIT_PROBE_POLICY },
        notes: [
          'createWorker (worker.ts) passes only maxCachedWorkflows and maxConcurrentActivityTaskExecutions; ' +
            'the bench worker process adds the workflow-task slots and poller counts by wrapping Worker.create.',
          'The baseline is one workflow doing the same number of activities, timers, updates and signals as a ' +
            'journey family; it starts no children and upserts no search attributes (those are part of what the ratio measures).',
          'The driver sends each message when its workflow is idle (as people answer minutes or days apart), ' +
            'waiting with DescribeWorkflowExecution (not billed) rather than queries (billed); it sends no query.',
          'Parked journeys are left open; the dev server is the bench’s own and is stopped at the end.',
        ],
      },
      throughput,
      actions,
      history,
      parked: { ...parked, cases: parkedCaseLoad },
      report,
      startup,
      ...(cluster ? { cluster } : {}),
    };
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    // Formatted as `npm run lint` (prettier --check .) expects of the committed bench/results.json.
    const prettierOptions = (await prettier.resolveConfig(options.out)) ?? {};
    fs.writeFileSync(
      options.out,
      await prettier.format(JSON.stringify(results), { ...prettierOptions, parser: 'json' }),
    );
    console.log(renderTable(results));
    if (cluster) console.log(`\n${renderClusterTable(cluster, throughput.journey.perSecond)}`);
    log(`results written to ${path.relative(process.cwd(), options.out) || options.out}`);
    succeeded = true;
  } finally {
    await worker?.stop().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    if (succeeded && !options.keepScratch) fs.rmSync(scratch, { recursive: true, force: true });
    else log(`scratch kept in ${path.relative(ROOT, scratch)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
