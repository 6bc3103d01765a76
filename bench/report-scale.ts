/**
 * The analyst report at scale: `npm run report`'s collection over many closed cases, timed on the
 * bench's own dev server.
 *
 * The cases are created cheaply: a worker of the bench's own runs a stand-in `afterSalesCase`
 * (bench/report-fixture-workflow.ts) that completes at once with the result it is started with,
 * and each is started with that result in its memo under `caseReport`, where a real case writes
 * it when it closes. So each costs one start and one workflow task instead of a whole case, and
 * the report cannot tell them from real ones. Their figures are drawn from a seeded generator
 * (priorities, teams, windows, CSAT, NPS), no personal data.
 *
 * Measured: the report from the listing (memos, 1,000 per page), the same report read one history
 * at a time (the path of cases closed before memos), whether both give the same figures, and the
 * time per 1,000.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../lib/bundle';
import { generateReport } from '../lib/report/generate';
import { CASE_REPORT_MEMO, CaseResult } from '../workflows/after-sales-case/contract';
import { runPool } from './driver';

const ROOT = path.resolve(__dirname, '..');

/** A small deterministic generator, so every bench run reports on the same figures. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** One closed case's figures, checked against the schema the report reads them with. */
function syntheticResult(index: number, tag: string, random: () => number, now: Date): CaseResult {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const priority = pick(['P1', 'P2', 'P3', 'P4'] as const);
  const budgetMs = { P1: 2, P2: 4, P3: 8, P4: 24 }[priority] * 3_600_000;
  const consumedMs = Math.round(budgetMs * random() * 1.3);
  const breached = consumedMs > budgetMs;
  const satisfied = random() < 0.85;
  const closedAt = new Date(now.getTime() - Math.floor(random() * 6 * 86_400_000));
  const openedAt = new Date(closedAt.getTime() - 2 * 86_400_000);
  return CaseResult.parse({
    caseId: `case-RS-${tag}-${index}`,
    customerId: `RS-${tag}-${index % 997}`,
    outcome: satisfied ? 'closed-satisfied' : 'closed-unsatisfied',
    priority,
    channel: pick(['phone', 'email', 'online-chat', 'social', 'walk-in'] as const),
    category: pick(['technical', 'logistics', 'quality', 'service', 'other'] as const),
    severity: pick(['service-outage', 'function-failure', 'cosmetic'] as const),
    team: pick([
      'technical-support',
      'senior-engineers',
      'logistics-desk',
      'customer-care',
      'quality-team',
    ] as const),
    firstResponseMs: consumedMs,
    resolutionMs: consumedMs * 4,
    windows: [
      {
        window: 'first-reply',
        basis: 'business',
        budgetMs,
        consumedMs,
        pausedMs: 0,
        breached,
        state: 'fulfilled',
      },
    ],
    resolutionType: pick(['advice', 'repair', 'replace', 'refund'] as const),
    csat: satisfied ? pick([4, 5] as const) : pick([1, 2, 3] as const),
    nps: Math.floor(random() * 11),
    promoter: false,
    reopenCount: random() < 0.1 ? 1 : 0,
    slaBreached: breached,
    breachedWindows: breached ? ['first-reply'] : [],
    escalated: breached,
    qaSampled: random() < 0.2,
    openedAt: openedAt.toISOString(),
    closedAt: closedAt.toISOString(),
  });
}

export interface ReportScale {
  cases: number;
  createdIn: { seconds: number; perSecond: number; how: string };
  listing: { seconds: number; secondsPer1000: number; pages: number };
  histories: { cases: number; seconds: number; secondsPer1000: number };
  sameFigures: boolean;
  /** Parts of the report where the two paths disagree (none when the figures are the same). */
  differing: string[];
  projection: string;
}

