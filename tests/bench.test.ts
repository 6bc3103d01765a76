/**
 * Smoke test of `npm run bench -- --quick`: the bench runs end to end on a dev server of its own
 * (not the test run's) and writes a results file with every section and numbers that make sense.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const positive = z.number().positive();
const Latency = z.object({ samples: z.number().int().positive(), p50: positive, p99: positive });
const Rate = z.object({ completed: z.number().int().positive(), failed: z.literal(0), perSecond: positive });
const Startup = z.object({
  createWorkerMs: z.object({ median: positive }),
  processToReadyMs: z.object({ median: positive }),
});
const Size = z.object({ events: positive, bytes: positive });

/** What the smoke test relies on in results.json (the file has more). */
const BenchResults = z.object({
  summary: z.object({
    throughputRatio: positive,
    actionsPerJourney: positive,
    actionsPerCase: positive,
    rssKiBPerCachedJourney: z.number(),
    rssKiBPerCachedCase: z.number(),
    report10kSeconds: z.null(),
    reportSecondsPer1000: positive,
  }),
  report: z.object({
    cases: z.number().int().positive(),
    listing: z.object({ seconds: positive }),
    histories: z.object({ cases: z.number().int(), seconds: positive }),
    sameFigures: z.boolean(),
  }),
  meta: z.object({
    mode: z.literal('quick'),
    sizes: z.object({
      parked: z.number().int(),
      parkedCases: z.number().int(),
      reportCases: z.number().int(),
      updateSamples: z.number().int(),
    }),
    worker: z.object({
      tuning: z.object({
        maxCachedWorkflows: positive,
        maxConcurrentWorkflowTaskExecutions: positive,
        maxConcurrentActivityTaskExecutions: positive,
        workflowTaskPollers: positive,
        activityTaskPollers: positive,
      }),
      reasons: z.record(z.string(), z.string().min(20)),
    }),
  }),
  throughput: z.object({ journey: Rate, baseline: Rate, ratio: positive }),
  actions: z.object({
    perJourney: z.object({
      actions: positive,
      minimum: positive,
      byKind: z.record(z.string(), z.number()),
      byActivityType: z.record(z.string(), z.number()),
      byEventType: z.record(z.string(), z.number()),
    }),
    perCase: z.object({ actionsEndToEnd: positive, minimum: positive }),
    overMinimumBySource: z.record(z.string(), z.number()),
    biggestCost: z.object({ source: z.string(), actionsPerJourney: positive, proposal: z.string().min(20) }),
    slaTimersFiredDuringHappyPath: z.number(),
  }),
  history: z.object({
    perJourney: z.object({ customerJourney: Size, afterSalesCase: Size, family: Size }),
    perCase: Size,
    longevity: z.object({
      eventsPerMonth: positive,
      bytesPerMonth: positive,
      monthsUntilContinueAsNewSuggested: positive,
      monthsUntilHistoryWarning: positive,
    }),
  }),
  parked: z.object({
    cases: z.object({ cases: z.number().int().positive() }),
    journeys: z.number().int().positive(),
    workerRssMiB: z.object({ before: positive, after: positive }),
    server: z.object({
      before: z.object({ describeNamespaceMs: Latency, countRunningMs: Latency }),
      after: z.object({ describeNamespaceMs: Latency, countRunningMs: Latency }),
      runningCounted: z.number().int(),
    }),
    updateRoundTripMs: Latency,
  }),
  startup: z.object({ prebuiltBundle: Startup, bundlingAtStart: Startup, bundleBuildMs: positive }),
});

const ROOT = path.resolve(__dirname, '..');

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run bench -- --quick', () => {
  it('measures every section and writes sane results', { timeout: 240_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cj-bench-'));
    const out = path.join(dir, 'results.json');
    try {
      const { code, output } = await runBench(['--quick', '--out', out]);
      expect(code, output.slice(-4_000)).toBe(0);
      expect(output).toContain('1. Throughput');
      const parsed = BenchResults.safeParse(JSON.parse(fs.readFileSync(out, 'utf8')));
      expect(parsed.error?.issues ?? []).toEqual([]);
      const { summary, report, meta, throughput, actions, history, parked, startup } = parsed.data!;

      // The memory guard: twice the target per cached journey and case (3.6 MiB before the
      // workflow modules were shared). Quick mode parks few, so the slope is a rough one.
      expect(summary.rssKiBPerCachedJourney).toBeLessThan(800);
      expect(summary.rssKiBPerCachedCase).toBeLessThan(800);
      expect(report).toMatchObject({ cases: meta.sizes.reportCases, sameFigures: true });
      expect(report.histories.cases).toBe(meta.sizes.reportCases);

      expect(throughput.ratio).toBeGreaterThan(0);
      const journey = actions.perJourney;
      expect(journey.minimum).toBeGreaterThanOrEqual(30);
      expect(journey.actions).toBeGreaterThanOrEqual(journey.minimum);
      // The quote meets the margin policy: the case is the only child (its start billed twice).
      // The proposal is reviewed (an update) and sent to the customer (a message).
      expect(journey.byKind).toMatchObject({ workflowStart: 1, childWorkflowStart: 2, update: 9 });
      expect(journey.byActivityType.notifyCustomer).toBe(6);
      expect(actions.perCase.actionsEndToEnd).toBeGreaterThanOrEqual(actions.perCase.minimum);
      // The happy path never lets an SLA window fire.
      expect(actions.slaTimersFiredDuringHappyPath).toBe(0);

      expect(history.perJourney.customerJourney.events).toBeGreaterThan(
        history.perJourney.afterSalesCase.events,
      );
      expect(history.longevity.monthsUntilHistoryWarning).toBeGreaterThan(
        history.longevity.monthsUntilContinueAsNewSuggested,
      );

      expect(parked.journeys).toBe(meta.sizes.parked);
      expect(parked.server.runningCounted).toBeGreaterThanOrEqual(parked.journeys);
      expect(parked.updateRoundTripMs.samples).toBe(meta.sizes.updateSamples);
      expect(parked.updateRoundTripMs.p99).toBeGreaterThanOrEqual(parked.updateRoundTripMs.p50);

      expect(startup.bundlingAtStart.createWorkerMs.median).toBeGreaterThan(
        startup.prebuiltBundle.createWorkerMs.median,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
