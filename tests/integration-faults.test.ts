/**
 * The real activities (`createActivities` with a `WebhookGateway`) against local HTTP servers
 * that misbehave the way real integrations do, on the dev server:
 *
 * - down (connection refused), slow (answers after the gateway's timeout), 5xx then recovering:
 *   Temporal retries with backoff and the same idempotency key, the case completes, and the
 *   effect arrives exactly once when the receiver recovers;
 * - permanently 4xx: the refusal is not retried, the case records `integration-failed`
 *   (permanent) in its timeline, ops are told (a notify-staff with audience `ops`) or, when the
 *   staffing system is the one refusing, the timeline shows that the escalation failed too; and
 *   the case carries on to its end.
 *
 * The activity retry policy (workflows/internal/workflow-support.ts) starts at 1 s and doubles,
 * so a few failures cost seconds.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { WebhookGateway, type SystemName } from '../activities/integrations';
import {
  agentRespondedSignal,
  getCaseQuery,
  getCaseTimelineQuery,
  resolveUpdate,
  submitFeedbackUpdate,
  type CaseResult,
  type CaseView,
  type TimelineEntry,
} from '../workflows/after-sales-case/contract';
import { historyOf, scheduledActivities, workflowTaskFailures } from './helpers/history';
import { eventually, LONG, quickOrLong, report, seconds } from './helpers/reliability';
import { createTestWorker, devServerEnvironment } from './helpers/temporal';
import { WebhookReceiver } from './helpers/webhook-receiver';

/**
 * A port nothing listens on, for a system that is down, below the kernel's ephemeral range
 * (32768–60999): a server another test starts on port 0 can never be handed it while the test
 * expects "connection refused" there.
 */
async function downPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below the ephemeral range');
}

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

interface Setup {
  /** Base URL per system; the others go to `defaultUrl`. */
  endpoints?: Partial<Record<SystemName, string>>;
  defaultUrl: string;
  /** The gateway's per-request timeout (default 10 s). */
  timeoutMs?: number;
}

/** Runs `body` with a worker whose real activities talk to the given endpoints. */
async function withWebhookWorker(
  setup: Setup,
  body: (start: (input: Record<string, unknown>) => Promise<WorkflowHandle>) => Promise<void>,
): Promise<void> {
  const taskQueue = `faults-${randomUUID().slice(0, 8)}`;
  const gateway = new WebhookGateway({
    endpoints: setup.endpoints ?? {},
    defaultEndpoint: setup.defaultUrl,
    timeoutMs: setup.timeoutMs,
  });
  const worker = await createTestWorker(env, { taskQueue, activities: createActivities({ gateway }) });
  let count = 0;
  await worker.runUntil(
    body(async (input) => {
      const handle = await env.client.workflow.start('afterSalesCase', {
        taskQueue,
        workflowId: `case-C-FAULT-${taskQueue.slice(-8)}-${++count}`,
        args: [
          {
            customerId: `C-FAULT-${taskQueue.slice(-8)}`,
            description: 'Router drops',
            category: 'technical',
            ...input,
          },
        ],
      });
      return handle;
    }),
  );
}

const view = (handle: WorkflowHandle): Promise<CaseView> => handle.query(getCaseQuery);
const timeline = async (handle: WorkflowHandle): Promise<TimelineEntry[]> =>
  (await handle.query(getCaseTimelineQuery)).entries;

async function waitForCase(
  handle: WorkflowHandle,
  accept: (view: CaseView) => boolean,
  what: string,
  timeoutMs = 60_000,
) {
  return await eventually(`${handle.workflowId}: ${what}`, () => view(handle), { accept, timeoutMs });
}

/** Answer, resolve with advice, a satisfied revisit: the case closes. */
async function finishCase(handle: WorkflowHandle): Promise<CaseResult> {
  await handle.signal(agentRespondedSignal, { agentId: 'agent-7' });
  await waitForCase(handle, (current) => current.stage === 'in-progress', 'the first reply');
  expect(
    await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'restarted' }] }),
  ).toMatchObject({
    status: 'resolved',
  });
  await handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, resolved: true }] });
  return (await handle.result()) as CaseResult;
}

/**
 * Nothing lost, nothing twice: every activity the case completed has exactly one effect at a
 * receiver; every one it did not complete was refused for good (4xx) and never took effect.
 */
