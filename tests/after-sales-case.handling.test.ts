/**
 * After-sales handling to the letter (rules AS-13, AS-17, AS-18, AS-19) on the time-skipping test
 * server: the guarantee's month and who caused the fault decide between replace/refund and a free
 * repair with parts at cost; a complaint of any category follows the six steps and a serious one
 * goes to management at once; a case escalated to management by hand gets management's round.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeComplaintStepUpdate,
  escalateUpdate,
  resolveUpdate,
  submitFeedbackUpdate,
  type AfterSalesCaseInput,
} from '../workflows/after-sales-case/contract';
import { withCaseWorker } from './helpers/case-harness';
import { rejectionOf, timeSkippingEnvironment } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

/** The server's today, minus `days`, as YYYY-MM-DD. */
async function daysAgo(days: number): Promise<string> {
  return new Date((await env.currentTimeMs()) - days * 86_400_000).toISOString().slice(0, 10);
}

const broken = (purchasedAt: string, extra: Partial<AfterSalesCaseInput> = {}): AfterSalesCaseInput => ({
  customerId: 'C-G1',
  description: 'Blender stopped working',
  category: 'quality',
  severity: 'function-failure',
  product: { sku: 'BL-1', purchasedAt },
  ...extra,
});

describe('the guarantee (AS-18)', () => {
  it('past the month, replace and refund are refused naming why; the repair is free with parts at cost, and the customer is told', async () => {
    const bought = await daysAgo(45);
    await withCaseWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(broken(bought));
      for (const type of ['replace', 'refund'] as const) {
        expect(await rejectionOf(handle.executeUpdate(resolveUpdate, { args: [{ type }] }))).toBe(
          `${type} is offered within 30 days of purchase for faults of ours; bought on ${bought}, 45 days ago (more than 30): repair it free, parts at cost`,
        );
      }
      const repair = await handle.executeUpdate(resolveUpdate, {
        args: [{ type: 'repair', mode: 'in-store' }],
      });
      expect(repair).toMatchObject({ status: 'repair-scheduled' });
      expect(recorder.of('scheduleRepair')[0]!.request).toMatchObject({
        partsAtCost: true,
        inWarranty: true,
      });
      await waitFor(handle, (v) => v.stage === 'repairing');
      await expect.poll(() => recorder.of('notifyCustomer', { template: 'repair-scheduled' }).length).toBe(1);
      expect(recorder.of('notifyCustomer', { template: 'repair-scheduled' })[0]!.request.data).toMatchObject({
        partsAtCost: true,
      });
    });
  });

  it('a customer-caused fault is repaired, not refunded, even in the first month', async () => {
    const bought = await daysAgo(3);
    await withCaseWorker(env, async ({ start }) => {
      const handle = await start(broken(bought, { cause: 'customer-caused' }));
      expect(await rejectionOf(handle.executeUpdate(resolveUpdate, { args: [{ type: 'refund' }] }))).toMatch(
        /^refund is offered within 30 days of purchase for faults of ours; the customer caused the fault/,
      );
    });
  });

  it('within the month a fault of ours is replaced on request; a safety hazard always is', async () => {
    const recent = await daysAgo(10);
    const old = await daysAgo(200);
    await withCaseWorker(env, async ({ start, recorder }) => {
      const fresh = await start(broken(recent, { customerId: 'C-G2', cause: 'quality' }));
      expect(await fresh.executeUpdate(resolveUpdate, { args: [{ type: 'replace' }] })).toMatchObject({
        resolutionType: 'replace',
      });
      const hazard = await start(
        broken(old, { customerId: 'C-G3', severity: 'safety-hazard', description: 'Battery swells' }),
      );
      expect(await hazard.executeUpdate(resolveUpdate, { args: [{ type: 'refund' }] })).toMatchObject({
        resolutionType: 'refund',
      });
      expect(recorder.of('shipReplacement')).toHaveLength(1);
    });
  });
});

describe('complaints of any kind (AS-13, AS-19)', () => {
  it('a technical case marked a complaint follows the six steps before its remedy', async () => {
    await withCaseWorker(env, async ({ start }) => {
      const handle = await start({
        customerId: 'C-K1',
        description: 'Third outage this month, nobody called back',
        category: 'technical',
        complaint: 'ordinary',
      });
      expect(
        await rejectionOf(
          handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'explained' }] }),
        ),
      ).toBe(
        'a complaint is resolved after its first five steps; missing: listen, apologise, collect-facts, propose-solution, ask-opinion',
      );
      for (const step of [
        'listen',
        'apologise',
        'collect-facts',
        'propose-solution',
        'ask-opinion',
      ] as const) {
        await handle.executeUpdate(completeComplaintStepUpdate, { args: [{ step }] });
      }
      expect(
        await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'explained' }] }),
      ).toMatchObject({
        status: 'resolved',
      });
    });
  });

  it('a serious complaint is reported to management at once and handled by it', async () => {
    await withCaseWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start({
        customerId: 'C-K2',
        description: 'Staff were rude and the refund never came',
        category: 'logistics',
        complaint: 'serious',
      });
      const view = await waitFor(handle, (v) => v.escalationLevel === 'management');
      expect(view.team).toBe('management');
      await expect
        .poll(() =>
          recorder.of('notifyStaff', { audience: 'management' }).map((call) => call.request.idempotencyKey),
        )
        .toEqual([`${handle.workflowId}/complaint/serious`]);
    });
  });
});

describe('management (AS-17)', () => {
  it('a case escalated to management by hand is handled again after its first unhappy revisit, then closes', async () => {
    await withCaseWorker(env, async ({ start, view }) => {
      const handle = await start({ customerId: 'C-M1', description: 'Keeps failing', category: 'service' });
      for (const step of [
        'listen',
        'apologise',
        'collect-facts',
        'propose-solution',
        'ask-opinion',
      ] as const) {
        await handle.executeUpdate(completeComplaintStepUpdate, { args: [{ step }] });
      }
      await handle.executeUpdate(escalateUpdate, { args: [{ level: 'management', reason: 'key account' }] });
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'first try' }] });
      const first = await handle.executeUpdate(submitFeedbackUpdate, {
        args: [{ csat: 1, resolved: false }],
      });
      expect(first.outcome).toBe('escalated-to-management');
      await expect.poll(async () => (await view(handle)).stage).toBe('in-progress');
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'management visit' }] });
      const second = await handle.executeUpdate(submitFeedbackUpdate, {
        args: [{ csat: 2, resolved: false }],
      });
      expect(second.outcome).toBe('closed');
      expect(await handle.result()).toMatchObject({
        outcome: 'closed-unsatisfied',
        reopenCount: 1,
        team: 'management',
      });
    });
  });
});
