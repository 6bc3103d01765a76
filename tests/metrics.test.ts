/**
 * Metrics end to end: the product's worker (a child process, CJ_METRICS_PORT set) on the run's dev
 * server, a real Prometheus (provisioned like the Temporal servers) scraping it every second with
 * the shipped alert rules loaded, and promtool.
 *
 * - The SDK's runtime telemetry of our task queue reaches Prometheus while a case with a
 *   seconds-long first-reply window breaches.
 * - Business metrics (recorded by a probe workflow calling `workflows/kernel/metrics.ts`, until
 *   the product workflows call it) reach Prometheus, once per event: a new worker that replays
 *   the probe's first half does not count it again.
 * - The alert rules load healthy, pass `promtool check rules` and their unit tests; every
 *   dashboard expression parses and evaluates, and every metric the dashboard and the alerts
 *   read is one a worker serves.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleWorkflows } from '../lib/bundle';
import { provisionPrometheus, type PrometheusBinaries } from '../local/prometheus/provision';
import { startPrometheus, type RunningPrometheus } from '../local/prometheus/server';
import { freePort } from '../local/temporal-runtime';
import { agentRespondedSignal, getCaseQuery } from '../workflows/after-sales-case/contract';
import { METRIC_NAMES } from '../workflows/kernel/metrics';
import { EscalatedKey, SlaBreachedKey } from '../workflows/kernel/search-attributes';
import { continueProbeSignal } from './fixtures/metrics-probe-workflow';
import {
  ALERT_TESTS_FILE,
  ALERTS_FILE,
  asGrafanaSends,
  dashboardExpressions,
  metricNamesIn,
  ruleExpressions,
  scrape,
  total,
  type Series,
} from './helpers/metrics';
import { eventually, report } from './helpers/reliability';
import { WorkerProcess } from './helpers/worker-process';

const JOB = 'customer-journey-worker';
const unique = randomUUID().slice(0, 8);
const taskQueue = `metrics-${unique}`;

let dir: string;
let binaries: PrometheusBinaries;
let prometheus: RunningPrometheus;
let worker: WorkerProcess;
let metricsAddress: string;
let bundlePath: string;
let connection: Connection;
let client: Client;
/** Every series name any worker of this file served, for the dashboard and alert checks. */
const served = new Set<string>();
const timings: Record<string, string> = {};

function workerSettings(): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: inject('temporal').devServer.address,
    CJ_TASK_QUEUE: taskQueue,
    CJ_WORKFLOW_BUNDLE: bundlePath,
    CJ_OUTBOX_DIR: path.join(dir, 'outbox'),
    CJ_METRICS_PORT: metricsAddress.split(':')[1]!,
    CJ_SHUTDOWN_GRACE_SECONDS: '2',
  };
}

async function startWorker(): Promise<WorkerProcess> {
  return await WorkerProcess.start({ env: workerSettings(), logFile: path.join(dir, 'worker.log') });
}

async function scrapeAndRemember(): Promise<Series[]> {
  const series = await scrape(metricsAddress);
  for (const entry of series) served.add(entry.name);
  return series;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(inject('temporal').runDir, 'metrics-'));
  const provisioning = Date.now();
  binaries = await provisionPrometheus();
  timings['prometheus provisioning (cached by the global setup) ms'] = String(Date.now() - provisioning);
  const bundle = await bundleWorkflows(path.join(__dirname, 'fixtures', 'metrics-workflows.ts'));
  bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  metricsAddress = `127.0.0.1:${await freePort()}`;
  worker = await startWorker();
  const starting = Date.now();
  prometheus = await startPrometheus({
    binary: binaries.prometheus,
    dir: path.join(dir, 'prometheus'),
    jobs: [{ name: JOB, targets: [metricsAddress] }],
    ruleFiles: [ALERTS_FILE],
  });
  timings['prometheus start to ready ms'] = String(Date.now() - starting);
  connection = await Connection.connect({ address: inject('temporal').devServer.address });
  client = new Client({ connection });
});

afterAll(async () => {
  await worker?.stop();
  await prometheus?.stop();
  await connection?.close();
  report('metrics', timings);
});