async function expectNoLoss(
  handle: WorkflowHandle,
  receivers: WebhookReceiver[],
): Promise<{ effects: number }> {
  const events = await historyOf(env.client, handle.workflowId);
  expect(workflowTaskFailures(events)).toEqual([]);
  let effects = 0;
  for (const activity of await scheduledActivities(events)) {
    const key = String(activity.request.idempotencyKey);
    const seen = receivers.flatMap((receiver) => receiver.deliveriesOf(key));
    const took = seen.filter((delivery) => delivery.outcome === 'effect');
    if (activity.completed) {
      expect(took, `${activity.activityType} ${key}`).toHaveLength(1);
      effects += 1;
    } else {
      expect(took, `${activity.activityType} ${key} (refused)`).toHaveLength(0);
      expect(seen.every((delivery) => delivery.status >= 400 && delivery.status < 500)).toBe(true);
    }
  }
  for (const receiver of receivers) expect(receiver.conflicts).toEqual([]);
  return { effects };
}

describe('transient faults: the case completes and the effect arrives once', () => {
  it('the messaging system is down (connection refused), then comes up', async () => {
    const receiver = await WebhookReceiver.start();
    const messagingPort = await downPort();
    let messaging: WebhookReceiver | undefined;
    try {
      await withWebhookWorker(
        { defaultUrl: receiver.url, endpoints: { messaging: `http://127.0.0.1:${messagingPort}` } },
        async (start) => {
          const handle = await start({});
          // The acknowledgement to the customer is retried with backoff while nothing listens.
          const failing = await eventually(
            'the case-received notification retried at least twice',
            async () =>
              (await handle.describe()).raw.pendingActivities?.find(
                (a) => a.activityType?.name === 'notifyCustomer',
              ),
            { accept: (activity) => (activity?.attempt ?? 0) >= 3, timeoutMs: 30_000 },
          );
          expect(failing?.lastFailure?.message).toMatch(
            /messaging notify-customer: network error \(ECONNREFUSED\)/,
          );
          messaging = await WebhookReceiver.start({ port: messagingPort });
          const key = `${handle.workflowId}/customer/case-received`;
          await eventually(
            'the notification after recovery',
            () => Promise.resolve(messaging!.effects.has(key)),
            {
              accept: Boolean,
              timeoutMs: 30_000,
            },
          );
          const result = await finishCase(handle);
          expect(result.outcome).toBe('closed-satisfied');
          expect(messaging.deliveriesOf(key)).toHaveLength(1);
          expect((await timeline(handle)).filter((entry) => entry.type === 'integration-failed')).toEqual([]);
          const { effects } = await expectNoLoss(handle, [receiver, messaging]);
          report('integration faults: receiver down', {
            'attempts refused before the receiver came up': (failing?.attempt ?? 1) - 1,
            'case-received deliveries after recovery': messaging.deliveriesOf(key).length,
            'side effects, each once': effects,
            outcome: result.outcome,
          });
        },
      );
    } finally {
      await receiver.close();
      await messaging?.close();
    }
  });

  it('the fulfilment system answers after the gateway timeout: retried, absorbed by its key', async () => {
    const receiver = await WebhookReceiver.start({
      // Slow for the refund's first delivery: it takes effect, the answer comes too late.
      rule: (request) =>
        request.operation === 'issue-refund'
          ? { kind: 'accept', delayMs: 3_000, body: { refundId: 'RF-77' } }
          : undefined,
    });
    try {
      await withWebhookWorker({ defaultUrl: receiver.url, timeoutMs: 1_000 }, async (start) => {
        const handle = await start({});
        await handle.signal(agentRespondedSignal, { agentId: 'agent-7' });
        await waitForCase(handle, (current) => current.stage === 'in-progress', 'the first reply');
        const resolved = await handle.executeUpdate(resolveUpdate, { args: [{ type: 'refund' }] });
        // The retry got the first answer back: the refund the receiver made, not a second one.
        expect(resolved).toMatchObject({ status: 'resolved', resolutionType: 'refund', reference: 'RF-77' });
        const key = `${handle.workflowId}/refund/1`;
        const deliveries = receiver.deliveriesOf(key).map((delivery) => delivery.outcome);
        expect(deliveries[0]).toBe('effect');
        expect(deliveries.slice(1).every((outcome) => outcome === 'replay')).toBe(true);
        expect(deliveries.length).toBeGreaterThanOrEqual(2);
        expect(receiver.effectsOf('issue-refund')).toHaveLength(1);
        await handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, resolved: true }] });
        const result = (await handle.result()) as CaseResult;
        expect(result).toMatchObject({ outcome: 'closed-satisfied', resolutionType: 'refund' });
        const { effects } = await expectNoLoss(handle, [receiver]);
        report('integration faults: slow receiver', {
          'refund deliveries (effect, then replays)': deliveries,
          'refunds made': receiver.effectsOf('issue-refund').length,
          'side effects, each once': effects,
          outcome: result.outcome,
        });
      });
    } finally {
      await receiver.close();
    }
  });

  it('the staffing system answers 5xx (and 429), then recovers', async () => {
    const failures = quickOrLong([503, 500], [503, 500, 502, 429]);
    const receiver = await WebhookReceiver.start({
      rule: (request) => {
        if (request.operation !== 'assign-case') return undefined;
        const status = failures[request.attempt - 1];
        return status ? { kind: 'fail', status } : { kind: 'accept', body: { assignee: 'agent-42' } };
      },
    });
    try {
      await withWebhookWorker({ defaultUrl: receiver.url }, async (start) => {
        const handle = await start({});
        const assigned = await waitForCase(
          handle,
          (current) => current.assignee !== undefined,
          'the assignment',
          90_000,
        );
        expect(assigned.assignee).toBe('agent-42');
        const key = `${handle.workflowId}/assign/triage`;
        expect(receiver.deliveriesOf(key).map((delivery) => delivery.status)).toEqual([...failures, 200]);
        expect(receiver.effectsOf('assign-case')).toHaveLength(1);
        const result = await finishCase(handle);
        expect(result.outcome).toBe('closed-satisfied');
        expect((await timeline(handle)).filter((entry) => entry.type === 'integration-failed')).toEqual([]);
        const { effects } = await expectNoLoss(handle, [receiver]);
        report('integration faults: 5xx then recovering', {
          mode: LONG ? 'long' : 'quick',
          'assignment deliveries (statuses)': receiver.deliveriesOf(key).map((delivery) => delivery.status),
          'side effects, each once': effects,
          outcome: result.outcome,
        });
      });
    } finally {
      await receiver.close();
    }
  });
});

