/**
 * The product on a real cluster: the Temporal server 1.29.2 on its own PostgreSQL with SQL
 * visibility (`startCluster`, binaries built by the global setup), and the product's worker twice,
 * as child processes on one task queue, with encrypted payloads and the webhook integration
 * pointed at an idempotent receiver.
 *
 * 1. A journey from the inquiry (through the ingress) to a closed case.
 * 2. A case with a seconds-long first-reply window through its warnings, the breach and the
 *    escalation; the saved views and the analyst report (`npm run report`) on SQL visibility.
 * 3. One worker SIGKILLed under load: nothing lost, nothing twice, the other takes over (how
 *    fast: the sticky queue's timeout).
 * 4. The server restarted mid-journey: the journey carries on from PostgreSQL.
 *
 * Every count and duration is printed (`[reliability] cluster …`).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCluster, type RunningCluster } from '../local/cluster';
import { loadDataConverter } from '../lib/data-converter';
import { IdempotencyStore } from '../lib/ingress/idempotency';
import { buildIngress, REPLAY_HEADER } from '../lib/ingress/server';
import { signedHeaders } from '../lib/ingress/signature';
import type { Report } from '../lib/report/metrics';
import { savedViews } from '../lib/saved-views';
import {
  agentRespondedSignal,
  getCaseQuery,
  getCaseTimelineQuery,
  resolveUpdate,
  submitFeedbackUpdate,
  type CaseResult,
  type CaseView,
} from '../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  deliveryConfirmedSignal,
  getJourneyQuery,
  inquiryAnsweredSignal,
  journeyWorkflowId,
  markLostUpdate,
  signContractUpdate,
  type JourneyResult,
  type JourneyView,
} from '../workflows/customer-journey/contract';
import {
  EventType,
  eventTimeMs,
  historyOf,
  scheduledActivities,
  workflowTaskFailures,
} from './helpers/history';
import {
  durably,
  ALWAYS_OPEN_CALENDAR,
  durableSignal,
  durableUpdate,
  eventually,
  report,
  seconds,
  sleep,
  testCodecKeys,
} from './helpers/reliability';
import { WebhookReceiver } from './helpers/webhook-receiver';
import { WorkerProcess } from './helpers/worker-process';
import { quoteApprovedByPolicy, throughProposal } from './helpers/journey-steps';

const SECRET = 'cluster-ingress-secret-0123456789';
const unique = randomUUID().slice(0, 8);
const taskQueue = `cluster-${unique}`;
const codecKeys = testCodecKeys('cluster-test');

let dir: string;
let cluster: RunningCluster;
let connection: Connection;
let client: Client;
let codec: PayloadCodec;
let receiver: WebhookReceiver;
let workers: WorkerProcess[] = [];
let ingress: FastifyInstance;
let store: IdempotencyStore;
let ingressUrl: string;
/** Every workflow this file started, checked for lost and duplicated effects at the end. */
const watched = new Set<string>();
const facts: Record<string, unknown> = {};

function workerSettings(): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: cluster.address,
    CJ_TASK_QUEUE: taskQueue,
    CJ_WORKFLOW_BUNDLE: inject('temporal').workflowBundlePath,
    CJ_INTEGRATION_MODE: 'webhook',
    CJ_WEBHOOK_URL: receiver.url,
    CJ_CODEC_KEYS: codecKeys,
    CJ_SHUTDOWN_GRACE_SECONDS: '5',
  };
}

const startWorker = (name: string) =>
  WorkerProcess.start({ env: workerSettings(), logFile: path.join(dir, `worker-${name}.log`) });

beforeAll(async () => {
  // Not in the run's folder (private to us): PostgreSQL runs as another user when we are root,
  // and must be able to reach its data folder.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cj-cluster-'));
  fs.chmodSync(dir, 0o755);
  const started = Date.now();
  cluster = await startCluster({
    dataDir: path.join(dir, 'cluster'),
    ui: false,
    log: (line) => fs.appendFileSync(path.join(dir, 'cluster.log'), `${line}\n`),
  });
  facts['cluster start (initdb, schemas, server, namespace) ms'] = Date.now() - started;
  const converter = loadDataConverter({ CJ_CODEC_KEYS: codecKeys });
  codec = converter.codec!;
  connection = await Connection.connect({ address: cluster.address });
  client = new Client({ connection, namespace: cluster.namespace, dataConverter: converter.dataConverter });
  receiver = await WebhookReceiver.start();
  workers = await Promise.all([startWorker('a'), startWorker('b')]);
  store = IdempotencyStore.inMemory();
  ingress = buildIngress({ client, secret: SECRET, taskQueue, idempotency: store });
  ingressUrl = await ingress.listen({ port: 0, host: '127.0.0.1' });
}, 300_000);