describe('the worker metrics endpoint scraped by Prometheus', () => {
  it('carries the runtime telemetry of our task queue while a case breaches its first-reply window', async () => {
    await eventually(
      'Prometheus to scrape the worker',
      async () => (await prometheus.api.targets()).filter((target) => target.job === JOB),
      { accept: (targets) => targets.length === 1 && targets[0]!.health === 'up', timeoutMs: 30_000 },
    );
    // A P1 outage whose first reply is due in under two seconds (0.0005 h): it breaches and
    // climbs its ladder while the worker runs.
    const handle = await client.workflow.start('afterSalesCase', {
      taskQueue,
      workflowId: `case-C-MET-${unique}`,
      args: [
        {
          customerId: `C-MET-${unique}`,
          description: 'Booking page down for every clinic',
          category: 'technical',
          severity: 'service-outage',
          scope: 'many-customers',
          policy: { firstReply: { P1: { hours: 0.0005, basis: 'calendar' } } },
        },
      ],
    });
    // Watched the way ops watch it, through its search attributes: the server answers, not the
    // worker, so nothing but the case's own timers runs on the worker while the ladder climbs.
    await eventually(
      'the first-reply window to breach and escalate',
      async () => (await handle.describe()).typedSearchAttributes,
      {
        accept: (attributes) =>
          attributes.get(SlaBreachedKey) === true && attributes.get(EscalatedKey) === true,
        timeoutMs: 60_000,
      },
    );
    const view = await handle.query(getCaseQuery);
    expect(view.clocks.find((clock) => clock.window === 'first-reply')).toMatchObject({ breached: true });
    expect(view.escalationLevel).not.toBe('none');
    await handle.signal(agentRespondedSignal, { agentId: 'agent-7' });

    const queue = `task_queue="${taskQueue}"`;
    const telemetry = {
      'workflow tasks started (schedule-to-start samples)': `sum(temporal_workflow_task_schedule_to_start_latency_count{${queue}})`,
      'workflow task executions': `sum(temporal_workflow_task_execution_latency_count{${queue}})`,
      'activities executed': `sum(temporal_activity_execution_latency_count{${queue}})`,
      'workflow pollers': `sum(temporal_num_pollers{${queue},poller_type="workflow_task"})`,
    };
    const values = await eventually(
      'the runtime telemetry of the case in Prometheus',
      async () =>
        Object.fromEntries(
          await Promise.all(
            Object.entries(telemetry).map(async ([name, expr]) => [name, await prometheus.api.sum(expr)]),
          ),
        ) as Record<keyof typeof telemetry, number>,
      { accept: (current) => Object.values(current).every((value) => value > 0), timeoutMs: 30_000 },
    );
    const p95 = await prometheus.api.sum(
      `histogram_quantile(0.95, sum by (le) (temporal_workflow_task_schedule_to_start_latency_bucket{${queue}}))`,
    );
    // Durations are in seconds (useSecondsForDurations), so a local dev server's p95 is well under 10.
    expect(p95).toBeGreaterThan(0);
    expect(p95).toBeLessThan(10);
    await scrapeAndRemember();
    for (const [name, value] of Object.entries(values)) timings[name] = String(value);
    timings['workflow task schedule-to-start p95 s'] = p95.toFixed(3);

    // The case's own business events, counted by the case itself once each: opened, its first
    // reply window past 90 % and breached, the escalation, the late reply.
    const tags = `taskQueue="${taskQueue}",workflowType="afterSalesCase"`;
    const window = `${tags},window="first-reply",priority="P1"`;
    const business = {
      opened: `sum(${METRIC_NAMES.caseOpened}_total{${tags},priority="P1"})`,
      warnedAt90: `sum(${METRIC_NAMES.slaWindowWarned}_total{${window},percent="90"})`,
      breached: `sum(${METRIC_NAMES.slaWindowBreached}_total{${window}})`,
      escalatedToSpecialists: `sum(${METRIC_NAMES.caseEscalated}_total{${tags},level="specialist-team"})`,
      fulfilledLate: `sum(${METRIC_NAMES.slaWindowFulfilled}_total{${window},late="true"})`,
    };
    const counted = await eventually(
      'the case’s breach and late reply in Prometheus',
      async () =>
        Object.fromEntries(
          await Promise.all(
            Object.entries(business).map(async ([name, expr]) => [name, await prometheus.api.sum(expr)]),
          ),
        ) as Record<keyof typeof business, number>,
      { accept: (current) => current.fulfilledLate === 1, timeoutMs: 30_000 },
    );
    expect(counted).toEqual({
      opened: 1,
      warnedAt90: 1,
      breached: 1,
      escalatedToSpecialists: 1,
      fulfilledLate: 1,
    });
  });

  it('carries each business event once, also across a new worker that replays the workflow', async () => {
    const handle = await client.workflow.start('metricsProbe', {
      taskQueue,
      workflowId: `metrics-probe-${unique}`,
    });
    const queue = `taskQueue="${taskQueue}",workflowType="metricsProbe"`;
    // The first half: a P1 first-reply window warned at 50/75/90 %, breached and escalated.
    await eventually(
      'the first half of the probe in Prometheus',
      () => prometheus.api.sum(`sum(${METRIC_NAMES.slaWindowBreached}_total{${queue}})`),
      { accept: (value) => value === 1, timeoutMs: 30_000 },
    );
    expect(
      await prometheus.api.query(`sum by (percent) (${METRIC_NAMES.slaWindowWarned}_total{${queue}})`),
    ).toEqual(
      expect.arrayContaining(
        ['50', '75', '90'].map((percent) => ({ metric: { percent }, value: 1 })) as unknown[],
      ),
    );
    expect(
      await prometheus.api.query(
        `${METRIC_NAMES.caseEscalated}_total{${queue},level="specialist-team",team="senior-engineers"}`,
      ),
    ).toHaveLength(1);
    await scrapeAndRemember();

    // A crash: the next worker (same endpoint) has never seen the probe; the signal makes it
    // replay the first half from history before it runs the second.
    await worker.kill();
    worker = await startWorker();
    await handle.signal(continueProbeSignal);
    expect(await handle.result()).toBe('done');

    const fresh = await eventually('the second half on the new worker', () => scrapeAndRemember(), {
      accept: (series) => total(series, `${METRIC_NAMES.caseClosed}_total`, { taskQueue }) === 1,
      timeoutMs: 30_000,
    });
    // Replayed, not recorded: the new worker's counters hold only what it executed itself.
    expect(total(fresh, `${METRIC_NAMES.slaWindowBreached}_total`, { taskQueue })).toBe(0);
    expect(total(fresh, `${METRIC_NAMES.slaWindowWarned}_total`, { taskQueue })).toBe(0);
    expect(total(fresh, `${METRIC_NAMES.caseEscalated}_total`, { taskQueue })).toBe(0);
    expect(total(fresh, `${METRIC_NAMES.feedbackReceived}_total`, { taskQueue })).toBe(2);

    const probe = `{${queue}}`;
    // Prometheus 3 stores bucket bounds as floats (le="3.0"), Prometheus 2 as scraped (le="3"):
    // the dashboard and these queries match both.
    const business = await eventually(
      'the second half in Prometheus',
      async () => ({
        closedSatisfied: await prometheus.api.sum(
          `sum(${METRIC_NAMES.caseClosed}_total{${queue},outcome="closed-satisfied"})`,
        ),
        csatAnswers: await prometheus.api.sum(`sum(${METRIC_NAMES.feedbackCsat}_count${probe})`),
        meanCsat: await prometheus.api.sum(
          `sum(${METRIC_NAMES.feedbackCsat}_sum${probe}) / sum(${METRIC_NAMES.feedbackCsat}_count${probe})`,
        ),
        unsatisfiedCsat: await prometheus.api.sum(
          `sum(${METRIC_NAMES.feedbackCsat}_bucket{${queue},le=~"3|3.0"})`,
        ),
        promoters: await prometheus.api.sum(
          `sum(${METRIC_NAMES.feedbackNps}_count${probe}) - sum(${METRIC_NAMES.feedbackNps}_bucket{${queue},le=~"8|8.0"})`,
        ),
        lostToCompetitor: await prometheus.api.sum(
          `sum(${METRIC_NAMES.journeyEnded}_total{${queue},outcome="lost",reason="competitor"})`,
        ),
        lateFulfilments: await prometheus.api.sum(
          `sum(${METRIC_NAMES.slaWindowFulfilled}_total{${queue},late="true"})`,
        ),
      }),
      { accept: (current) => current.closedSatisfied === 1, timeoutMs: 30_000 },
    );
    expect(business).toEqual({
      closedSatisfied: 1,
      csatAnswers: 2,
      meanCsat: 3.5,
      unsatisfiedCsat: 1,
      promoters: 1,
      lostToCompetitor: 1,
      lateFulfilments: 1,
    });
    // No customer, case or workflow id in any label of our metrics.
    const labels = new Set(
      fresh.filter((entry) => entry.name.startsWith('cj_')).flatMap((entry) => Object.keys(entry.labels)),
    );
    expect([...labels].sort()).toEqual(
      expect.arrayContaining(['namespace', 'taskQueue', 'team', 'workflowType']),
    );
    for (const label of labels) expect(label).not.toMatch(/customer|workflowId|runId|case|id$/i);
  });
});