describe('permanent refusals: recorded, escalated to ops, and the case carries on', () => {
  it('the fulfilment system refuses the refund (422)', async () => {
    const receiver = await WebhookReceiver.start({
      rule: (request) =>
        request.operation === 'issue-refund'
          ? {
              kind: 'fail',
              status: 422,
              body: { code: 'refund-not-allowed', message: 'order already refunded' },
            }
          : undefined,
    });
    try {
      await withWebhookWorker({ defaultUrl: receiver.url }, async (start) => {
        const handle = await start({});
        await handle.signal(agentRespondedSignal, { agentId: 'agent-7' });
        await waitForCase(handle, (current) => current.stage === 'in-progress', 'the first reply');
        const refused = await handle.executeUpdate(resolveUpdate, { args: [{ type: 'refund' }] });
        expect(refused).toMatchObject({ status: 'failed', resolutionType: 'refund', stage: 'in-progress' });

        const refundKey = `${handle.workflowId}/refund/1`;
        expect(receiver.deliveriesOf(refundKey).map((delivery) => delivery.status)).toEqual([422]);
        const failed = (await timeline(handle)).filter((entry) => entry.type === 'integration-failed');
        expect(failed).toEqual([
          expect.objectContaining({
            summary: expect.stringMatching(
              /^issuing the refund failed for good: .*HTTP 422 refund-not-allowed/,
            ),
            data: { step: 'refund/1', permanent: true },
          }),
        ]);
        const ops = await eventually(
          'the ops escalation',
          () => Promise.resolve(receiver.effects.get(`${handle.workflowId}/ops/refund/1`)),
          {
            accept: Boolean,
          },
        );
        expect(ops).toMatchObject({
          system: 'staffing',
          operation: 'notify-staff',
          payload: {
            audience: 'ops',
            subjectId: handle.workflowId,
            reason: expect.stringMatching(/issuing the refund failed/),
          },
        });
        expect((await view(handle)).needsHumanReview).toBe(true);

        // The case carries on: another remedy, the revisit, closed.
        expect(
          await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'voucher instead' }] }),
        ).toMatchObject({
          status: 'resolved',
          stage: 'revisit',
        });
        await handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 4, resolved: true }] });
        const result = (await handle.result()) as CaseResult;
        expect(result).toMatchObject({ outcome: 'closed-satisfied', resolutionType: 'advice' });
        const { effects } = await expectNoLoss(handle, [receiver]);
        report('integration faults: permanent 4xx (fulfilment)', {
          'refund deliveries': receiver.deliveriesOf(refundKey).length,
          'timeline integration-failed': failed.map((entry) => entry.summary),
          'ops notified (audience)': (ops?.payload as { audience?: string }).audience,
          'side effects, each once': effects,
          outcome: result.outcome,
        });
      });
    } finally {
      await receiver.close();
    }
  });

  it('the staffing system itself refuses everything (403): the failed escalation is recorded too', async () => {
    const receiver = await WebhookReceiver.start({
      rule: (request) =>
        request.system === 'staffing'
          ? { kind: 'fail', status: 403, body: { code: 'forbidden', message: 'client certificate revoked' } }
          : undefined,
    });
    try {
      await withWebhookWorker({ defaultUrl: receiver.url }, async (start) => {
        const handle = await start({});
        const entries = await eventually(
          'the failed assignment and the failed escalation in the timeline',
          () => timeline(handle),
          { accept: (list) => list.filter((entry) => entry.type === 'integration-failed').length >= 2 },
        );
        const failed = entries.filter((entry) => entry.type === 'integration-failed');
        expect(failed).toEqual([
          expect.objectContaining({
            summary: expect.stringMatching(
              /^assigning to senior-engineers failed for good: .*HTTP 403 forbidden/,
            ),
            data: { step: 'assign/triage', permanent: true },
          }),
          expect.objectContaining({
            summary: expect.stringMatching(
              /^escalating the failure to ops failed for good: .*HTTP 403 forbidden/,
            ),
            data: { step: 'ops/assign/triage', permanent: true },
          }),
        ]);
        expect(receiver.deliveriesOf(`${handle.workflowId}/ops/assign/triage`)).toEqual([
          expect.objectContaining({ outcome: 'failed', status: 403 }),
        ]);
        // Not a third level: escalating the failed escalation would loop.
        expect(receiver.deliveries.filter((delivery) => delivery.key.includes('/ops/ops/'))).toEqual([]);

        // The case carries on without an assignee: answered, resolved, revisited, closed.
        const result = await finishCase(handle);
        expect(result.outcome).toBe('closed-satisfied');
        expect((await view(handle)).assignee).toBe('agent-7');
        expect(receiver.effects.has(`${handle.workflowId}/customer/case-received`)).toBe(true);
        expect((await handle.describe()).status.name).toBe('COMPLETED');
        const { effects } = await expectNoLoss(handle, [receiver]);
        report('integration faults: permanent 4xx (staffing, the escalation path itself)', {
          'timeline integration-failed': failed.map((entry) => entry.summary),
          'side effects on the other systems, each once': effects,
          outcome: result.outcome,
        });
      });
    } finally {
      await receiver.close();
    }
  });
});

