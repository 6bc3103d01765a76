/**
 * Crashes and restarts lose nothing and duplicate nothing.
 *
 * On a dev server of this file's own (SQLite in the run's folder, so it can be restarted), the
 * product's worker runs as a real child process (`node --import tsx worker.ts`) with encrypted
 * payloads and the webhook integration pointed at a local idempotent HTTP receiver. Journeys
 * and cases with policy windows of seconds are driven through the client while the worker is
 * killed with SIGKILL at chosen points (requests held at the receiver, timers coming due while
 * no worker runs, updates accepted and not completed) and at random ones, a fresh worker process
 * being started each time. At the end every workflow has the result its scenario calls for, and
 * the receiver saw every request of every workflow's history exactly once as an effect, however
 * many copies the retries delivered.
 *
 * The second test restarts the dev server itself (SIGTERM, then the same SQLite file and port)
 * in the middle of a journey, with a timer coming due while it is down.
 *
 * `CJ_RELIABILITY_LONG=1`: three copies of every scenario and ten random kills instead of two.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadDataConverter } from '../lib/data-converter';
import { freePort, startDevServer, type RunningServer } from '../local/temporal-runtime';
import {
  agentRespondedSignal,
  closeCaseUpdate,
  getCaseQuery,
  getCaseTimelineQuery,
  repairCompletedSignal,
  resolveUpdate,
  submitFeedbackUpdate,
  type CaseResult,
  type CaseView,
  type Resolve,
  type ResolveResult,
  type SubmitFeedback,
} from '../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  customerRespondedSignal,
  deliveryConfirmedSignal,
  getJourneyQuery,
  journeyWorkflowId,
  markLostUpdate,
  submitPresalesFeedbackUpdate,
  newInquirySignal,
  recordNeedsUpdate,
  registerInquiryUpdate,
  reportIssueUpdate,
  signContractUpdate,
  submitProposalUpdate,
  reviewProposalUpdate,
  submitQuoteUpdate,
  type JourneyInput,
  type JourneyResult,
  type JourneyView,
} from '../workflows/customer-journey/contract';
import { allSearchAttributeKeys } from '../workflows/kernel/search-attributes';
import {
  acceptedUncompletedUpdates,
  count,
  EventType,
  historiesOfEveryRun,
  historyOf,
  pendingTimers,
  pendingTimersAt,
  scheduledActivities,
  workflowTaskFailures,
} from './helpers/history';
import {
  ALWAYS_OPEN_CALENDAR,
  durableSignal,
  durableUpdate,
  eventually,
  LONG,
  quickOrLong,
  report,
  seconds,
  sleep,
  testCodecKeys,
} from './helpers/reliability';
import { WebhookReceiver } from './helpers/webhook-receiver';
import { WorkerProcess } from './helpers/worker-process';

const COPIES = quickOrLong(1, 3);
const RANDOM_KILLS = quickOrLong(2, 10);

let dir: string;
let port: number;
let dbFile: string;
let server: RunningServer;
let connection: Connection;
let client: Client;
let codec: PayloadCodec;
const codecKeys = testCodecKeys();

async function startServer(): Promise<RunningServer> {
  return await startDevServer({
    port,
    headless: true,
    dbFile,
    logFile: path.join(dir, 'dev-server.log'),
    searchAttributes: allSearchAttributeKeys,
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(inject('temporal').runDir, 'crash-restart-'));
  dbFile = path.join(dir, 'temporal.sqlite');
  port = await freePort();
  server = await startServer();
  const converter = loadDataConverter({ CJ_CODEC_KEYS: codecKeys });
  codec = converter.codec!;
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, dataConverter: converter.dataConverter });
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
});

function workerSettings(taskQueue: string, webhookUrl: string): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: server.address,
    CJ_TASK_QUEUE: taskQueue,
    CJ_WORKFLOW_BUNDLE: inject('temporal').workflowBundlePath,
    CJ_INTEGRATION_MODE: 'webhook',
    CJ_WEBHOOK_URL: webhookUrl,
    CJ_CODEC_KEYS: codecKeys,
    CJ_SHUTDOWN_GRACE_SECONDS: '5',
    // Longer than the test needs to kill the worker while a request is held at the receiver
    // (under 30 s, the activities' start-to-close timeout).
    CJ_WEBHOOK_TIMEOUT_MS: '25000',
  };
}

// ---------------------------------------------------------------------------------------------
// Kills, and what each one interrupted

interface KillRecord {
  label: string;
  /** Answers the receiver still owed the killed worker (its requests in flight). */
  httpInFlight: number;
  /** Activities the server had handed out and not seen finish. */
  pendingActivities: number;
  /** Timers started in workflow code and not fired yet. */
  pendingTimers: number;
  /** Updates accepted by a workflow and not completed. */
  openUpdates: number;
  downMs: number;
}

/** Runs the worker process, kills it and starts a new one, and records what each kill cut. */
class Chaos {
  worker: WorkerProcess | undefined;
  readonly kills: KillRecord[] = [];
  starts = 0;

  constructor(
    private readonly settings: Record<string, string>,
    private readonly receiver: WebhookReceiver,
    private readonly watched: () => string[],
  ) {}

  async start(): Promise<void> {
    this.worker = await WorkerProcess.start({
      env: this.settings,
      logFile: path.join(dir, `worker-${this.settings.CJ_TASK_QUEUE}.log`),
    });
    this.starts += 1;
  }

