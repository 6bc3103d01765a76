/**
 * The dev server restarted in the middle of a journey: the journey continues from its state.
 *
 * The server (SQLite in the run's folder) is stopped with SIGTERM right after a customer's
 * signal, with a follow-up timer coming due while it is down, and started again on the same file
 * and port; the worker process reconnects by itself. The journey then goes on to its contract
 * and its end, every side effect received once.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCaseTimelineQuery } from '../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  customerRespondedSignal,
  deliveryConfirmedSignal,
  getJourneyQuery,
  journeyWorkflowId,
  signContractUpdate,
  type JourneyResult,
} from '../workflows/customer-journey/contract';
import { crashJourneyInput, journeyView, resultOf, updateId, useCrashGround } from './helpers/crash-harness';
import { historyOf, scheduledActivities, workflowTaskFailures } from './helpers/history';
import { quoteApprovedByPolicy, throughProposal } from './helpers/journey-steps';
import {
  durableSignal,
  durableUpdate,
  durably,
  eventually,
  quickOrLong,
  report,
} from './helpers/reliability';
import { WebhookReceiver } from './helpers/webhook-receiver';
import { WorkerProcess } from './helpers/worker-process';

const ground = useCrashGround('crash-server-restart');

describe('the dev server restarted', () => {
  it(
    'in the middle of a journey: the journey continues from its state and completes',
    async () => {
      const unique = randomUUID().slice(0, 8);
      const taskQueue = `restart-${unique}`;
      const receiver = await WebhookReceiver.start();
      let worker = await WorkerProcess.start({
        env: ground.workerSettings(taskQueue, receiver.url),
        logFile: path.join(ground.dir, `worker-${taskQueue}.log`),
      });
      try {
        const customerId = `C-RS-${unique}`;
        const handle = await ground.client.workflow.start('customerJourney', {
          taskQueue,
          workflowId: journeyWorkflowId(customerId),
          args: [
            {
              ...crashJourneyInput(customerId),
              policy: { ...crashJourneyInput(customerId).policy, followUpCadence: ['4s', '30d'] },
            },
          ],
        });
        await throughProposal(durably(handle));
        await quoteApprovedByPolicy(durably(handle));
        await journeyView(handle, (view) => view.stage === 'negotiation', 'the approved quote');
        const before = await handle.query(getJourneyQuery);

        // The customer answers (the follow-up cadence restarts: a task in 4 s), and the server
        // goes down at once: the signal is durable, the timer comes due while nobody runs.
        await handle.signal(customerRespondedSignal, { note: 'wants the contract next week' });
        const downMs = await ground.restartServer(5_000);
        // The worker process is not restarted: it reconnects by itself. Should it have given up
        // instead, a new one is started and the report says so.
        let workerRestarts = 0;
        const after = await eventually(
          'the follow-up that came due while the server was down',
          async () => {
            if (worker.exited) {
              workerRestarts += 1;
              worker = await WorkerProcess.start({
                env: ground.workerSettings(taskQueue, receiver.url),
                logFile: path.join(ground.dir, `worker-${taskQueue}.log`),
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

        const events = await historyOf(ground.client, handle.workflowId);
        expect(workflowTaskFailures(events)).toEqual([]);
        const keys = (await scheduledActivities(events, ground.codec)).map((activity) =>
          String(activity.request.idempotencyKey),
        );
        expect(keys.filter((key) => !receiver.effects.has(key))).toEqual([]);
        expect(receiver.conflicts).toEqual([]);
        expect(keys).toContain(`${handle.workflowId}/customer/contract/K-R`);
        report('crash: dev server restarted', {
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