describe('windows while an integration is down', () => {
  // Triage retries an unreachable system for up to 24 hours; the windows' ladders must not wait
  // for it (found by this suite: the watcher used to start after triage).
  it('the first-reply ladder warns, breaches and escalates while the messaging system is down', async () => {
    const receiver = await WebhookReceiver.start();
    const messagingPort = await downPort();
    try {
      await withWebhookWorker(
        { defaultUrl: receiver.url, endpoints: { messaging: `http://127.0.0.1:${messagingPort}` } },
        async (start) => {
          const reply = seconds(2);
          const handle = await start({
            policy: { firstReply: { P1: reply, P2: reply, P3: reply, P4: reply } },
          });
          try {
            // The ladder (50/75/90/100 %) runs on time although triage is still retrying.
            const entries = await eventually('the first-reply breach', () => timeline(handle), {
              accept: (list) => list.some((entry) => entry.type === 'sla-breached'),
              timeoutMs: 30_000,
            });
            expect(entries.filter((entry) => entry.type === 'sla-warned')).toHaveLength(3);
            await eventually(
              'staff notified of the ladder',
              () => Promise.resolve(receiver.effectsOf('notify-staff')),
              {
                accept: (effects) => effects.length >= 4,
                timeoutMs: 30_000,
              },
            );
            // Triage is still waiting for the messaging system.
            const { raw } = await handle.describe();
            expect(raw.pendingActivities?.some((activity) => (activity.attempt ?? 0) > 1)).toBe(true);
          } finally {
            await handle.terminate('test finished');
          }
        },
      );
    } finally {
      await receiver.close();
    }
  }, 60_000);
});
