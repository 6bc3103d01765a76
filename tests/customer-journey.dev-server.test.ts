/**
 * `customerJourney` on the real dev server: backends reaching a journey idempotently with the
 * client helpers (update-with-start, signal-with-start), and what ops and analysts see.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Backends use the package entry, so these tests go through it too.
import {
  customerJourneyContract,
  notifyInquiry,
  readJourney,
  reportIssue,
  startOrReachJourney,
  ValidationError,
} from '../index';
import { ChannelKey, CustomerIdKey, JourneyStageKey } from '../workflows/kernel/search-attributes';
import { ActivityRecorder } from './helpers/fake-activities';
import { createTestWorker, devServerEnvironment, testNames } from './helpers/temporal';

const { closeJourneyUpdate, getJourneyQuery, JOURNEY_MESSAGES, journeyWorkflowId } = customerJourneyContract;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

async function closeJourney(customerId: string): Promise<void> {
  const handle = env.client.workflow.getHandle(journeyWorkflowId(customerId));
  await handle.executeUpdate(closeJourneyUpdate, { args: [{ reason: 'test finished', force: true }] });
  await handle.result();
}

describe('backends reach a journey idempotently', () => {
  it('update-with-start starts a journey once and reaches it on the next inquiry', async () => {
    const { taskQueue } = testNames();
    const customerId = `C-UWS-${taskQueue.slice(-8)}`;
    const worker = await createTestWorker(env, { taskQueue, activities: new ActivityRecorder().activities });
    await worker.runUntil(async () => {
      const first = await startOrReachJourney(
        env.client,
        {
          customerId,
          channel: 'email',
          inquiry: 'Pricing for 50 seats',
          inquiryId: 'crm-1',
          contact: { name: 'Han Mei' },
        },
        { taskQueue },
      );
      expect(first).toMatchObject({
        journeyId: journeyWorkflowId(customerId),
        created: true,
        inquiries: 1,
        stage: 'inquiry',
      });

      const again = await startOrReachJourney(
        env.client,
        { customerId, channel: 'phone', inquiry: 'Calls about the same offer', inquiryId: 'crm-2' },
        { taskQueue },
      );
      expect(again).toMatchObject({ created: false, recorded: true, inquiries: 2, runId: first.runId });

      const redelivered = await startOrReachJourney(
        env.client,
        { customerId, channel: 'phone', inquiry: 'Calls about the same offer', inquiryId: 'crm-2' },
        { taskQueue },
      );
      expect(redelivered).toMatchObject({ recorded: false, inquiries: 2, runId: first.runId });

      await notifyInquiry(
        env.client,
        { customerId, channel: 'social', inquiry: 'Asked on WeChat', inquiryId: 'crm-3' },
        { taskQueue },
      );
      await expect
        .poll(async () => (await readJourney(env.client, customerId)).inquiries.length, { timeout: 15_000 })
        .toBe(3);

      await expect
        .poll(
          async () =>
            (await env.client.workflow.count(`WorkflowId = '${journeyWorkflowId(customerId)}'`)).count,
          {
            timeout: 15_000,
          },
        )
        .toBe(1);
      await closeJourney(customerId);
    });
  });

  it('signal-with-start starts a journey for a customer who has none', async () => {
    const { taskQueue } = testNames();
    const customerId = `C-SWS-${taskQueue.slice(-8)}`;
    const worker = await createTestWorker(env, { taskQueue, activities: new ActivityRecorder().activities });
    await worker.runUntil(async () => {
      const workflowId = await notifyInquiry(
        env.client,
        { customerId, channel: 'phone', inquiry: 'Missed call' },
        { taskQueue },
      );
      expect(workflowId).toBe(journeyWorkflowId(customerId));
      // The starting inquiry and the signal carry the same inquiry id: recorded once.
      await expect
        .poll(async () => (await readJourney(env.client, customerId)).inquiries.length, { timeout: 15_000 })
        .toBe(1);
      await closeJourney(customerId);
    });
  });

  it('the helpers validate before they send, naming each field', async () => {
    const error = await startOrReachJourney(env.client, {
      customerId: 'bad id',
      inquiry: '',
      channel: 'fax',
    } as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^customerId: must be an opaque CRM id/),
        'channel: must be one of phone, email, online-chat, social, walk-in',
        'inquiry: must summarise what the customer asked',
      ]),
    );
    await expect(
      reportIssue(env.client, 'C-1', { description: '', severity: 'meh' } as never),
    ).rejects.toThrow(/description: must describe the issue; severity: must be one of/);
  });
});

describe('what ops see', () => {
  it('a journey shows its stage, customer and channel as search attributes, and described handlers', async () => {
    const { taskQueue } = testNames();
    const customerId = `C-VIS-${taskQueue.slice(-8)}`;
    const worker = await createTestWorker(env, { taskQueue, activities: new ActivityRecorder().activities });
    await worker.runUntil(async () => {
      await startOrReachJourney(
        env.client,
        { customerId, channel: 'online-chat', inquiry: 'Demo request' },
        { taskQueue },
      );
      const handle = env.client.workflow.getHandle(journeyWorkflowId(customerId));
      await handle.query(getJourneyQuery);
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(CustomerIdKey)).toBe(customerId);
      expect(description.typedSearchAttributes.get(JourneyStageKey)).toBe('inquiry');
      expect(description.typedSearchAttributes.get(ChannelKey)).toBe('online-chat');
      expect(await description.staticSummary()).toContain(customerId);
      const metadata = await handle.query<{
        currentDetails?: string;
        definition?: { updateDefinitions?: { name: string; description?: string }[] };
      }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toContain('**Stage:** inquiry');
      expect(
        metadata.definition?.updateDefinitions?.find((d) => d.name === 'signContract')?.description,
      ).toBe(JOURNEY_MESSAGES.signContract.description);
      // No personal data in search attributes or the workflow id (decoded: the raw ones are bytes,
      // where the text could never be found).
      const indexed = JSON.stringify(description.typedSearchAttributes.getAll());
      expect(indexed).toContain(customerId);
      expect(indexed).not.toContain('Demo request');
      expect(description.workflowId).not.toContain('Demo request');
      await expect
        .poll(
          async () =>
            (await env.client.workflow.count(`JourneyStage = 'inquiry' AND CustomerId = '${customerId}'`))
              .count,
          {
            timeout: 15_000,
          },
        )
        .toBe(1);
      await closeJourney(customerId);
    });
  });
});
