/**
 * A worker killed with SIGKILL loses nothing and duplicates nothing.
 *
 * The product's worker runs as a child process with the real webhook gateway (see
 * `helpers/crash-harness.ts`); cases of every resolution kind and journeys won and lost are
 * driven through the client while the worker is killed at chosen points (timers coming due while
 * no worker runs, requests held at the receiver, updates accepted and not completed) and at
 * random ones, a fresh worker process being started each time. At the end every workflow has the
 * result its scenario calls for, and the receiver saw every request of every workflow's history
 * exactly once as an effect, however many copies the retries delivered.
 *
 * `CJ_RELIABILITY_LONG=1`: three copies of every scenario and ten random kills instead of two.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  getCaseTimelineQuery,
  repairCompletedSignal,
  type CaseResult,
  type ResolveResult,
} from '../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  deliveryConfirmedSignal,
  getJourneyQuery,
  journeyWorkflowId,
  markLostUpdate,
  reportIssueUpdate,
  signContractUpdate,
  submitPresalesFeedbackUpdate,
  type JourneyResult,
} from '../workflows/customer-journey/contract';
import {
  answerCase,
  caseView,
  withChaos,
  crashJourneyInput,
  fastCasePolicy,
  feedback,
  journeyView,
  resolve,
  resultOf,
  updateId,
  useCrashGround,
} from './helpers/crash-harness';
import {
  count,
  EventType,
  historyOf,
  pendingTimers,
  scheduledActivities,
  workflowTaskFailures,
} from './helpers/history';
import { quoteApprovedByPolicy, throughProposal } from './helpers/journey-steps';
import {
  durableSignal,
  durableUpdate,
  durably,
  eventually,
  LONG,
  quickOrLong,
  report,
  sleep,
} from './helpers/reliability';

const COPIES = quickOrLong(1, 3);
const RANDOM_KILLS = quickOrLong(2, 10);

const ground = useCrashGround('crash-worker-kill');

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
      const watched: string[] = [];
      await withChaos(
        ground,
        taskQueue,
        () => watched,
        async (chaos, receiver) => {
          // --- Kill 1: with timers pending. Every case is triaged and its SLA watcher sleeps until
          // the next ladder step of its 6-second first-reply window; the rest of the ladder (and
          // the journeys' 2-second first-response windows) come due while no worker runs.
          const kinds: CaseKind[] = ['satisfied', 'refund', 'no-feedback', 'reopened', 'repair'];
          const cases: CaseScenario[] = [];
          for (let copy = 1; copy <= COPIES; copy++) {
            for (const kind of kinds) {
              const workflowId = `case-C-CR-${unique}-${kind}-${copy}`;
              const handle = await ground.client.workflow.start('afterSalesCase', {
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
              const handle = await ground.client.workflow.start('customerJourney', {
                taskQueue,
                workflowId: journeyWorkflowId(customerId),
                args: [crashJourneyInput(customerId)],
              });
              watched.push(handle.workflowId);
              list.push(handle);
            }
          }
          // Triaged, and the SLA watcher asleep on its timer.
          await Promise.all(
            cases.map(({ handle }) =>
              eventually(
                `${handle.workflowId}: a timer pending`,
                () => historyOf(ground.client, handle.workflowId),
                {
                  accept: (events) => pendingTimers(events) >= 1,
                  timeoutMs: 120_000,
                },
              ),
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
          const kill3 = await chaos.killAndRestart(
            'between update acceptance and completion (resolve)',
            1_000,
          );
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
              await throughProposal(durably(handle));
              await quoteApprovedByPolicy(durably(handle));
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
                expect(
                  await resolve(handle, { type: 'advice', note: 'replaced the cable' }, 2),
                ).toMatchObject({
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
            expect(await contracts[index]).toMatchObject({
              contractId: `K-${index + 1}`,
              stage: 'onboarding',
            });
            await durableSignal(() => handle.signal(deliveryConfirmedSignal, {}));
            await journeyView(handle, (view) => view.stage === 'after-sales', 'the delivery');
            const { caseWorkflowId } = await durableUpdate(
              handle,
              reportIssueUpdate,
              [{ description: 'Booking page down', category: 'technical' }],
              updateId(handle, 'issue'),
            );
            const child = ground.client.workflow.getHandle(caseWorkflowId);
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
            const events = await historyOf(ground.client, workflowId);
            expect(workflowTaskFailures(events), `workflow task failures of ${workflowId}`).toEqual([]);
            expect(count(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED), workflowId).toBe(1);
            workflowTaskTimeouts += count(events, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
            for (const activity of await scheduledActivities(events, ground.codec)) {
              const key = String(activity.request.idempotencyKey);
              expect(activity.completed, `${activity.activityType} ${key} completed`).toBe(true);
              expect(requested.has(key), `${key} scheduled twice`).toBe(false);
              requested.set(key, activity.activityType);
            }
            if (!quoteIds.includes(workflowId)) {
              const timeline = await ground.client.workflow.getHandle(workflowId).query(getCaseTimelineQuery);
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
          const expectedNotifications = [...cases, ...childCases].flatMap(
            (scenario) => scenario.notifications,
          );
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

          report('crash: worker killed', {
            mode: LONG ? 'long' : 'quick',
            'kills survived': chaos.kills.length,
            'kills with requests in flight at the receiver': chaos.killsWhere(
              (kill) => kill.httpInFlight > 0,
            ),
            'kills with activities pending': chaos.killsWhere((kill) => kill.pendingActivities > 0),
            'kills with timers pending': chaos.killsWhere((kill) => kill.pendingTimers > 0),
            'kills with accepted, uncompleted updates': chaos.killsWhere((kill) => kill.openUpdates > 0),
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
        },
      );
    },
    quickOrLong(420_000, 1_800_000),
  );
});
