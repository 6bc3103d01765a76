/**
 * `afterSalesCase` as a whole on the time-skipping test server: integration faults, what happens
 * after closing, feedback in dimensions, bad input. The rule groups have their own files
 * (after-sales-case.<triage|windows|procedures|resolution|revisit|handling>.test.ts).
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  agentRespondedSignal,
  awaitingCustomerSignal,
  carrierUpdateSignal,
  closeCaseUpdate,
  escalateUpdate,
  getCaseTimelineQuery,
  resolveUpdate,
  submitFeedbackUpdate,
  type AfterSalesCaseInput,
} from '../workflows/after-sales-case/contract';
import { FailureType } from '../workflows/kernel/errors';
import { resultsInTurn, withCaseWorker } from './helpers/case-harness';
import { rejectionOf } from './helpers/temporal';
import { timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

describe('integration faults', () => {
  it('a permanent refusal by an integration is recorded in the timeline and escalated to ops; the case carries on', async () => {
    await withCaseWorker(
      env(),
      async ({ start, waitFor, recorder }) => {
        const handle = await start({ customerId: 'C-24', description: 'x' });
        await expect
          .poll(async () =>
            (await handle.query(getCaseTimelineQuery)).entries.filter((e) => e.type === 'integration-failed'),
          )
          .toEqual([
            expect.objectContaining({
              summary: expect.stringMatching(
                /^sending "case-received" to the customer failed for good: .*HTTP 422/,
              ),
            }),
          ]);
        await expect.poll(() => recorder.of('notifyStaff', { audience: 'ops' }).length).toBe(1);
        const view = await waitFor(handle, (v) => v.needsHumanReview);
        expect(view.stage).toBe('awaiting-reply');
        expect(view.assignee).toBeDefined();
      },
      {
        activities: {
          notifyCustomer: () =>
            Promise.reject(
              ApplicationFailure.nonRetryable(
                'messaging refused notify-customer (HTTP 422 unknown-customer)',
                FailureType.IntegrationRejected,
              ),
            ),
        },
      },
    );
  });
});

describe('after closing', () => {
  it('leaves the QA draw to the weekly report; a case whose policy names a rate draws itself', async () => {
    await withCaseWorker(env(), async ({ start, recorder }) => {
      const ordinary = await start({ customerId: 'C-QA-1', description: 'sample' });
      const always = await start({
        customerId: 'C-QA-2',
        description: 'sample',
        policy: { qaSampleRate: 1 },
      });
      for (const handle of [ordinary, always])
        await handle.executeUpdate(closeCaseUpdate, { args: [{ reason: 'other' }] });
      const [left, drawn] = await resultsInTurn([ordinary, always]);
      expect(left!.qaSampled).toBe(false);
      expect(drawn!.qaSampled).toBe(true);
      expect(recorder.of('requestQaReview').map((call) => call.request.caseId)).toEqual([drawn!.caseId]);
    });
  });

  // Asserts the numbers of docs/rules.md LE-1.
  it('records a typical case in the knowledge base and asks a promoter for a referral', async () => {
    await withCaseWorker(env(), async ({ start, recorder }) => {
      const handle = await start({
        customerId: 'C-21',
        description: 'Setup question',
        channel: 'online-chat',
      });
      await handle.executeUpdate(resolveUpdate, {
        args: [{ type: 'advice', note: 'guide sent', typical: true }],
      });
      await handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, nps: 9, resolved: true }] });
      const result = await handle.result();
      expect(result.promoter).toBe(true);
      expect(recorder.of('recordKnowledgeBaseEntry', { resolutionType: 'advice' })).toHaveLength(1);
      // The entry carries the problem and the solution, not only their kinds.
      expect(recorder.of('recordKnowledgeBaseEntry')[0]!.request).toMatchObject({
        problem: 'Setup question',
        solution: 'advice (advice given): guide sent',
        cause: 'unknown',
      });
      expect(recorder.of('requestReferral', { customerId: 'C-21', channel: 'online-chat' })).toHaveLength(1);
    });
  });
});

describe('feedback in dimensions (X7)', () => {
  // Asserts the numbers of docs/rules.md LE-8.
  it('keeps attitude, speed and effectiveness with CSAT, and the result carries them for the report', async () => {
    await withCaseWorker(env(), async ({ start }) => {
      const handle = await start({
        customerId: 'C-22',
        description: 'Printer jams',
        product: { sku: 'SKU-PR-1' },
      });
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'clean the roller' }] });
      expect(
        await rejectionOf(
          handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, resolved: true, attitude: 6 }] }),
        ),
      ).toMatch(/attitude: must be 1–5/);
      await handle.executeUpdate(submitFeedbackUpdate, {
        args: [{ csat: 5, resolved: true, attitude: 5, speed: 3, effectiveness: 4 }],
      });
      const result = await handle.result();
      expect(result).toMatchObject({
        resolved: true,
        ratings: { attitude: 5, speed: 3, effectiveness: 4 },
        product: 'SKU-PR-1',
      });
      expect(result.assignee).toBeDefined();
    });
  });
});

describe('bad input', () => {
  // Asserts the numbers of docs/rules.md AS-1.
  it('a wrong input fails the workflow at once, non-retryably, naming every field', async () => {
    await withCaseWorker(env(), async ({ start }) => {
      const handle = await start({
        customerId: 'someone@example.com',
        description: '',
        severity: 'apocalyptic',
        channel: 'fax',
        colour: 'red',
      } as unknown as AfterSalesCaseInput);
      const error: unknown = await handle.result().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe(FailureType.InvalidWorkflowInput);
      expect((cause as ApplicationFailure).nonRetryable).toBe(true);
      const message = (cause as ApplicationFailure).message;
      expect(message).toContain('customerId: must be an opaque CRM id');
      expect(message).toContain('description: must describe the issue');
      expect(message).toContain(
        'severity: must be one of cosmetic, function-failure, service-outage, safety-hazard',
      );
      expect(message).toContain('channel: must be one of phone, email, online-chat, social, walk-in');
      expect(message).toContain('unknown field colour');
    });
  });

  it('a phone number is not accepted as a customer id', async () => {
    await withCaseWorker(env(), async ({ start }) => {
      const handle = await start({ customerId: '13800138000', description: 'x' });
      await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
      const error = await handle.result().catch((caught: WorkflowFailedError) => caught);
      expect(String((error as WorkflowFailedError).cause?.message)).toContain('not a phone number');
    });
  });

  it('invalid updates are rejected by their validators with the field named, and leave the case untouched', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      const handle = await start({ customerId: 'C-22', description: 'x' });
      const reject = async (promise: Promise<unknown>) => {
        await expect(promise).rejects.toThrow(WorkflowUpdateFailedError);
        return await rejectionOf(promise);
      };
      expect(
        await reject(handle.executeUpdate(resolveUpdate, { args: [{ type: 'teleport' } as never] })),
      ).toContain('type: must be one of repair, replace, refund, advice');
      expect(
        await reject(handle.executeUpdate(resolveUpdate, { args: [{ type: 'repair' } as never] })),
      ).toContain('mode: must be one of in-store, factory');
      expect(
        await reject(handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 9, resolved: true }] })),
      ).toContain('csat: must be 1–5');
      expect(
        await reject(handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, resolved: true }] })),
      ).toContain('not waiting for feedback');
      expect(
        await reject(handle.executeUpdate(escalateUpdate, { args: [{ level: 'ceo', reason: '' } as never] })),
      ).toMatch(/level: must be one of team-lead, specialist-team, management.*reason: must say why/);
      const v = await view(handle);
      expect(v.stage).toBe('awaiting-reply');
      const timeline = await handle.query(getCaseTimelineQuery);
      expect(timeline.entries.some((entry) => entry.type.startsWith('resolution'))).toBe(false);
    });
  });

  // Asserts the numbers of docs/rules.md AS-1.
  it('a malformed signal is recorded in the timeline and ignored without failing the case', async () => {
    await withCaseWorker(env(), async ({ start, waitFor }) => {
      const handle = await start({ customerId: 'C-23', description: 'x' });
      await handle.signal(agentRespondedSignal, { kind: 'telepathy' } as never);
      await handle.signal(awaitingCustomerSignal, 'not an object' as never);
      await handle.signal(carrierUpdateSignal, { status: 'delivered' }); // not a logistics case
      await expect
        .poll(async () => (await handle.query(getCaseTimelineQuery)).rejectedSignals, { timeout: 10_000 })
        .toBe(3);
      const rejected = (await handle.query(getCaseTimelineQuery)).entries.filter(
        (entry) => entry.type === 'signal-rejected',
      );
      expect(rejected.map((entry) => entry.summary)).toEqual([
        'agentResponded ignored: kind: must be one of human, assisted',
        'awaitingCustomer ignored: input: must be a JSON object',
        'carrierUpdate ignored: case category is other, not logistics',
      ]);
      // The case carries on normally.
      await handle.signal(agentRespondedSignal, { agentId: 'agent-1' });
      const v = await waitFor(handle, (view) => view.stage === 'in-progress');
      expect(v.assignee).toBeDefined();
      expect((await handle.describe()).status.name).toBe('RUNNING');
    });
  });
});
