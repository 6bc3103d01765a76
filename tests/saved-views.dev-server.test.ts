/**
 * The README's saved views, exercised on the real dev server against cases and journeys the test
 * creates (tiny windows through the policy, so breaches happen in seconds).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { savedViews, startOfWeek } from '../lib/saved-views';
import type { afterSalesCase, customerJourney } from '../workflows';
import {
  agentRespondedSignal,
  carrierUpdateSignal,
  closeCaseUpdate,
  getCaseQuery,
  resolveUpdate,
  submitFeedbackUpdate,
  type AfterSalesCaseInput,
} from '../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  journeyWorkflowId,
  markLostUpdate,
  submitPresalesFeedbackUpdate,
} from '../workflows/customer-journey/contract';
import { CustomerIdKey } from '../workflows/kernel/search-attributes';
import { ActivityRecorder } from './helpers/fake-activities';
import { createTestWorker, devServerEnvironment, testNames } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const SECONDS = (n: number) => n / 3600;

it('startOfWeek is Monday 00:00 UTC', () => {
  expect(startOfWeek(new Date('2026-11-22T18:00:00Z')).toISOString()).toBe('2026-11-16T00:00:00.000Z');
  expect(startOfWeek(new Date('2026-11-23T00:00:00Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z');
});

it('every saved view finds exactly the cases and journeys it promises', async () => {
  const { taskQueue, workflowId } = testNames();
  const tag = taskQueue.slice(-8);
  const customer = (name: string) => `C-SV-${tag}-${name}`;
  const worker = await createTestWorker(env, { taskQueue, activities: new ActivityRecorder().activities });
  await worker.runUntil(async () => {
    const startCase = (name: string, input: Omit<AfterSalesCaseInput, 'customerId'>) =>
      env.client.workflow.start<typeof afterSalesCase>('afterSalesCase', {
        taskQueue,
        workflowId: workflowId(name),
        args: [{ ...input, customerId: customer(name) }],
      });
    const outage = {
      description: 'Outage',
      category: 'technical',
      severity: 'service-outage',
      scope: 'many-customers',
    } as const;

    // A P1 of an A-grade customer whose first reply is due in 2 seconds (1 in the A lane): it
    // breaches and escalates while we wait.
    const breached = await startCase('breached', {
      ...outage,
      customerGrade: 'A',
      policy: { firstReply: { P1: { hours: SECONDS(2), basis: 'calendar' } } },
    });
    // An open P3 with a deadline far away.
    // It repeats an earlier case of the customer (its journey found it).
    const routine = await startCase('routine', {
      description: 'Slow app',
      category: 'technical',
      repeatOf: 'journey-C-SV-earlier/case-1',
    });
    // Resolved, revisited, answered unsatisfied (reopened).
    const unhappy = await startCase('unhappy', { description: 'Noise' });
    await unhappy.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'tighten' }] });
    await unhappy.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 2, resolved: false }] });
    // Resolved and satisfied, always drawn for QA.
    const sampled = await startCase('sampled', { description: 'Question', policy: { qaSampleRate: 1 } });
    await sampled.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'answered' }] });
    await sampled.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, resolved: true }] });
    await sampled.result();
    // Resolved, no answer within a 2-second revisit window.
    const overdue = await startCase('overdue', {
      description: 'Rattle',
      policy: { revisit: { hours: SECONDS(2), basis: 'calendar' } },
    });
    await overdue.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'check the screws' }] });
    // Answered by an assisted (drafted) reply nobody has reviewed yet.
    const drafted = await startCase('drafted', { description: 'Where is the manual?' });
    await drafted.signal(agentRespondedSignal, { kind: 'assisted' });
    // A parcel lost in transit: the claim is open until the carrier settles it.
    const parcel = await startCase('parcel', {
      description: 'Parcel never arrived',
      category: 'logistics',
      shipmentProblem: 'loss',
    });

    // Closed by ops with nothing carried out: it lowers the resolution rate.
    const unresolved = await startCase('unresolved', { description: 'Wrong invoice' });
    await unresolved.executeUpdate(closeCaseUpdate, { args: [{ reason: 'other', note: 'sent to billing' }] });
    await unresolved.result();

    const startJourney = (name: string) =>
      env.client.workflow.start<typeof customerJourney>('customerJourney', {
        taskQueue,
        workflowId: journeyWorkflowId(customer(name)),
        args: [{ customerId: customer(name), channel: 'email', inquiry: 'Interested' }],
      });
    const waiting = await startJourney('waiting');
    const lost = await startJourney('lost');
    await lost.executeUpdate(markLostUpdate, { args: [{ reason: 'competitor' }] });

    await expect
      .poll(async () => (await breached.query(getCaseQuery)).slaBreached, { timeout: 20_000 })
      .toBe(true);
    await expect
      .poll(async () => (await overdue.query(getCaseQuery)).stage, { timeout: 20_000 })
      .toBe('revisit-overdue');

    const names = [
      'breached',
      'routine',
      'unhappy',
      'sampled',
      'overdue',
      'drafted',
      'parcel',
      'unresolved',
      'waiting',
      'lost',
    ];
    const scope = `CustomerId IN (${names.map((name) => `'${customer(name)}'`).join(', ')})`;
    const expected: Record<string, string[]> = {
      'Open P1 cases': ['breached'],
      'Due within 2 hours': ['breached', 'overdue'],
      'Breached SLAs this week': ['breached', 'overdue'],
      'Escalated and open': ['breached', 'unhappy'],
      'Unsatisfied revisits': ['unhappy'],
      'Overdue revisits': ['overdue'],
      'QA sample this week': ['sampled'],
      'Assisted replies awaiting review': ['drafted'],
      'Carrier claims not settled': ['parcel'],
      'Closed without a resolution this week': ['unresolved'],
      'Open cases of one team': ['parcel'],
      'A-grade customers’ open cases': ['breached'],
      'Customers at SLA risk': [],
      'Repeat issues this week': ['routine'],
      'Cases of one customer': ['routine'],
      'Inquiries waiting for a first response': ['waiting'],
      'Deliveries running late': [],
      'Root-cause analyses overdue': [],
      'Lost prospects this week': ['lost'],
    };
    const views = savedViews(new Date(), customer('routine'), 'logistics-desk');
    expect(views.map((view) => view.name).sort()).toEqual(Object.keys(expected).sort());
    for (const view of views) {
      const query = `(${view.query}) AND ${scope}`;
      await expect
        .poll(
          async () => {
            const found: string[] = [];
            for await (const execution of env.client.workflow.list({ query })) {
              const customerId = execution.typedSearchAttributes.get(CustomerIdKey);
              found.push(
                names.find((name) => customer(name) === customerId) ?? `unknown ${execution.workflowId}`,
              );
            }
            return found.sort();
          },
          { timeout: 20_000, interval: 500, message: view.name },
        )
        .toEqual(expected[view.name]!.sort());
      expect((await env.client.workflow.count(query)).count, view.name).toBe(expected[view.name]!.length);
    }

    // A case cannot close while its carrier claim is open: the carrier settles it first.
    await parcel.signal(carrierUpdateSignal, { status: 'settled', claimId: 'CL-SV' });
    for (const handle of [breached, routine, unhappy, overdue, drafted, parcel]) {
      await handle.executeUpdate(closeCaseUpdate, { args: [{ reason: 'other', note: 'test finished' }] });
      await handle.result();
    }
    await waiting.executeUpdate(closeJourneyUpdate, { args: [{ reason: 'test finished' }] });
    await waiting.result();
    // The lost prospect was still in the view while its journey waited for the pre-sales survey.
    await lost.executeUpdate(submitPresalesFeedbackUpdate, { args: [{ csat: 4 }] });
    expect(await lost.result()).toMatchObject({ outcome: 'lost', lostReason: 'competitor' });
  });
});