afterAll(async () => {
  await Promise.allSettled(workers.map((worker) => worker.stop()));
  await ingress?.close();
  await store?.close();
  await receiver?.close();
  await connection?.close();
  await cluster?.stop();
  report('cluster', facts);
  fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

// ---------------------------------------------------------------------------------------------
// Calls

async function post(target: string, body: unknown, key: string = randomUUID()) {
  const raw = JSON.stringify(body);
  const response = await fetch(`${ingressUrl}${target}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signedHeaders(SECRET, { method: 'POST', path: target, idempotencyKey: key, body: raw }),
    },
    body: raw,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, response };
}

const updateId = (handle: WorkflowHandle, name: string) => `${handle.workflowId}:${name}`;

function view<T>(
  handle: WorkflowHandle,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
) {
  return eventually(`${handle.workflowId}: ${what}`, read, { accept, timeoutMs: 120_000, intervalMs: 250 });
}
const caseView = (handle: WorkflowHandle, accept: (value: CaseView) => boolean, what: string) =>
  view(handle, () => handle.query(getCaseQuery), accept, what);
const journeyView = (handle: WorkflowHandle, accept: (value: JourneyView) => boolean, what: string) =>
  view(handle, () => handle.query(getJourneyQuery), accept, what);

async function resultOf<T>(handle: WorkflowHandle): Promise<T> {
  return await eventually(`${handle.workflowId} to complete`, () => handle.result() as Promise<T>, {
    timeoutMs: 180_000,
  });
}

/** From the first inquiry to a signed contract and the delivery: the journey is in after-sales. */
async function journeyToAfterSales(handle: WorkflowHandle, contractId: string): Promise<void> {
  await durableSignal(() => handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7' }));
  await throughProposal(durably(handle));
  // 40 % margin: approved by policy in its quoteApproval child.
  await quoteApprovedByPolicy(durably(handle));
  await journeyView(handle, (current) => current.stage === 'negotiation', 'the approved quote');
  await durableUpdate(
    handle,
    signContractUpdate,
    [{ contractId, terms: { warrantyUntil: '2030-12-31', contractEnd: '2030-12-31' } }],
    updateId(handle, 'contract'),
  );
  await durableSignal(() => handle.signal(deliveryConfirmedSignal, {}));
  await journeyView(handle, (current) => current.stage === 'after-sales', 'the delivery');
}

// ---------------------------------------------------------------------------------------------

describe('the product on a Temporal cluster (PostgreSQL, SQL visibility) with two workers', () => {
  const customer = (name: string) => `C-CL-${unique}-${name}`;

  it('runs a journey from the inquiry through the ingress to a closed case', async () => {
    const started = Date.now();
    const customerId = customer('journey');
    const inquiry = await post('/v1/journeys/inquiries', {
      customerId,
      channel: 'email',
      inquiry: 'Booking system for 40 clinics',
      owner: 'sales-7',
      // Every case of this journey is drawn for QA, so the saved view below is certain.
      policy: { calendar: ALWAYS_OPEN_CALENDAR, case: { qaSampleRate: 1 } },
    });
    expect(inquiry).toMatchObject({ status: 200, body: { created: true, stage: 'inquiry' } });
    const handle = client.workflow.getHandle(journeyWorkflowId(customerId));
    watched.add(handle.workflowId);
    await journeyToAfterSales(handle, 'K-CL-1');

    const issue = await post(`/v1/journeys/${customerId}/issues`, {
      description: 'Booking page down',
      category: 'technical',
      severity: 'service-outage',
    });
    expect(issue).toMatchObject({ status: 201, body: { priority: 'P2' } });
    const { caseWorkflowId } = issue.body as { caseWorkflowId: string };
    watched.add(caseWorkflowId);
    const caseHandle = client.workflow.getHandle(caseWorkflowId);
    const casePath = `/v1/cases/${encodeURIComponent(caseWorkflowId)}`;
    expect(await post(`${casePath}/agent-responses`, { agentId: 'agent-7' })).toMatchObject({ status: 202 });
    await caseView(caseHandle, (current) => current.stage === 'in-progress', 'the first reply');
    await durableUpdate(
      caseHandle,
      resolveUpdate,
      [{ type: 'advice', note: 'cache cleared' }],
      updateId(caseHandle, 'resolve'),
    );
    const feedback = { csat: 5, nps: 9, resolved: true };
    const answered = await post(`${casePath}/feedback`, feedback, `survey-${unique}`);
    expect(answered).toMatchObject({ status: 200, body: { outcome: 'closed', satisfied: true } });
    // The survey tool retries: same key, the first answer again, no second effect.
    const retried = await post(`${casePath}/feedback`, feedback, `survey-${unique}`);
    expect(retried.body).toEqual(answered.body);
    expect(retried.response.headers.get(REPLAY_HEADER)).toBe('true');

    expect(await resultOf<CaseResult>(caseHandle)).toMatchObject({
      outcome: 'closed-satisfied',
      priority: 'P2',
      promoter: true,
      qaSampled: true,
    });
    await journeyView(
      handle,
      (current) => current.cases.length === 1 && current.cases[0]!.status === 'closed',
      'the case report',
    );
    await durableUpdate(
      handle,
      closeJourneyUpdate,
      [{ reason: 'contract fulfilled' }],
      updateId(handle, 'close'),
    );
    expect(await resultOf<JourneyResult>(handle)).toMatchObject({
      outcome: 'closed',
      contractId: 'K-CL-1',
      casesOpened: 1,
    });
    const read = await fetch(`${ingressUrl}${casePath}`, {
      headers: signedHeaders(SECRET, { method: 'GET', path: casePath }),
    });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ stage: 'closed', feedback: { csat: 5 } });
    facts['journey inquiry → closed case ms'] = Date.now() - started;
  });

  it('takes a case through warnings, breach and escalation; saved views and the report read SQL visibility', async () => {
    const started = Date.now();
    const breachCustomer = customer('breach');
    const handle = await client.workflow.start('afterSalesCase', {
      taskQueue,
      workflowId: `case-${breachCustomer}`,
      args: [
        {
          customerId: breachCustomer,
          description: 'Booking page down for every clinic',
          category: 'technical',
          severity: 'service-outage',
          scope: 'many-customers',
          // First reply due in 4 seconds: warnings at 2, 3 and 3.6 s, the breach at 4 s. Never in
          // the QA sample, so the report's sample is exactly the first test's case (rate 1).
          policy: { firstReply: { P1: seconds(4) }, qaSampleRate: 0 },
        },
      ],
    });
    watched.add(handle.workflowId);
    // A prospect waiting for a first response, and one lost to a competitor.
    const waiting = await client.workflow.start('customerJourney', {
      taskQueue,
      workflowId: journeyWorkflowId(customer('waiting')),
      args: [{ customerId: customer('waiting'), channel: 'phone', inquiry: 'Interested' }],
    });
    const lost = await client.workflow.start('customerJourney', {
      taskQueue,
      workflowId: journeyWorkflowId(customer('lost')),
      args: [{ customerId: customer('lost'), channel: 'email', inquiry: 'Comparing offers' }],
    });
    watched.add(waiting.workflowId);
    watched.add(lost.workflowId);
    await durableUpdate(lost, markLostUpdate, [{ reason: 'competitor' }], updateId(lost, 'lost'));

    const breached = await caseView(handle, (current) => current.slaBreached, 'the breach');
    // The breach climbed the ladder: the specialist team owns the case now.
    expect(breached).toMatchObject({
      priority: 'P1',
      stage: 'awaiting-reply',
      team: 'specialist-team',
      escalationLevel: 'specialist-team',
    });
    const timeline = await handle.query(getCaseTimelineQuery);
    const ladder = timeline.entries
      .filter(
        (entry) => entry.window === 'first-reply' && ['sla-warned', 'sla-breached'].includes(entry.type),
      )
      .map((entry) => (entry.type === 'sla-warned' ? `warned ${String(entry.data?.percent)} %` : entry.type));
    expect(ladder).toEqual(['warned 50 %', 'warned 75 %', 'warned 90 %', 'sla-breached']);

    // Saved views, scoped to this test's customers.
    const names = ['journey', 'breach', 'waiting', 'lost'];
    const scope = `CustomerId IN (${names.map((name) => `'${customer(name)}'`).join(', ')})`;
    const expected: Record<string, string[]> = {
      'Open P1 cases': [`case-${breachCustomer}`],
      'Due within 2 hours': [`case-${breachCustomer}`],
      'Breached SLAs this week': [`case-${breachCustomer}`],
      'Escalated and open': [`case-${breachCustomer}`],
      'Unsatisfied revisits': [],
      'Overdue revisits': [],
      'QA sample this week': [`${journeyWorkflowId(customer('journey'))}/case-1`],
      'Assisted replies awaiting review': [],
      'Carrier claims not settled': [],
      'Closed without a resolution this week': [],
      'Open cases of one team': [],
      'A-grade customers’ open cases': [],
      'Customers at SLA risk': [],
      'Repeat issues this week': [],
      'Cases of one customer': [`case-${breachCustomer}`],
      'Inquiries waiting for a first response': [waiting.workflowId],
      'Deliveries running late': [],
      'Root-cause analyses overdue': [],
      'Lost prospects this week': [lost.workflowId],
    };
    const views = savedViews(new Date(), breachCustomer, 'logistics-desk');
    expect(views.map((entry) => entry.name).sort()).toEqual(Object.keys(expected).sort());
    for (const savedView of views) {
      const found = await eventually(
        `saved view "${savedView.name}"`,
        async () => {
          const ids: string[] = [];
          for await (const execution of client.workflow.list({
            query: `(${savedView.query}) AND ${scope}`,
          })) {
            ids.push(execution.workflowId);
          }
          return ids.sort();
        },
        { accept: (ids) => ids.join() === [...expected[savedView.name]!].sort().join(), timeoutMs: 30_000 },
      );
      expect(found, savedView.name).toEqual([...expected[savedView.name]!].sort());
    }

    // Late answer, resolution, a satisfied customer: the case closes with its breach on record.
    await durableSignal(() => handle.signal(agentRespondedSignal, { agentId: 'agent-7' }));
    await caseView(handle, (current) => current.stage === 'in-progress', 'the late first reply');
    await durableUpdate(
      handle,
      resolveUpdate,
      [{ type: 'advice', note: 'restarted' }],
      updateId(handle, 'resolve'),
    );
    await durableUpdate(
      handle,
      submitFeedbackUpdate,
      [{ csat: 4, nps: 7, resolved: true }],
      updateId(handle, 'feedback'),
    );
    expect(await resultOf<CaseResult>(handle)).toMatchObject({
      outcome: 'closed-satisfied',
      slaBreached: true,
      breachedWindows: ['first-reply'],
      escalated: true,
    });

    // The analyst report, as `npm run report` runs it against this cluster.
    const reported = await eventually(
      'npm run report to list both closed cases',
      () =>
        runReport([
          '--format',
          'json',
          '--days',
          '1',
          '--min-answers',
          '1',
          '--query',
          `CustomerId IN ('${customer('journey')}', '${breachCustomer}')`,
        ]),
      { accept: (current) => current.collection.read === 2, timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(reported.overall.slaCompliance.byWindow['first-reply']).toMatchObject({
      met: 1,
      missed: 1,
      rate: 0.5,
    });
    expect(reported.overall.outcomes['closed-satisfied']).toBe(2);
    expect(reported.overall.escalation.count).toBe(1);
    expect(reported.overall.csat).toMatchObject({ answers: 2, average: 4.5 });
    expect(reported.overall.qaSampled).toBe(1);
    expect(reported.qaSample).toHaveLength(1);
    for (const journey of [waiting]) {
      await durableUpdate(
        journey,
        closeJourneyUpdate,
        [{ reason: 'test finished' }],
        updateId(journey, 'close'),
      );
    }
    facts['breach case, saved views and report ms'] = Date.now() - started;
  });

  it('loses and duplicates nothing when one of the two workers is SIGKILLed under load', async () => {
    const started = Date.now();
    const count = 10;
    const cases = await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const handle = await client.workflow.start('afterSalesCase', {
          taskQueue,
          workflowId: `case-${customer(`load-${index}`)}`,
          args: [
            {
              customerId: customer(`load-${index}`),
              description: 'Invoices do not download',
              category: 'technical',
              channel: 'email',
            },
          ],
        });
        watched.add(handle.workflowId);
        return handle;
      }),
    );
    const resolved = new Set<string>();
    const drive = async (handle: WorkflowHandle, index: number): Promise<CaseResult> => {
      await sleep(index * 300);
      await durableSignal(() => handle.signal(agentRespondedSignal, { agentId: 'agent-7' }));
      await caseView(handle, (current) => current.stage === 'in-progress', 'the first reply');
      await durableUpdate(
        handle,
        resolveUpdate,
        [{ type: 'advice', note: 'fixed' }],
        updateId(handle, 'resolve'),
      );
      resolved.add(handle.workflowId);
      await durableUpdate(
        handle,
        submitFeedbackUpdate,
        [{ csat: 5, resolved: true }],
        updateId(handle, 'feedback'),
      );
      return await resultOf<CaseResult>(handle);
    };
    const runs = cases.map((handle, index) => drive(handle, index));
    // Mid-load: some cases resolved, the rest still to be driven.
    await eventually('a third of the cases resolved', () => Promise.resolve(resolved.size), {
      accept: (done) => done >= Math.ceil(count / 3),
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    const [victim, survivor] = workers as [WorkerProcess, WorkerProcess];
    const resolvedBeforeKill = resolved.size;
    const killedAt = Date.now();
    await victim.kill();
    const results = await Promise.all(runs);
    expect(survivor.exited).toBe(false);
    for (const result of results) expect(result).toMatchObject({ outcome: 'closed-satisfied' });

    // Takeover: for each case whose workflow task came due after the kill while it was cached on
    // the killed worker, the time until the survivor started it.
    const takeovers: number[] = [];
    let activitiesRetried = 0;
    let lastClosedAfterKill = 0;
    for (const handle of cases) {
      const events = await historyOf(client, handle.workflowId);
      // Activities the killed worker had started: retried once their start-to-close timeout ran out.
      activitiesRetried += events.filter(
        (event) => (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
      ).length;
      const closed = events.find(
        (event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
      );
      if (closed) lastClosedAfterKill = Math.max(lastClosedAfterKill, eventTimeMs(closed) - killedAt);
      expect(workflowTaskFailures(events), handle.workflowId).toEqual([]);
      const victimTag = `${victim.pid}@`;
      let lastOnVictim = -1;
      events.forEach((event, index) => {
        const identity = event.workflowTaskStartedEventAttributes?.identity ?? '';
        if (identity.startsWith(victimTag) && eventTimeMs(event) <= killedAt) lastOnVictim = index;
      });
      if (lastOnVictim < 0) continue;
      const scheduled = events.findIndex(
        (event, index) =>
          index > lastOnVictim &&
          event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED &&
          eventTimeMs(event) >= killedAt - 1_000,
      );
      const takenOver = events.findIndex(
        (event, index) =>
          index > scheduled &&
          event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED &&
          (event.workflowTaskStartedEventAttributes?.identity ?? '').startsWith(`${survivor.pid}@`),
      );
      if (scheduled >= 0 && takenOver >= 0) {
        takeovers.push(Math.round(eventTimeMs(events[takenOver]!) - eventTimeMs(events[scheduled]!)));
      }
    }
    expect(takeovers.length).toBeGreaterThan(0);
    // The SDK's sticky queue waits 10 s for the worker that cached the workflow, then the task
    // goes to the shared queue; a task started on the dead worker times out after 10 s too.
    expect(Math.max(...takeovers)).toBeLessThan(40_000);
    takeovers.sort((a, b) => a - b);
    facts['kill: cases under load'] = count;
    facts['kill: resolved before the kill'] = resolvedBeforeKill;
    facts['kill: activities retried after the kill (running on the killed worker)'] = activitiesRetried;
    facts['kill: last case closed, ms after the kill'] = Math.round(lastClosedAfterKill);
    facts['kill: cases cached on the killed worker and taken over'] = takeovers.length;
    facts['kill: takeover ms (task due → started by the survivor), min / median / max'] =
      `${takeovers[0]} / ${takeovers[Math.floor(takeovers.length / 2)]} / ${takeovers[takeovers.length - 1]}`;
    facts['kill test ms'] = Date.now() - started;
  });

  it('carries a journey on across a restart of the server', async () => {
    const started = Date.now();
    const customerId = customer('restart');
    const handle = await client.workflow.start('customerJourney', {
      taskQueue,
      workflowId: journeyWorkflowId(customerId),
      args: [
        {
          customerId,
          channel: 'email',
          inquiry: 'Booking system for 12 clinics',
          owner: 'sales-7',
          policy: { calendar: ALWAYS_OPEN_CALENDAR, followUpCadence: ['4s', '30d'] },
        },
      ],
    });
    watched.add(handle.workflowId);
    await durableSignal(() => handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7' }));
    await throughProposal(durably(handle));
    await quoteApprovedByPolicy(durably(handle));
    const before = await journeyView(handle, (current) => current.stage === 'negotiation', 'the quote');

    // The follow-up comes due 4 s into negotiation, around the restart: from the timer the
    // server kept in PostgreSQL, not from anything a worker remembers.
    const restarting = Date.now();
    await cluster.restartServer();
    const downMs = Date.now() - restarting;
    const after = await journeyView(
      handle,
      (current) => current.followUp.tasksCreated > before.followUp.tasksCreated,
      'the follow-up that came due around the restart',
    );
    expect(after).toMatchObject({
      stage: 'negotiation',
      quotes: before.quotes,
      requirements: before.requirements,
    });
    await durableUpdate(
      handle,
      signContractUpdate,
      [{ contractId: 'K-CL-R', terms: { warrantyUntil: '2030-12-31', contractEnd: '2030-12-31' } }],
      updateId(handle, 'contract'),
    );
    await durableSignal(() => handle.signal(deliveryConfirmedSignal, {}));
    await journeyView(handle, (current) => current.stage === 'after-sales', 'the delivery');
    await durableUpdate(handle, closeJourneyUpdate, [{ reason: 'done' }], updateId(handle, 'close'));
    expect(await resultOf<JourneyResult>(handle)).toMatchObject({ outcome: 'closed', contractId: 'K-CL-R' });
    const survivors = workers.filter((worker) => !worker.exited);
    expect(survivors.length).toBeGreaterThan(0);
    facts['server restart: down (stop → serving again) ms'] = downMs;
    facts['server restart: journey test ms'] = Date.now() - started;
  });

  it('made every side effect of every workflow exactly once', async () => {
    const requested = new Set<string>();
    // Quote approvals are children of the journeys, with side effects of their own.
    const approvals: string[] = [];
    for (const workflowId of watched) {
      if (!workflowId.startsWith('journey-') || workflowId.includes('/')) continue;
      const journey = await client.workflow.getHandle(workflowId).query(getJourneyQuery);
      approvals.push(...journey.quotes.flatMap((quote) => quote.approvalWorkflowId ?? []));
    }
    const workflows = [...watched, ...approvals];
    for (const workflowId of workflows) {
      const events = await historyOf(client, workflowId);
      expect(workflowTaskFailures(events), workflowId).toEqual([]);
      for (const activity of await scheduledActivities(events, codec)) {
        const key = String(activity.request.idempotencyKey);
        expect(activity.completed, `${activity.activityType} ${key}`).toBe(true);
        expect(requested.has(key), `${key} scheduled twice`).toBe(false);
        requested.add(key);
      }
    }
    const lost = [...requested].filter((key) => !receiver.effects.has(key));
    const unexplained = [...receiver.effects.keys()].filter((key) => !requested.has(key));
    expect(lost).toEqual([]);
    expect(unexplained).toEqual([]);
    expect(receiver.conflicts).toEqual([]);
    const effectsPerKey = new Map<string, number>();
    for (const delivery of receiver.deliveries) {
      if (delivery.outcome === 'effect')
        effectsPerKey.set(delivery.key, (effectsPerKey.get(delivery.key) ?? 0) + 1);
    }
    expect([...effectsPerKey.values()].every((effects) => effects === 1)).toBe(true);
    facts['workflows checked'] = workflows.length;
    facts['side effects (distinct idempotency keys)'] = receiver.effects.size;
    facts['deliveries received / duplicates absorbed'] =
      `${receiver.deliveries.length} / ${receiver.replays}`;
    facts['lost / duplicated'] = `${lost.length} / 0`;
  });
});

/** `npm run report` (scripts/report.ts) against the cluster, its JSON parsed. */
async function runReport(args: string[]): Promise<Report> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/report.ts', ...args], {
    cwd: path.resolve(__dirname, '..'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: cluster.namespace,
      CJ_CODEC_KEYS: codecKeys,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`npm run report exited with ${code}: ${stderr}`);
  return JSON.parse(stdout) as Report;
}
