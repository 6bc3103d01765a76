/**
 * A backend's whole job through the package entry alone, on the real dev server: encryption keys
 * and the data converter, starting a journey, signalling and updating it and its case, reading
 * them back, and the codec server the Web UI decodes with. Only the Temporal SDK (which a backend
 * has anyway) and the test's own worker set-up come from elsewhere.
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AFTER_SALES_CASE_WORKFLOW,
  Channel,
  customerJourneyContract,
  DEFAULT_TASK_QUEUE,
  EncryptionCodec,
  encryptedDataConverter,
  generateKey,
  getCaseQuery,
  getCaseTimelineQuery,
  getJourneyQuery,
  IssueCategory,
  journeyWorkflowId,
  newInquirySignal,
  Priority,
  PromisedTerms,
  readCase,
  startCase,
  resolveUpdate,
  sendFeedback,
  signalCase,
  startCodecServer,
  startOrReachJourney,
  Team,
  ValidationError,
} from '../index';
import { ActivityRecorder } from './helpers/fake-activities';
import { createTestWorker, devServerEnvironment, testNames } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

it('the vocabulary of a caller’s input is exported, with the schemas that check it', () => {
  expect(Channel.options).toContain('walk-in');
  expect(Priority.options).toEqual(['P1', 'P2', 'P3', 'P4']);
  expect(Team.options).toContain('senior-engineers');
  expect(IssueCategory.options).toContain('logistics');
  expect(DEFAULT_TASK_QUEUE).toBe('customer-journey');
  const terms = PromisedTerms.safeParse({ warrantyUntil: 'next year' });
  expect(terms.success).toBe(false);
  expect(terms.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['warrantyUntil']);
});

it('a backend starts, signals, updates and reads journeys and cases with encrypted payloads, and the codec server decodes them', async () => {
  const { taskQueue } = testNames();
  const customerId = `C-PKG-${taskQueue.slice(-8)}`;
  const codec = new EncryptionCodec({
    keys: new Map([['k1', Buffer.from(generateKey(), 'base64')]]),
    activeKeyId: 'k1',
  });
  const dataConverter = encryptedDataConverter(codec);
  const client = new Client({ connection: env.connection, dataConverter });
  const worker = await createTestWorker(env, {
    taskQueue,
    dataConverter,
    activities: new ActivityRecorder().activities,
  });
  await worker.runUntil(async () => {
    // Start (or reach) the customer's journey; a bad input is refused before anything is sent.
    await expect(
      startOrReachJourney(client, { customerId, channel: 'fax', inquiry: 'x' } as never, { taskQueue }),
    ).rejects.toBeInstanceOf(ValidationError);
    const reached = await startOrReachJourney(
      client,
      { customerId, channel: 'email', inquiry: 'Pricing for 50 seats', contact: { name: 'Han Mei' } },
      { taskQueue },
    );
    expect(reached).toMatchObject({ journeyId: journeyWorkflowId(customerId), created: true });

    // Signal and query it with the message definitions exported by name.
    const journey = client.workflow.getHandle(reached.journeyId);
    await journey.signal(newInquirySignal, {
      inquiryId: 'crm-2',
      channel: 'phone',
      summary: 'And training?',
    });
    await expect.poll(async () => (await journey.query(getJourneyQuery)).inquiries.length).toBe(2);

    // A case (this customer has no contract yet, so it stands alone), signalled, updated, read
    // and answered.
    const caseWorkflowId = await startCase(
      client,
      { customerId, description: 'Screen flickers', category: 'technical', channel: 'phone' },
      { taskQueue },
    );
    const handle = client.workflow.getHandle(caseWorkflowId);
    expect((await handle.describe()).type).toBe(AFTER_SALES_CASE_WORKFLOW);
    expect((await handle.query(getCaseQuery)).team).toBe('senior-engineers');
    await signalCase(client, caseWorkflowId, 'agentResponded', { kind: 'human' });
    await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'update the driver' }] });
    expect((await readCase(client, caseWorkflowId)).stage).toBe('revisit');
    const timeline = await handle.query(getCaseTimelineQuery);
    expect(timeline.entries.some((entry) => entry.type === 'resolved')).toBe(true);
    await sendFeedback(client, caseWorkflowId, { csat: 5, nps: 9, resolved: true });
    await handle.result();

    // What the server stores is ciphertext; the codec server gives the Web UI the journey's input.
    const { history } = await env.connection.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: reached.journeyId },
    });
    const input = history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(input.data!).includes('Han Mei')).toBe(false);
    const server = await startCodecServer({ port: 0, codec, corsOrigin: 'http://localhost:8233' });
    try {
      const response = await fetch(`${server.url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default' },
        body: JSON.stringify({
          payloads: [
            {
              metadata: Object.fromEntries(
                Object.entries(input.metadata!).map(([key, value]) => [
                  key,
                  Buffer.from(value).toString('base64'),
                ]),
              ),
              data: Buffer.from(input.data!).toString('base64'),
            },
          ],
        }),
      });
      expect(response.status).toBe(200);
      const { payloads } = (await response.json()) as { payloads: { data: string }[] };
      expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toMatchObject({
        customerId,
        contact: { name: 'Han Mei' },
      });
    } finally {
      await server.close();
    }

    await journey.executeUpdate(customerJourneyContract.closeJourneyUpdate, {
      args: [{ reason: 'test finished', force: true }],
    });
  });
});
