/**
 * A worker killed while journeys continue as new: every accepted message takes effect once.
 *
 * Journeys on the lowest continue-as-new threshold the policy allows get bursts of issue reports
 * (updates that start cases) and inquiries (an update and a signal each); the worker is killed
 * with SIGKILL while a run drains towards its continue-as-new. Afterwards each journey lists
 * every case and inquiry once, each case told its customer once, and no activity was scheduled
 * twice or left unfinished by a run that continued as new.
 *
 * `CJ_RELIABILITY_LONG=1`: four journeys and eight rounds instead of two and three.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { closeCaseUpdate, type CaseResult } from '../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  deliveryConfirmedSignal,
  journeyWorkflowId,
  newInquirySignal,
  registerInquiryUpdate,
  reportIssueUpdate,
  signContractUpdate,
  type JourneyResult,
} from '../workflows/customer-journey/contract';
import {
  withChaos,
  crashJourneyInput,
  journeyView,
  resultOf,
  updateId,
  useCrashGround,
} from './helpers/crash-harness';
import {
  EventType,
  historiesOfEveryRun,
  historyOf,
  scheduledActivities,
  workflowTaskFailures,
} from './helpers/history';
import { quoteApprovedByPolicy, throughProposal } from './helpers/journey-steps';
import {
  durableSignal,
  durableUpdate,
  durably,
  LONG,
  quickOrLong,
  report,
  sleep,
} from './helpers/reliability';

const ground = useCrashGround('crash-continue-as-new');

describe('a worker killed while journeys continue as new', () => {
  it(
    'under a burst of reports and inquiries: every accepted message takes effect once, every case is told once',
    async () => {
      const started = Date.now();
      const unique = randomUUID().slice(0, 8);
      const taskQueue = `crash-can-${unique}`;
      const journeys: WorkflowHandle[] = [];
      const cases: string[] = [];
      // The lowest threshold the policy allows: a continue-as-new every few messages.
      const threshold = 20;
      const rounds = quickOrLong(3, 8);
      let drainingKills = 0;
      const watched = () => [...journeys.map((handle) => handle.workflowId), ...cases];
      await withChaos(ground, taskQueue, watched, async (chaos, receiver) => {
        for (let index = 0; index < quickOrLong(2, 4); index++) {
          const customerId = `C-CAN-${unique}-${index}`;
          const base = crashJourneyInput(customerId);
          journeys.push(
            await ground.client.workflow.start('customerJourney', {
              taskQueue,
              workflowId: journeyWorkflowId(customerId),
              args: [{ ...base, policy: { ...base.policy, continueAsNewAfterEvents: threshold } }],
            }),
          );
        }
        await Promise.all(
          journeys.map(async (handle) => {
            await throughProposal(durably(handle));
            await quoteApprovedByPolicy(durably(handle));
            await journeyView(handle, (view) => view.stage === 'negotiation', 'the approved quote');
            await durableUpdate(
              handle,
              signContractUpdate,
              [{ contractId: 'K-1', terms: {} }],
              updateId(handle, 'contract'),
            );
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
              ground.client.workflow.getHandle(caseWorkflowId),
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
          for (const run of await historiesOfEveryRun(ground.client, handle.workflowId)) {
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
            for (const activity of await scheduledActivities(run.events, ground.codec)) {
              const key = String(activity.request.idempotencyKey);
              expect(activity.completed, `${activity.activityType} ${key} completed; ${story()}`).toBe(true);
              expect(requested.has(key), `${key} scheduled twice`).toBe(false);
              requested.set(key, activity.activityType);
            }
          }
        }
        for (const caseWorkflowId of cases) {
          const result = await resultOf<CaseResult>(ground.client.workflow.getHandle(caseWorkflowId));
          expect(result.outcome).toBe('closed-by-ops');
          const events = await historyOf(ground.client, caseWorkflowId);
          expect(workflowTaskFailures(events), caseWorkflowId).toEqual([]);
          for (const activity of await scheduledActivities(events, ground.codec)) {
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
        report('crash: continue-as-new', {
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
      });
    },
    quickOrLong(300_000, 1_200_000),
  );
});
