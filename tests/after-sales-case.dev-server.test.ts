/**
 * `afterSalesCase` on the real dev server: what ops and analysts see (search attributes, summary,
 * current details, handler descriptions, list filters) and the real activities talking to a real
 * HTTP receiver through the webhook integration.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { verifySignature, WebhookGateway } from '../activities/integrations';
import type { afterSalesCase, customerJourney } from '../workflows';
import {
  agentRespondedSignal,
  CASE_MESSAGES,
  getCaseQuery,
  getCaseTimelineQuery,
  resolveUpdate,
  reviewReplyUpdate,
  submitFeedbackUpdate,
} from '../workflows/after-sales-case/contract';
import {
  AssignedTeamKey,
  CaseStageKey,
  CasePriorityKey,
  CustomerIdKey,
  EscalatedKey,
  IssueCategoryKey,
  NeedsAttentionKey,
  NextDeadlineAtKey,
  ResolutionTypeKey,
  SatisfactionScoreKey,
  SlaBreachedKey,
} from '../workflows/kernel/search-attributes';
import type { WorkflowHandle } from '@temporalio/client';
import { executeJourneyUpdate } from '../client';
import {
  closeJourneyUpdate,
  getJourneyQuery,
  journeyWorkflowId,
  recordNeedsUpdate,
  signContractUpdate,
  submitProposalUpdate,
  reviewProposalUpdate,
  submitQuoteUpdate,
} from '../workflows/customer-journey/contract';
import { clockOf, withCaseWorker } from './helpers/case-harness';
import { WebhookReceiver } from './helpers/webhook-receiver';
import { descriptionsOf } from '../workflows/kernel/messages';
import { createTestWorker, devServerEnvironment, rejectionOf, testNames } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

interface WorkflowMetadata {
  currentDetails?: string;
  definition?: {
    signalDefinitions?: { name: string; description?: string }[];
    updateDefinitions?: { name: string; description?: string }[];
    queryDefinitions?: { name: string; description?: string }[];
  };
}

describe('what ops and analysts see', () => {
  it('a resolution reaches the index once, when it ends: the answer, the customer told and the revisit in one upsert', async () => {
    await withCaseWorker(env, async ({ taskQueue, waitFor }) => {
      const handle = await env.client.workflow.start<typeof afterSalesCase>('afterSalesCase', {
        taskQueue,
        workflowId: testNames().workflowId('case'),
        args: [
          { customerId: `C-${testNames().taskQueue.slice(-8)}`, description: 'Slow', category: 'technical' },
        ],
      });
      await waitFor(handle, (view) => view.assignee !== undefined);
      // Answered with the resolution itself: the first reply, the advice told, then resolved.
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'clear the cache' }] });
      await waitFor(handle, (view) => view.stage === 'revisit');
      await expect
        .poll(async () => (await handle.describe()).typedSearchAttributes.get(CaseStageKey), {
          timeout: 10_000,
        })
        .toBe('revisit');
      const events = (await handle.fetchHistory()).events ?? [];
      const accepted = events.findIndex(
        (event) =>
          event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'resolve',
      );
      expect(accepted).toBeGreaterThan(0);
      const indexed = events
        .slice(accepted)
        .map((event) =>
          Object.keys(
            event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
          ),
        )
        .filter((keys) => keys.length > 0 && !keys.every((key) => key === 'TemporalChangeVersion'));
      expect(indexed).toHaveLength(1);
      expect(indexed[0]).toEqual(
        expect.arrayContaining(['CaseStage', 'ResolutionType', 'ResolvedAt', 'NextDeadlineAt']),
      );
      await handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, resolved: true }] });
      await handle.result();
    });
  });

  it('a case shows its search attributes, summary, current details and described handlers', async () => {
    await withCaseWorker(env, async ({ taskQueue, waitFor }) => {
      const customerId = `C-${testNames().taskQueue.slice(-8)}`;
      const handle = await env.client.workflow.start<typeof afterSalesCase>('afterSalesCase', {
        taskQueue,
        workflowId: testNames().workflowId('case'),
        args: [
          {
            customerId,
            description: 'Outage',
            category: 'technical',
            severity: 'service-outage',
            scope: 'many-customers',
          },
        ],
        staticSummary: 'P1 technical outage',
      });
      await waitFor(handle, (view) => view.assignee !== undefined);

      const description = await handle.describe();
      expect(await description.staticSummary()).toBe('P1 technical outage');
      const attributes = description.typedSearchAttributes;
      expect(attributes.get(CustomerIdKey)).toBe(customerId);
      expect(attributes.get(CaseStageKey)).toBe('awaiting-reply');
      expect(attributes.get(CasePriorityKey)).toBe('P1');
      expect(attributes.get(IssueCategoryKey)).toBe('technical');
      expect(attributes.get(AssignedTeamKey)).toBe('senior-engineers');
      expect(attributes.get(SlaBreachedKey)).toBe(false);
      expect(attributes.get(EscalatedKey)).toBe(false);
      const firstReplyDue = attributes.get(NextDeadlineAtKey);
      expect(firstReplyDue).toBeInstanceOf(Date);
      expect(firstReplyDue!.getTime() - description.startTime.getTime()).toBeCloseTo(2 * 3_600_000, -4);

      const metadata = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toContain('**Stage:** awaiting-reply');
      expect(metadata.currentDetails).toContain('| first reply (calendar) |');
      const described = [
        ...(metadata.definition?.signalDefinitions ?? []),
        ...(metadata.definition?.updateDefinitions ?? []),
        ...(metadata.definition?.queryDefinitions ?? []),
      ];
      for (const [name, text] of Object.entries(descriptionsOf(CASE_MESSAGES))) {
        expect(described.find((definition) => definition.name === name)?.description, name).toBe(text);
      }

      const query = `WorkflowType = 'afterSalesCase' AND CustomerId = '${customerId}' AND CasePriority = 'P1' AND ExecutionStatus = 'Running'`;
      await expect
        .poll(async () => (await env.client.workflow.count(query)).count, { timeout: 15_000 })
        .toBe(1);

      await handle.signal(agentRespondedSignal, { agentId: 'agent-9' });
      await waitFor(handle, (view) => view.stage === 'in-progress');
      await handle.executeUpdate(resolveUpdate, {
        args: [{ type: 'advice', note: 'restarted the cluster' }],
      });
      await handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, nps: 10, resolved: true }] });
      await handle.result();
      const closed = (await handle.describe()).typedSearchAttributes;
      expect(closed.get(CaseStageKey)).toBe('closed');
      expect(closed.get(ResolutionTypeKey)).toBe('advice');
      expect(closed.get(SatisfactionScoreKey)).toBe(5);
      await expect
        .poll(
          async () =>
            (
              await env.client.workflow.count(
                `CustomerId = '${customerId}' AND CaseStage = 'closed' AND SatisfactionScore >= 4`,
              )
            ).count,
          { timeout: 15_000 },
        )
        .toBe(1);
    });
  });

  // Asserts the numbers of docs/rules.md AS-6.
  it('an assisted reply is found by NeedsAttention = reply-review until a person reviews it', async () => {
    await withCaseWorker(env, async ({ start }) => {
      const customerId = `C-${testNames().taskQueue.slice(-8)}`;
      const handle = await start({ customerId, description: 'Where is the manual?' });
      await handle.signal(agentRespondedSignal, { kind: 'assisted', agentId: 'bot-1' });
      const query = `CustomerId = '${customerId}' AND NeedsAttention = 'reply-review'`;
      const found = () => env.client.workflow.count(query).then(({ count }) => count);
      const marks = async () => (await handle.describe()).typedSearchAttributes.get(NeedsAttentionKey);
      await expect.poll(found, { timeout: 15_000 }).toBe(1);
      expect(await marks()).toEqual(['reply-review']);

      await handle.executeUpdate(reviewReplyUpdate, {
        args: [{ reviewer: 'agent-7', verdict: 'confirmed' }],
      });
      await expect.poll(found, { timeout: 15_000 }).toBe(0);
      // An empty list leaves the attribute unset.
      expect((await marks()) ?? []).toEqual([]);
    });
  });

  it('an invalid update is rejected at once on the real server and leaves no trace in history', async () => {
    await withCaseWorker(env, async ({ start }) => {
      const handle = await start({ customerId: 'C-DEV-2', description: 'x' });
      // Wait until triage is done, so nothing else writes to history meanwhile.
      await expect
        .poll(async () => {
          const { raw } = await handle.describe();
          return (raw.pendingActivities?.length ?? 0) + (raw.pendingWorkflowTask ? 1 : 0);
        })
        .toBe(0);
      const before = (await handle.fetchHistory()).events?.length ?? 0;
      expect(
        await rejectionOf(
          handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 0, resolved: true }] }),
        ),
      ).toBe('Invalid submitFeedback: csat: must be 1–5');
      const after = (await handle.fetchHistory()).events?.length ?? 0;
      expect(after).toBe(before);
    });
  });
});

describe('webhook integration', () => {
  it('a case run with the real activities sends each request once, signed, with its idempotency key, retrying a 503', async () => {
    const secret = 'a-long-shared-secret-for-tests';
    const received: { path: string; key: string; signatureOk: boolean }[] = [];
    let failuresLeft = 1;
    const receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const key = String(request.headers['idempotency-key']);
        // The first customer notification meets a receiver that is briefly down.
        if (request.url === '/notify-customer' && failuresLeft > 0) {
          failuresLeft -= 1;
          response.writeHead(503).end();
          return;
        }
        received.push({
          path: request.url ?? '',
          key,
          signatureOk: verifySignature(body, secret, request.headers['x-cj-signature'] as string | undefined),
        });
        const replay = received.filter((entry) => entry.key === key).length > 1;
        response.writeHead(200, {
          'content-type': 'application/json',
          ...(replay ? { 'idempotent-replay': 'true' } : {}),
        });
        response.end(JSON.stringify({ id: `id-${received.length}` }));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      const { taskQueue, workflowId } = testNames();
      const activities = createActivities({
        gateway: new WebhookGateway({ endpoints: {}, defaultEndpoint: url, secret }),
      });
      const worker = await createTestWorker(env, { taskQueue, activities });
      await worker.runUntil(async () => {
        const handle = await env.client.workflow.start<typeof afterSalesCase>('afterSalesCase', {
          taskQueue,
          workflowId: workflowId('case'),
          args: [{ customerId: 'C-HTTP-1', description: 'Noise', category: 'technical' }],
        });
        await expect
          .poll(async () => (await handle.query(getCaseQuery)).assignee, { timeout: 20_000 })
          .toBeDefined();
        await handle.executeUpdate(resolveUpdate, { args: [{ type: 'refund' }] });
        await handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, resolved: true }] });
        await handle.result();
      });
      const paths = received.map((entry) => entry.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/assign-case',
          '/notify-customer',
          '/issue-refund',
          '/schedule-revisit',
          '/send-survey',
        ]),
      );
      expect(received.every((entry) => entry.signatureOk)).toBe(true);
      const keys = received.map((entry) => entry.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.every((key) => key.startsWith(`${workflowId('case')}/`))).toBe(true);
      expect(failuresLeft).toBe(0);
      expect(keys).toContain(`${workflowId('case')}/customer/case-received`);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

describe('promised terms for a case started without them (AS-21)', () => {
  const TERMS = {
    contractId: 'K-TERMS',
    warrantyUntil: '2020-12-31',
    responseWindows: { P3: { firstReplyHours: 1, basis: 'calendar' as const } },
  };

  /** Runs journeys and cases with the real activities: webhooks to `receiver`, queries to the server. */
  async function withRealActivities(receiver: WebhookReceiver, body: (taskQueue: string) => Promise<void>) {
    const { taskQueue } = testNames();
    const activities = createActivities({
      gateway: new WebhookGateway({ endpoints: {}, defaultEndpoint: receiver.url }),
      reportClient: env.client,
    });
    const worker = await createTestWorker(env, { taskQueue, activities });
    await worker.runUntil(() => body(taskQueue));
  }

  const startCase = (taskQueue: string, customerId: string) =>
    env.client.workflow.start<typeof afterSalesCase>('afterSalesCase', {
      taskQueue,
      workflowId: testNames().workflowId(`case-${customerId}`),
      args: [{ customerId, description: 'Printer jams', category: 'other' }],
    });

  const settled = async (handle: WorkflowHandle<typeof afterSalesCase>) => {
    let view = await handle.query(getCaseQuery);
    await expect
      .poll(async () => (view = await handle.query(getCaseQuery)).assignee, { timeout: 20_000 })
      .toBeDefined();
    return view;
  };

  it('come from the customer’s journey, read from its contract', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      await withRealActivities(receiver, async (taskQueue) => {
        const customerId = `C-TJ-${testNames().taskQueue.slice(-8)}`;
        const journey = await env.client.workflow.start<typeof customerJourney>('customerJourney', {
          taskQueue,
          workflowId: journeyWorkflowId(customerId),
          args: [{ customerId, channel: 'email', inquiry: 'Printers for the office' }],
        });
        await executeJourneyUpdate(journey, recordNeedsUpdate, {
          args: [{ requirements: [{ title: 'Print', priority: 'must', urgency: 5, businessValue: 5 }] }],
        });
        await executeJourneyUpdate(journey, submitProposalUpdate, {
          args: [{ alternatives: [{ id: 'A', title: 'Leasing' }] }],
        });
        await executeJourneyUpdate(journey, reviewProposalUpdate, {
          args: [{ decision: 'approve', reviewer: 'sales-lead' }],
        });
        await executeJourneyUpdate(journey, submitQuoteUpdate, {
          args: [{ alternativeId: 'A', price: 100_000, cost: 60_000, currency: 'CNY' }],
        });
        await expect
          .poll(async () => (await journey.query(getJourneyQuery)).stage, { timeout: 20_000 })
          .toBe('negotiation');
        await executeJourneyUpdate(journey, signContractUpdate, {
          args: [{ contractId: 'K-TERMS', terms: TERMS }],
        });

        const view = await settled(await startCase(taskQueue, customerId));
        expect(view.termsSource).toBe('journey');
        expect(view.inWarranty).toBe(false);
        expect(clockOf(view, 'first-reply')).toMatchObject({ budgetHours: 1, basis: 'calendar' });
        // The journey answered: the archive was not asked.
        expect(receiver.deliveries.filter((entry) => entry.operation === 'get-promised-terms')).toEqual([]);
        await executeJourneyUpdate(journey, closeJourneyUpdate, {
          args: [{ reason: 'test finished', force: true }],
        });
      });
    } finally {
      await receiver.close();
    }
  });

  it('come from the customer archive when there is no journey; terms it cannot read are refused by name', async () => {
    const tag = testNames().taskQueue.slice(-8);
    const good = `C-TA-${tag}`;
    const bad = `C-TB-${tag}`;
    const receiver = await WebhookReceiver.start({
      rule: (request) =>
        request.operation !== 'get-promised-terms'
          ? undefined
          : request.payload.customerId === good
            ? { kind: 'accept', body: { terms: TERMS } }
            : { kind: 'accept', body: { terms: { warrantyUntil: 'soon' } } },
    });
    try {
      await withRealActivities(receiver, async (taskQueue) => {
        const found = await settled(await startCase(taskQueue, good));
        expect(found.termsSource).toBe('archive');
        expect(clockOf(found, 'first-reply')).toMatchObject({ budgetHours: 1, basis: 'calendar' });

        const unreadable = await startCase(taskQueue, bad);
        const view = await settled(unreadable);
        expect(view.termsSource).toBe('default');
        expect(clockOf(view, 'first-reply')).toMatchObject({ budgetHours: 4, basis: 'business' });
        const { entries } = await unreadable.query(getCaseTimelineQuery);
        expect(entries.find((entry) => entry.type === 'integration-failed')?.summary).toMatch(
          /looking up the customer’s contract terms failed for good: .*warrantyUntil: must be a date \(YYYY-MM-DD\)/,
        );
      });
    } finally {
      await receiver.close();
    }
  });
});