export async function reportScale(options: {
  client: Client;
  connection: Connection;
  address: string;
  cases: number;
  tag: string;
  log: (line: string) => void;
}): Promise<ReportScale> {
  const { client, cases, tag, log } = options;
  const taskQueue = `report-scale-${tag}`;
  const bundle = await bundleWorkflows(path.join(ROOT, 'bench', 'report-fixture-workflow.ts'));
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { code: bundle.code },
    maxConcurrentWorkflowTaskExecutions: 20,
  });
  const random = seeded(20_261_207);
  const now = new Date();
  const extraQuery = `TaskQueue = '${taskQueue}'`;
  try {
    return await worker.runUntil(async () => {
      log(`report scale: creating ${cases} closed cases`);
      const created = await runPool(
        cases,
        50,
        async (index) => {
          const result = syntheticResult(index, tag, random, now);
          await client.workflow.start('afterSalesCase', {
            taskQueue,
            workflowId: `${result.caseId}`,
            args: [result],
            memo: { [CASE_REPORT_MEMO]: result },
          });
        },
        1_800_000,
      );
      if (created.failures.length > 0) throw new Error(`creating cases failed: ${created.failures[0]}`);
      const from = new Date(now.getTime() - 3_600_000);
      const closedQuery = () =>
        client.workflow.count(
          `WorkflowType = 'afterSalesCase' AND ExecutionStatus = 'Completed' AND ${extraQuery}`,
        );
      const deadline = Date.now() + 600_000;
      while ((await closedQuery()).count < cases) {
        if (Date.now() > deadline) throw new Error('the report-scale cases did not all complete');
        await sleep(500);
      }
      const createdSeconds = created.elapsedMs / 1000;
      const to = new Date(Date.now() + 60_000);

      log(`report scale: the report over ${cases} cases from the listing`);
      const listingStarted = performance.now();
      // The cases alone: the pre-sales figures and the analyses are listings of their own (journeys,
      // analyses) that grow with their pages the same way, and the bench's parked journeys would
      // be counted in this timing.
      const scope = { from, to, extraQuery, withoutPresales: true, withoutAnalyses: true };
      const listing = await generateReport(client, scope);
      const listingSeconds = (performance.now() - listingStarted) / 1000;

      log(`report scale: the same ${cases} cases read one history at a time`);
      const historiesStarted = performance.now();
      const viaHistories = await generateReport(client, { ...scope, ignoreMemo: true });
      const historiesSeconds = (performance.now() - historiesStarted) / 1000;
      const comparable = (report: typeof listing) => JSON.stringify({ ...report, generatedAt: undefined });
      const differing = Object.keys(listing).filter(
        (key) =>
          key !== 'generatedAt' &&
          JSON.stringify(listing[key as keyof typeof listing]) !==
            JSON.stringify(viaHistories[key as keyof typeof viaHistories]),
      );
      if (differing.length > 0) {
        log(
          `report scale: the two paths differ in ${differing.join(', ')}: ` +
            JSON.stringify(
              differing.map((key) => [
                listing[key as keyof typeof listing],
                viaHistories[key as keyof typeof viaHistories],
              ]),
            ).slice(0, 1500),
        );
      }
      const per1000 = (listingSeconds * 1000) / cases;
      return {
        cases,
        createdIn: {
          seconds: Math.round(createdSeconds * 10) / 10,
          perSecond: Math.round((cases / createdSeconds) * 10) / 10,
          how:
            'a stand-in afterSalesCase (bench/report-fixture-workflow.ts) that completes at once with its input, ' +
            'started with the same CaseResult in its memo (caseReport), as real cases write it at close',
        },
        listing: {
          seconds: Math.round(listingSeconds * 100) / 100,
          secondsPer1000: Math.round(per1000 * 100) / 100,
          pages: Math.ceil(cases / 1000),
        },
        histories: {
          cases: viaHistories.collection.read,
          seconds: Math.round(historiesSeconds * 100) / 100,
          secondsPer1000:
            Math.round(((historiesSeconds * 1000) / Math.max(1, viaHistories.collection.read)) * 100) / 100,
        },
        sameFigures: comparable(viaHistories) === comparable(listing) && listing.collection.read === cases,
        differing,
        projection:
          `${Math.round(per1000 * 100 * 10) / 10} s for 100,000 cases at this machine's rate: the listing is ` +
          'one visibility page per 1,000 cases, so the time grows with pages; a cluster on PostgreSQL serves ' +
          'pages from its visibility tables at a similar cost per page',
      };
    });
  } finally {
    await connection.close();
  }
}