describe('a wrong metrics setting', () => {
  it('stops the worker at start with a message naming the setting', async () => {
    const taken = prometheus.url.split(':').pop()!;
    for (const [value, message] of [
      [taken, `CJ_METRICS_PORT / CJ_METRICS_HOST: cannot serve metrics on 127.0.0.1:${taken}`],
      ['nine', 'CJ_METRICS_PORT: must be a port number (1-65535)'],
    ] as const) {
      const failed = await WorkerProcess.start({ env: { ...workerSettings(), CJ_METRICS_PORT: value } }).then(
        () => 'started',
        (error: Error) => error.message,
      );
      expect(failed).toContain(message);
    }
  });
});

describe('the shipped alert rules and dashboard', () => {
  it('every alert rule loads healthy in Prometheus, passes promtool check rules and its unit tests', async () => {
    const expected = ruleExpressions().map((rule) => rule.alert);
    const rules = await eventually('every rule to be evaluated', () => prometheus.api.rules(), {
      accept: (loaded) =>
        loaded.length === expected.length && loaded.every((rule) => rule.health !== 'unknown'),
      timeoutMs: 30_000,
    });
    expect(rules.map((rule) => rule.name).sort()).toEqual([...expected].sort());
    for (const rule of rules) {
      expect({ rule: rule.name, health: rule.health, error: rule.lastError }).toEqual({
        rule: rule.name,
        health: 'ok',
        error: undefined,
      });
    }
    const check = spawnSync(binaries.promtool, ['check', 'rules', ALERTS_FILE], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const unit = spawnSync(binaries.promtool, ['test', 'rules', ALERT_TESTS_FILE], { encoding: 'utf8' });
    expect(unit.status, unit.stdout + unit.stderr).toBe(0);
    expect(unit.stdout).toContain('SUCCESS');
  });

  it('every dashboard expression parses and evaluates, and reads only metrics a worker serves', async () => {
    const expressions = dashboardExpressions();
    expect(expressions.length).toBeGreaterThan(20);
    const refused: string[] = [];
    for (const { where, expr } of expressions) {
      await prometheus.api.query(asGrafanaSends(expr)).catch((error: Error) => {
        refused.push(`${where}: ${error.message}`);
      });
    }
    expect(refused).toEqual([]);

    // The probe has recorded every business metric and the case ran activities; `up` is
    // Prometheus's own. A name the worker never serves is a typo that would show an empty panel.
    const known = new Set([...served, 'up']);
    const unknown = [
      ...expressions.flatMap(({ where, expr }) => metricNamesIn(expr).map((name) => `${where}: ${name}`)),
      ...ruleExpressions().flatMap(({ alert, expr }) =>
        metricNamesIn(expr).map((name) => `alert ${alert}: ${name}`),
      ),
    ].filter((entry) => !known.has(entry.split(': ')[1]!));
    expect(unknown).toEqual([]);
    timings['dashboard expressions checked'] = String(expressions.length);
  });
});