  /** SIGKILL now; then a new worker process after `downMs`. */
  async killAndRestart(label: string, downMs: number): Promise<KillRecord> {
    const httpInFlight = this.receiver.inFlight;
    await this.worker!.kill();
    const snapshot = await this.snapshot(Date.now());
    this.receiver.releaseHeld();
    const record: KillRecord = { label, httpInFlight, ...snapshot, downMs };
    this.kills.push(record);
    await sleep(downMs);
    await this.start();
    return record;
  }

  /** What was under way when the worker died (timers by their event times: some fire meanwhile). */
  private async snapshot(killedAt: number): Promise<Omit<KillRecord, 'label' | 'httpInFlight' | 'downMs'>> {
    let activities = 0;
    let timers = 0;
    let updates = 0;
    await Promise.all(
      this.watched().map(async (workflowId) => {
        const handle = client.workflow.getHandle(workflowId);
        const [description, events] = await Promise.all([handle.describe(), historyOf(client, workflowId)]);
        activities += description.raw.pendingActivities?.length ?? 0;
        timers += pendingTimersAt(events, killedAt);
        updates += acceptedUncompletedUpdates(events).length;
      }),
    );
    return { pendingActivities: activities, pendingTimers: timers, openUpdates: updates };
  }

  async stop(): Promise<void> {
    await this.worker?.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Client calls that ride out a dead worker

function query<T>(
  handle: WorkflowHandle,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
) {
  return eventually(`${handle.workflowId}: ${what}`, read, { accept, timeoutMs: 150_000, intervalMs: 300 });
}

const caseView = (handle: WorkflowHandle, accept: (view: CaseView) => boolean, what: string) =>
  query(handle, () => handle.query(getCaseQuery), accept, what);
const journeyView = (handle: WorkflowHandle, accept: (view: JourneyView) => boolean, what: string) =>
  query(handle, () => handle.query(getJourneyQuery), accept, what);

/** Each update of a test gets its own id, kept across retries. */
const updateId = (handle: WorkflowHandle, name: string) => `${handle.workflowId}:${name}`;

const resolve = (handle: WorkflowHandle, request: Resolve, round = 1): Promise<ResolveResult> =>
  durableUpdate(handle, resolveUpdate, [request], updateId(handle, `resolve-${round}`));
const feedback = (handle: WorkflowHandle, answer: SubmitFeedback, round = 1) =>
  durableUpdate(handle, submitFeedbackUpdate, [answer], updateId(handle, `feedback-${round}`));
const answerCase = (handle: WorkflowHandle) =>
  durableSignal(() => handle.signal(agentRespondedSignal, { agentId: 'agent-7' }));

/** The result of a workflow, however long kills and retries take (up to `timeoutMs`). */
async function resultOf<T>(handle: WorkflowHandle, timeoutMs = 240_000): Promise<T> {
  return await eventually(`${handle.workflowId} to complete`, () => handle.result() as Promise<T>, {
    timeoutMs,
  });
}

/** Short windows: first reply in 6 s and revisit in 3 s (their ladders fire), the rest by default. */
function fastCasePolicy(extra: Record<string, unknown> = {}) {
  const reply = seconds(6);
  return { firstReply: { P1: reply, P2: reply, P3: reply, P4: reply }, revisit: seconds(3), ...extra };
}

function journeyInput(customerId: string): JourneyInput {
  return {
    customerId,
    channel: 'email',
    inquiry: 'Booking system for 40 clinics',
    owner: 'sales-7',
    policy: {
      calendar: ALWAYS_OPEN_CALENDAR,
      firstResponse: { email: '2s' },
      followUpCadence: ['3s', '30d'],
      case: fastCasePolicy(),
    },
  };
}

type CaseKind = 'satisfied' | 'refund' | 'no-feedback' | 'reopened' | 'repair';

interface CaseScenario {
  kind: CaseKind;
  handle: WorkflowHandle;
  expected: Partial<CaseResult>;
  /** The customer notifications (`notify-customer`) the case must have sent, once each. */
  notifications: string[];
}

function caseScenario(kind: CaseKind, handle: WorkflowHandle): CaseScenario {
  const id = handle.workflowId;
  const note = (step: string) => `${id}/customer/${step}`;
  switch (kind) {
    case 'satisfied':
      return {
        kind,
        handle,
        expected: { outcome: 'closed-satisfied', resolutionType: 'advice', promoter: true },
        notifications: [note('case-received'), note('advice/1'), note('closed')],
      };
    case 'refund':
      return {
        kind,
        handle,
        expected: { outcome: 'closed-satisfied', resolutionType: 'refund' },
        notifications: [note('case-received'), note('refund/1'), note('closed')],
      };
    case 'no-feedback':
      return {
        kind,
        handle,
        expected: { outcome: 'closed-no-feedback', resolutionType: 'advice' },
        notifications: [note('case-received'), note('advice/1'), note('closed')],
      };
    case 'reopened':
      return {
        kind,
        handle,
        expected: { outcome: 'closed-satisfied', reopenCount: 1, resolutionType: 'advice' },
        notifications: [note('case-received'), note('advice/1'), note('advice/2'), note('closed')],
      };
    case 'repair':
      return {
        kind,
        handle,
        expected: { outcome: 'closed-satisfied', resolutionType: 'repair' },
        notifications: [note('case-received'), note('repair/1'), note('closed')],
      };
  }
}

describe('a worker killed with SIGKILL', () => {
  it(
    'at many points loses no workflow, sends every notification once and completes every scenario',
    async () => {
      const started = Date.now();
      const unique = randomUUID().slice(0, 8);
      const taskQueue = `crash-${unique}`;
      const receiver = await WebhookReceiver.start();
      const watched: string[] = [];
      const chaos = new Chaos(workerSettings(taskQueue, receiver.url), receiver, () => watched);
      try {
        await chaos.start();

        // --- Kill 1: with timers pending. Every case is triaged and its SLA watcher sleeps until
        // the next ladder step of its 6-second first-reply window; the rest of the ladder (and
        // the journeys' 2-second first-response windows) come due while no worker runs.
        const kinds: CaseKind[] = ['satisfied', 'refund', 'no-feedback', 'reopened', 'repair'];
        const cases: CaseScenario[] = [];
        for (let copy = 1; copy <= COPIES; copy++) {
          for (const kind of kinds) {
            const workflowId = `case-C-CR-${unique}-${kind}-${copy}`;
            const handle = await client.workflow.start('afterSalesCase', {
              taskQueue,
              workflowId,
              args: [
                {
                  customerId: `C-CR-${unique}-${copy}`,
                  description: `crash test: ${kind}`,
                  category: 'technical',
                  channel: 'email',
                  policy: fastCasePolicy(kind === 'no-feedback' ? { noFeedbackCloseHours: 10 / 3600 } : {}),
                },
              ],
            });
            watched.push(workflowId);
            cases.push(caseScenario(kind, handle));
          }
        }
        const won: WorkflowHandle[] = [];
        const lost: WorkflowHandle[] = [];
        for (let copy = 1; copy <= COPIES; copy++) {
          for (const [list, label] of [
            [won, 'won'],
            [lost, 'lost'],
          ] as const) {
            const customerId = `C-CRJ-${unique}-${label}-${copy}`;
            const handle = await client.workflow.start('customerJourney', {
              taskQueue,
              workflowId: journeyWorkflowId(customerId),
              args: [journeyInput(customerId)],
            });
            watched.push(handle.workflowId);
            list.push(handle);
          }
        }
        // Triaged, and the SLA watcher asleep on its timer.
        await Promise.all(
          cases.map(({ handle }) =>
            eventually(`${handle.workflowId}: a timer pending`, () => historyOf(client, handle.workflowId), {
              accept: (events) => pendingTimers(events) >= 1,
              timeoutMs: 120_000,
            }),
          ),
        );
        const kill1 = await chaos.killAndRestart(
          'with timers pending (SLA ladders, first-response windows)',
          5_000,
        );
        expect(kill1.pendingTimers).toBeGreaterThanOrEqual(1);

        // --- Kill 2: during activities. Three cases are answered and resolved with advice; the
        // messaging system is slow (its answer would come after the worker's timeout) and the
        // worker dies while the notifications are in flight: the resolve updates are accepted,
        // their handlers wait on the activities.
        await Promise.all(cases.map(({ handle }) => answerCase(handle)));
        receiver.rule = (request) =>
          request.key.includes('/customer/advice/') ? { kind: 'accept', delayMs: 60_000 } : undefined;
        const resolutions = new Map<WorkflowHandle, Promise<ResolveResult>>();
        const firstRound = cases.filter(({ kind }) =>
          ['satisfied', 'no-feedback', 'reopened'].includes(kind),
        );
        await Promise.all(
          firstRound.map(async ({ handle }) => {
            await caseView(handle, (view) => view.stage === 'in-progress', 'the first reply');
            resolutions.set(handle, resolve(handle, { type: 'advice', note: 'restarted the router' }));
          }),
        );
        await eventually(
          'the advice notifications in flight at the slow receiver',
          () => Promise.resolve(receiver.inFlight),
          {
            accept: (open) => open >= firstRound.length,
            timeoutMs: 60_000,
          },
        );
        receiver.rule = undefined;
        const kill2 = await chaos.killAndRestart(
          'during activities (slow receiver: advice notifications)',
          1_000,
        );
        expect(kill2.httpInFlight).toBeGreaterThanOrEqual(firstRound.length);
        expect(kill2.pendingActivities).toBeGreaterThanOrEqual(firstRound.length);

        // --- Kill 3: between an update's acceptance and its completion. The refund and the
        // repair order are taken by the receiver, their answers held: the resolve updates are
        // accepted, their handlers wait on the activities.
        receiver.rule = (request) =>
          ['issue-refund', 'schedule-repair'].includes(request.operation)
            ? { kind: 'accept', hold: true }
            : undefined;
        const secondRound = cases.filter(({ kind }) => kind === 'refund' || kind === 'repair');
        for (const { kind, handle } of secondRound) {
          await caseView(handle, (view) => view.stage === 'in-progress', 'the first reply');
          resolutions.set(
            handle,
            resolve(handle, kind === 'refund' ? { type: 'refund' } : { type: 'repair', mode: 'in-store' }),
          );
        }
        await eventually(
          'the refunds and repair orders held at the receiver',
          () => Promise.resolve(receiver.heldCount('issue-refund') + receiver.heldCount('schedule-repair')),
          { accept: (held) => held === secondRound.length, timeoutMs: 60_000 },
        );
        receiver.rule = undefined;
        const kill3 = await chaos.killAndRestart('between update acceptance and completion (resolve)', 1_000);
        expect(kill3.openUpdates).toBeGreaterThanOrEqual(secondRound.length);

        // --- Journeys to the contract; kill 4 while the contract's handoff is held (an accepted
        // signContract update waits on the customer-archive sync).
        const lostRuns = lost.map(async (handle) => {
          await journeyView(
            handle,
            (view) => view.firstResponse?.breached === true,
            'the first-response breach',
          );
          await durableUpdate(handle, markLostUpdate, [{ reason: 'competitor' }], updateId(handle, 'lost'));
          // A lost journey stays open for the pre-sales survey; the customer answers at once.
          await durableUpdate(
            handle,
            submitPresalesFeedbackUpdate,
            [{ csat: 3 }],
            updateId(handle, 'survey'),
          );
          return await resultOf<JourneyResult>(handle);
        });
        await Promise.all(
          won.map(async (handle) => {
            await durableUpdate(
              handle,
              recordNeedsUpdate,
              [
                {
                  requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }],
                },
              ],
              updateId(handle, 'needs'),
            );
            await durableUpdate(
              handle,
              submitProposalUpdate,
              [{ alternatives: [{ id: 'A', title: 'Cloud plan' }] }],
              updateId(handle, 'proposal'),
            );
            await durableUpdate(
              handle,
              reviewProposalUpdate,
              [{ decision: 'approve', reviewer: 'sales-lead' }],
              updateId(handle, 'review'),
            );
            await durableUpdate(
              handle,
              submitQuoteUpdate,
              [{ alternativeId: 'A', price: 100_000, cost: 60_000, currency: 'CNY' }],
              updateId(handle, 'quote'),
            );
            // The quote is approved by policy; the follow-up timer (3 s) creates a CRM task.
            await journeyView(
              handle,
              (view) => view.stage === 'negotiation' && view.followUp.tasksCreated >= 1,
              'the approved quote and its first follow-up',
            );
          }),
        );
        receiver.rule = (request) =>
          request.operation === 'sync-customer-archive' ? { kind: 'accept', hold: true } : undefined;
        const contracts = won.map((handle, index) =>
          durableUpdate(
            handle,
            signContractUpdate,
            [
              {
                contractId: `K-${index + 1}`,
                terms: { warrantyUntil: '2030-12-31', contractEnd: '2030-12-31' },
              },
            ],
            updateId(handle, 'contract'),
          ),
        );
        await eventually(
          'the archive syncs held at the receiver',
          () => Promise.resolve(receiver.heldCount('sync-customer-archive')),
          {
            accept: (held) => held === won.length,
            timeoutMs: 60_000,
          },
        );
        receiver.rule = undefined;
        const kill4 = await chaos.killAndRestart(
          'between update acceptance and completion (signContract)',
          1_000,
        );
        expect(kill4.openUpdates).toBeGreaterThanOrEqual(won.length);

        // --- Every scenario to its end while the worker keeps being killed at random moments.
        let finished = false;
        const randomKills = (async () => {
          for (let kill = 1; kill <= RANDOM_KILLS && !finished; kill++) {
            await sleep(quickOrLong(3_000, 1_500) + Math.random() * quickOrLong(5_000, 2_500));
            if (finished) break;
            await chaos.killAndRestart(`random #${kill}`, 500 + Math.random() * 1_500);
          }
        })();

        const caseRuns = cases.map(async (scenario): Promise<CaseResult> => {
          const { kind, handle } = scenario;
          switch (kind) {
            case 'satisfied':
              expect(await resolutions.get(handle)).toMatchObject({ status: 'resolved' });
              expect(await feedback(handle, { csat: 5, nps: 9, resolved: true })).toMatchObject({
                outcome: 'closed',
              });
              break;
            case 'no-feedback':
              expect(await resolutions.get(handle)).toMatchObject({ status: 'resolved' });
              break;
            case 'reopened':
              expect(await resolutions.get(handle)).toMatchObject({ status: 'resolved' });
              expect(await feedback(handle, { csat: 2, resolved: false })).toMatchObject({
                outcome: 'reopened',
              });
              await caseView(
                handle,
                (view) => view.stage === 'in-progress' && view.reopenCount === 1,
                'the reopening',
              );
              expect(await resolve(handle, { type: 'advice', note: 'replaced the cable' }, 2)).toMatchObject({
                status: 'resolved',
              });
              expect(await feedback(handle, { csat: 5, resolved: true }, 2)).toMatchObject({
                outcome: 'closed',
              });
              break;
            case 'refund':
              expect(await resolutions.get(handle)).toMatchObject({
                status: 'resolved',
                resolutionType: 'refund',
              });
              expect(await feedback(handle, { csat: 4, resolved: true })).toMatchObject({
                outcome: 'closed',
              });
              break;
            case 'repair':
              expect(await resolutions.get(handle)).toMatchObject({ status: 'repair-scheduled' });
              await durableSignal(() => handle.signal(repairCompletedSignal, { outcome: 'repaired' }));
              await caseView(handle, (view) => view.stage.startsWith('revisit'), 'the repair to complete');
              expect(await feedback(handle, { csat: 5, resolved: true })).toMatchObject({
                outcome: 'closed',
              });
              break;
          }
          return await resultOf<CaseResult>(handle);
        });

        const childCases: CaseScenario[] = [];
        const wonRuns = won.map(async (handle, index) => {
          expect(await contracts[index]).toMatchObject({ contractId: `K-${index + 1}`, stage: 'onboarding' });
          await durableSignal(() => handle.signal(deliveryConfirmedSignal, {}));
          await journeyView(handle, (view) => view.stage === 'after-sales', 'the delivery');
          const { caseWorkflowId } = await durableUpdate(
            handle,
            reportIssueUpdate,
            [{ description: 'Booking page down', category: 'technical' }],
            updateId(handle, 'issue'),
          );
          const child = client.workflow.getHandle(caseWorkflowId);
          watched.push(caseWorkflowId);
          const scenario = caseScenario('satisfied', child);
          childCases.push(scenario);
          await answerCase(child);
          await caseView(child, (view) => view.stage === 'in-progress', 'the first reply');
          await resolve(child, { type: 'advice', note: 'cache cleared' });
          await feedback(child, { csat: 5, nps: 10, resolved: true });
          const caseResult = await resultOf<CaseResult>(child);
          await journeyView(
            handle,
            (view) => view.cases.every((record) => record.status === 'closed'),
            'the case report',
          );
          await durableUpdate(
            handle,
            closeJourneyUpdate,
            [{ reason: 'contract fulfilled' }],
            updateId(handle, 'close'),
          );
          return { journey: await resultOf<JourneyResult>(handle), caseResult };
        });

        const caseResults = await Promise.all(caseRuns);
        const wonResults = await Promise.all(wonRuns);
        const lostResults = await Promise.all(lostRuns);
        finished = true;
        await randomKills;

        // --- Every scenario ended as it should.
        cases.forEach((scenario, index) => {
          expect(caseResults[index], `${scenario.kind}: ${scenario.handle.workflowId}`).toMatchObject(
            scenario.expected,
          );
        });
        wonResults.forEach(({ journey, caseResult }, index) => {
          expect(journey).toMatchObject({
            outcome: 'closed',
            contractId: `K-${index + 1}`,
            casesOpened: 1,
            quotes: 1,
          });
          expect(caseResult).toMatchObject({ outcome: 'closed-satisfied', promoter: true });
        });
        for (const result of lostResults) {
          expect(result).toMatchObject({
            outcome: 'lost',
            lostReason: 'competitor',
            firstResponseBreached: true,
          });
        }

        // --- Nothing lost, nothing twice: every request in every history reached the receiver
        // once as an effect; the receiver saw no key with two different requests.
        const quoteIds = (await Promise.all(won.map((handle) => handle.query(getJourneyQuery)))).flatMap(
          (view) => view.quotes.flatMap((quote) => quote.approvalWorkflowId ?? []),
        );
        const everyWorkflow = [...watched, ...quoteIds];
        const requested = new Map<string, string>();
        let workflowTaskTimeouts = 0;
        for (const workflowId of everyWorkflow) {
          const events = await historyOf(client, workflowId);
          expect(workflowTaskFailures(events), `workflow task failures of ${workflowId}`).toEqual([]);
          expect(count(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED), workflowId).toBe(1);
          workflowTaskTimeouts += count(events, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
          for (const activity of await scheduledActivities(events, codec)) {
            const key = String(activity.request.idempotencyKey);
            expect(activity.completed, `${activity.activityType} ${key} completed`).toBe(true);
            expect(requested.has(key), `${key} scheduled twice`).toBe(false);
            requested.set(key, activity.activityType);
          }
          if (!quoteIds.includes(workflowId)) {
            const timeline = await client.workflow.getHandle(workflowId).query(getCaseTimelineQuery);
            expect(
              timeline.entries.filter((entry) => entry.type === 'integration-failed'),
              workflowId,
            ).toEqual([]);
          }
        }
        const lostRequests = [...requested.keys()].filter((key) => !receiver.effects.has(key));
        const phantom = [...receiver.effects.keys()].filter((key) => !requested.has(key));
        expect(lostRequests).toEqual([]);
        expect(phantom).toEqual([]);
        expect(receiver.conflicts).toEqual([]);

        const customerNotifications = receiver.effectsOf('notify-customer');
        const expectedNotifications = [...cases, ...childCases].flatMap((scenario) => scenario.notifications);
        for (const [index, handle] of won.entries()) {
          expectedNotifications.push(`${handle.workflowId}/customer/proposal/v1`);
          expectedNotifications.push(`${handle.workflowId}/customer/quote/Q1`);
          expectedNotifications.push(`${handle.workflowId}/customer/contract/K-${index + 1}`);
        }
        const autoReplies = customerNotifications.filter((effect) =>
          effect.key.endsWith('/customer/auto-reply'),
        );
        expect(customerNotifications.map((effect) => effect.key).sort()).toEqual(
          [...expectedNotifications, ...autoReplies.map((effect) => effect.key)].sort(),
        );
        const perKey = new Map<string, number>();
        for (const delivery of receiver.deliveries) {
          if (delivery.outcome === 'effect') perKey.set(delivery.key, (perKey.get(delivery.key) ?? 0) + 1);
        }
        expect([...perKey.values()].every((effects) => effects === 1)).toBe(true);

        const killsAt = (predicate: (kill: KillRecord) => boolean) => chaos.kills.filter(predicate).length;
        report('crash-restart: SIGKILL', {
          mode: LONG ? 'long' : 'quick',
          'kills survived': chaos.kills.length,
          'kills with requests in flight at the receiver': killsAt((kill) => kill.httpInFlight > 0),
          'kills with activities pending': killsAt((kill) => kill.pendingActivities > 0),
          'kills with timers pending': killsAt((kill) => kill.pendingTimers > 0),
          'kills with accepted, uncompleted updates': killsAt((kill) => kill.openUpdates > 0),
          kills: chaos.kills.map(
            (kill) =>
              `${kill.label}: http ${kill.httpInFlight}, activities ${kill.pendingActivities}, timers ${kill.pendingTimers}, updates ${kill.openUpdates}`,
          ),
          'worker processes started': chaos.starts,
          workflows: `${everyWorkflow.length} (cases ${cases.length + childCases.length}, journeys ${won.length + lost.length}, quote approvals ${quoteIds.length}), all completed as expected, lost 0`,
          'workflow task timeouts (kills) / failures': `${workflowTaskTimeouts} / 0`,
          'side effects (distinct keys)': receiver.effects.size,
          'customer notifications': `${customerNotifications.length}, each exactly once`,
          'deliveries received': receiver.deliveries.length,
          'duplicates detected and absorbed (idempotent replays)': receiver.replays,
          'conflicting effects for one key': receiver.conflicts.length,
          'requests lost': lostRequests.length,
          'duration s': Math.round((Date.now() - started) / 1000),
        });
      } finally {
        await chaos.stop();
        await receiver.close();
      }
    },
    quickOrLong(420_000, 1_800_000),
  );
});

describe('a worker killed while journeys continue as new', () => {
  it(
    'under a burst of reports and inquiries: every accepted message takes effect once, every case is told once',
    async () => {
      const started = Date.now();
      const unique = randomUUID().slice(0, 8);
      const taskQueue = `crash-can-${unique}`;
      const receiver = await WebhookReceiver.start();
      const journeys: WorkflowHandle[] = [];
      const cases: string[] = [];
      const chaos = new Chaos(workerSettings(taskQueue, receiver.url), receiver, () => [
        ...journeys.map((handle) => handle.workflowId),
        ...cases,
      ]);
      // The lowest threshold the policy allows: a continue-as-new every few messages.
      const threshold = 20;
      const rounds = quickOrLong(3, 8);
      let drainingKills = 0;
      try {
        await chaos.start();
        for (let index = 0; index < quickOrLong(2, 4); index++) {
          const customerId = `C-CAN-${unique}-${index}`;
          const base = journeyInput(customerId);
          journeys.push(
            await client.workflow.start('customerJourney', {
              taskQueue,
              workflowId: journeyWorkflowId(customerId),
              args: [{ ...base, policy: { ...base.policy, continueAsNewAfterEvents: threshold } }],
            }),
          );
        }
        await Promise.all(
          journeys.map(async (handle) => {
            const step = <A extends [unknown, ...unknown[]], R>(
              name: string,
              update: Parameters<typeof durableUpdate<R, A>>[1],
              args: A,
            ) => durableUpdate(handle, update, args, updateId(handle, name));
            await step('needs', recordNeedsUpdate, [
              { requirements: [{ title: 'Booking', priority: 'must', urgency: 5, businessValue: 5 }] },
            ]);
            await step('proposal', submitProposalUpdate, [{ alternatives: [{ id: 'A', title: 'Cloud' }] }]);
            await step('review', reviewProposalUpdate, [{ decision: 'approve', reviewer: 'sales-lead' }]);
            await step('quote', submitQuoteUpdate, [
              { alternativeId: 'A', price: 100_000, cost: 60_000, currency: 'CNY' },
            ]);
            await journeyView(handle, (view) => view.stage === 'negotiation', 'the approved quote');
            await step('contract', signContractUpdate, [{ contractId: 'K-1', terms: {} }]);
            await durableSignal(() => handle.signal(deliveryConfirmedSignal, {}));
            await journeyView(handle, (view) => view.stage === 'after-sales', 'the delivery');
          }),
        );

        /** The run of a journey whose history has reached the threshold: it is draining to continue as new. */
        const draining = async () => {
          for (const handle of journeys) {
            const { status, historyLength } = await handle.describe();
            if (status.name === 'RUNNING' && historyLength >= threshold) return handle.workflowId;
          }
          return undefined;
        };
        const reported = new Map<string, string[]>(journeys.map((handle) => [handle.workflowId, []]));
        const inquiries = new Map<string, string[]>(journeys.map((handle) => [handle.workflowId, []]));
        for (let round = 1; round <= rounds; round++) {
          const burst = Promise.all(
            journeys.flatMap((handle) => {
              const byUpdate = `${handle.workflowId}/r${round}-update`;
              const bySignal = `${handle.workflowId}/r${round}-signal`;
              inquiries.get(handle.workflowId)!.push(byUpdate, bySignal);
              const report = (n: number) =>
                durableUpdate(
                  handle,
                  reportIssueUpdate,
                  [{ description: `round ${round} issue ${n}`, category: 'technical', severity: 'cosmetic' }],
                  updateId(handle, `r${round}-issue-${n}`),
                ).then(({ caseWorkflowId }) => {
                  reported.get(handle.workflowId)!.push(caseWorkflowId);
                  cases.push(caseWorkflowId);
                });
              return [
                report(1),
                report(2),
                durableUpdate(
                  handle,
                  registerInquiryUpdate,
                  [{ inquiryId: byUpdate, channel: 'phone', summary: 'Another site' }],
                  updateId(handle, `r${round}-inquiry`),
                ),
                durableSignal(() =>
                  handle.signal(newInquirySignal, {
                    inquiryId: bySignal,
                    channel: 'online-chat',
                    summary: 'Add-on',
                  }),
                ),
              ];
            }),
          );
          // The kill lands while a run drains towards its continue-as-new, when the burst gets one
          // there; otherwise as soon as the burst is answered.
          let answered = false;
          void burst.finally(() => (answered = true));
          let target: string | undefined;
          while (!answered && !(target = await draining())) await sleep(20);
          if (target) drainingKills += 1;
          await chaos.killAndRestart(
            target
              ? `round ${round}: while ${target} drains to continue as new`
              : `round ${round}: after the burst`,
            500,
          );
          await burst;
        }
        // Every case closed by ops; each tells its journey, which may be continuing as new.
        await Promise.all(
          cases.map((caseWorkflowId) =>
            durableUpdate(
              client.workflow.getHandle(caseWorkflowId),
              closeCaseUpdate,
              [{ reason: 'duplicate', note: 'crash test' }],
              `${caseWorkflowId}:close`,
            ),
          ),
        );

        let continues = 0;
        const requested = new Map<string, string>();
        for (const handle of journeys) {
          const mine = reported.get(handle.workflowId)!;
          const view = await journeyView(
            handle,
            (candidate) =>
              candidate.cases.length >= mine.length &&
              candidate.cases.every((record) => record.status === 'closed'),
            'every case reported back',
          );
          expect(view.cases.map((record) => record.caseWorkflowId).sort()).toEqual([...mine].sort());
          expect(new Set(mine).size).toBe(rounds * 2);
          for (const id of inquiries.get(handle.workflowId)!) {
            expect(
              view.inquiries.filter((inquiry) => inquiry.inquiryId === id),
              id,
            ).toHaveLength(1);
          }
          continues += view.continuedAsNew;
          // Ops close the journey: it completes once nothing is in flight, so every activity of
          // every run has had its chance to complete (one a kill interrupted is retried first).
          await durableUpdate(
            handle,
            closeJourneyUpdate,
            [{ reason: 'crash test over' }],
            updateId(handle, 'close'),
          );
          expect(await resultOf<JourneyResult>(handle)).toMatchObject({ outcome: 'closed' });
          for (const run of await historiesOfEveryRun(client, handle.workflowId)) {
            // UnhandledCommand: the server sent a continue-as-new back because messages arrived.
            const faults = workflowTaskFailures(run.events).filter(
              (cause) => !cause.includes('UNHANDLED_COMMAND'),
            );
            expect(faults, `workflow task failures of ${handle.workflowId} run ${run.runId}`).toEqual([]);
            // Every activity a run scheduled completed in that run: it continued as new only once
            // nothing was in flight. The run's events say what happened otherwise.
            const story = () =>
              run.events
                .map((event) => `${String(event.eventId)}:${EventType[event.eventType ?? 0]?.slice(11)}`)
                .join(' ');
            for (const activity of await scheduledActivities(run.events, codec)) {
              const key = String(activity.request.idempotencyKey);
              expect(activity.completed, `${activity.activityType} ${key} completed; ${story()}`).toBe(true);
              expect(requested.has(key), `${key} scheduled twice`).toBe(false);
              requested.set(key, activity.activityType);
            }
          }
        }
        for (const caseWorkflowId of cases) {
          const result = await resultOf<CaseResult>(client.workflow.getHandle(caseWorkflowId));
          expect(result.outcome).toBe('closed-by-ops');
          const events = await historyOf(client, caseWorkflowId);
          expect(workflowTaskFailures(events), caseWorkflowId).toEqual([]);
          for (const activity of await scheduledActivities(events, codec)) {
            const key = String(activity.request.idempotencyKey);
            expect(requested.has(key), `${key} scheduled twice`).toBe(false);
            requested.set(key, activity.activityType);
          }
        }
        expect([...requested.keys()].filter((key) => !receiver.effects.has(key))).toEqual([]);
        expect(receiver.conflicts).toEqual([]);
        const notified = receiver.effectsOf('notify-customer').map((effect) => effect.key);
        for (const caseWorkflowId of cases) {
          for (const step of ['case-received', 'closed']) {
            expect(
              notified.filter((key) => key === `${caseWorkflowId}/customer/${step}`),
              `${caseWorkflowId}: ${step}`,
            ).toHaveLength(1);
          }
        }
        const strays = notified.filter(
          (key) =>
            key.includes('/case-') && !cases.some((caseWorkflowId) => key.startsWith(`${caseWorkflowId}/`)),
        );
        expect(strays, 'messages about cases nobody reported').toEqual([]);
        expect(continues).toBeGreaterThanOrEqual(journeys.length);
        report('crash-restart: continue-as-new', {
          mode: LONG ? 'long' : 'quick',
          journeys: journeys.length,
          rounds,
          'kills (while a run drained to continue as new)': `${chaos.kills.length} (${drainingKills})`,
          kills: chaos.kills.map(
            (kill) => `${kill.label}: updates open ${kill.openUpdates}, activities ${kill.pendingActivities}`,
          ),
          'continues-as-new': continues,
          'cases reported / recorded / told "received" once': `${cases.length} / ${cases.length} / ${cases.length}`,
          'side effects (distinct keys)': receiver.effects.size,
          'duplicates absorbed': receiver.replays,
          'duration s': Math.round((Date.now() - started) / 1000),
        });
      } finally {
        await chaos.stop();
        await receiver.close();
      }
    },
    quickOrLong(300_000, 1_200_000),
  );
});

describe('the dev server restarted', () => {
  it(
    'in the middle of a journey: the journey continues from its state and completes',
    async () => {
      const unique = randomUUID().slice(0, 8);
      const taskQueue = `restart-${unique}`;
      const receiver = await WebhookReceiver.start();
      let worker = await WorkerProcess.start({
        env: workerSettings(taskQueue, receiver.url),
        logFile: path.join(dir, `worker-${taskQueue}.log`),
      });
      try {
        const customerId = `C-RS-${unique}`;
        const handle = await client.workflow.start('customerJourney', {
          taskQueue,
          workflowId: journeyWorkflowId(customerId),
          args: [
            {
              ...journeyInput(customerId),
              policy: { ...journeyInput(customerId).policy, followUpCadence: ['4s', '30d'] },
            },
          ],
        });
        await durableUpdate(
          handle,
          recordNeedsUpdate,
          [{ requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }] }],
          updateId(handle, 'needs'),
        );
        await durableUpdate(
          handle,
          submitProposalUpdate,
          [{ alternatives: [{ id: 'A', title: 'Cloud plan' }] }],
          updateId(handle, 'proposal'),
        );
        await durableUpdate(
          handle,
          reviewProposalUpdate,
          [{ decision: 'approve', reviewer: 'sales-lead' }],
          updateId(handle, 'review'),
        );
        await durableUpdate(
          handle,
          submitQuoteUpdate,
          [{ alternativeId: 'A', price: 100_000, cost: 60_000, currency: 'CNY' }],
          updateId(handle, 'quote'),
        );
        await journeyView(handle, (view) => view.stage === 'negotiation', 'the approved quote');
        const before = await handle.query(getJourneyQuery);

        // The customer answers (the follow-up cadence restarts: a task in 4 s), and the server
        // goes down at once: the signal is durable, the timer comes due while nobody runs.
        await handle.signal(customerRespondedSignal, { note: 'wants the contract next week' });
        const stopping = Date.now();
        await server.stop();
        await sleep(5_000);
        server = await startServer();
        const downMs = Date.now() - stopping;
        // The worker process is not restarted: it reconnects by itself. Should it have given up
        // instead, a new one is started and the report says so.
        let workerRestarts = 0;
        const after = await eventually(
          'the follow-up that came due while the server was down',
          async () => {
            if (worker.exited) {
              workerRestarts += 1;
              worker = await WorkerProcess.start({
                env: workerSettings(taskQueue, receiver.url),
                logFile: path.join(dir, `worker-${taskQueue}.log`),
              });
            }
            return await handle.query(getJourneyQuery);
          },
          { accept: (view) => view.followUp.tasksCreated > before.followUp.tasksCreated, timeoutMs: 150_000 },
        );
        expect(after).toMatchObject({
          stage: 'negotiation',
          requirements: before.requirements,
          alternatives: before.alternatives,
          quotes: before.quotes,
          proposalVersion: 1,
          inquiries: before.inquiries,
        });
        const timeline = await handle.query(getCaseTimelineQuery);
        expect(timeline.entries.map((entry) => entry.type)).toContain('customer-responded');

        expect(
          await durableUpdate(
            handle,
            signContractUpdate,
            [{ contractId: 'K-R', terms: { warrantyUntil: '2030-12-31', contractEnd: '2030-12-31' } }],
            updateId(handle, 'contract'),
          ),
        ).toMatchObject({ contractId: 'K-R', stage: 'onboarding' });
        await durableSignal(() => handle.signal(deliveryConfirmedSignal, {}));
        await journeyView(handle, (view) => view.stage === 'after-sales', 'the delivery');
        await durableUpdate(handle, closeJourneyUpdate, [{ reason: 'done' }], updateId(handle, 'close'));
        const result = await resultOf<JourneyResult>(handle);
        expect(result).toMatchObject({ outcome: 'closed', contractId: 'K-R', quotes: 1, casesOpened: 0 });

        const events = await historyOf(client, handle.workflowId);
        expect(workflowTaskFailures(events)).toEqual([]);
        const keys = (await scheduledActivities(events, codec)).map((activity) =>
          String(activity.request.idempotencyKey),
        );
        expect(keys.filter((key) => !receiver.effects.has(key))).toEqual([]);
        expect(receiver.conflicts).toEqual([]);
        expect(keys).toContain(`${handle.workflowId}/customer/contract/K-R`);
        report('crash-restart: dev server restart', {
          'server down (SIGTERM → ready again) ms': downMs,
          'worker process survived the restart': workerRestarts === 0,
          'follow-up tasks before / after': `${before.followUp.tasksCreated} / ${after.followUp.tasksCreated}`,
          'history events': events.length,
          'side effects': keys.length,
          'duplicates absorbed': receiver.replays,
          outcome: result.outcome,
        });
      } finally {
        await worker.stop();
        await receiver.close();
      }
    },
    quickOrLong(240_000, 600_000),
  );
});
