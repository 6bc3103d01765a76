/**
 * `afterSalesCase` resolution on the time-skipping test server (rules AS-12, AS-13): repair,
 * replacement, refund and advice under the three guarantees, complaints' steps.
 */
import { describe, expect, it } from 'vitest';
import {
  completeComplaintStepUpdate,
  repairCompletedSignal,
  resolveUpdate,
  respondToOfferUpdate,
  submitFeedbackUpdate,
} from '../workflows/after-sales-case/contract';
import { clockOf, HOUR, MINUTE, withCaseWorker } from './helpers/case-harness';
import { rejectionOf } from './helpers/temporal';
import { timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

describe('resolution under the three guarantees', () => {
  // Asserts the numbers of docs/rules.md AS-12.
  it('an in-store repair not reported done within 72 hours breaches its repair window then, not before', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      const handle = await start({
        customerId: 'C-8b',
        description: 'Screen flickers again',
        category: 'technical',
      });
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'repair', mode: 'in-store' }] });
      await env().sleep(72 * HOUR - MINUTE);
      expect(clockOf(await view(handle), 'repair')).toMatchObject({ state: 'running', breached: false });
      await env().sleep(2 * MINUTE);
      expect(clockOf(await view(handle), 'repair')).toMatchObject({ state: 'running', breached: true });
    });
  });

  // Asserts the numbers of docs/rules.md AS-12.
  it('an in-store repair resolves when the shop reports it repaired, then the revisit starts', async () => {
    await withCaseWorker(env(), async ({ start, waitFor, recorder, timelineTypes }) => {
      const handle = await start({
        customerId: 'C-8',
        description: 'Screen flickers',
        category: 'technical',
      });
      const scheduled = await handle.executeUpdate(resolveUpdate, {
        args: [{ type: 'repair', mode: 'in-store' }],
      });
      expect(scheduled).toMatchObject({
        status: 'repair-scheduled',
        stage: 'repairing',
        reference: 'REPAIR-1',
      });
      expect(Date.parse(scheduled.dueAt!)).toBeGreaterThan(Date.now() - HOUR); // a real instant
      expect(recorder.of('scheduleRepair', { mode: 'in-store', inWarranty: true })).toHaveLength(1);
      await env().sleep(2 * 24 * HOUR);
      await handle.signal(repairCompletedSignal, { outcome: 'repaired' });
      const v = await waitFor(handle, (view) => view.stage === 'revisit');
      expect(v.resolution).toMatchObject({ type: 'repair', status: 'repaired' });
      expect(clockOf(v, 'repair')).toMatchObject({ budgetHours: 72, state: 'fulfilled', breached: false });
      expect(clockOf(v, 'resolution').state).toBe('cancelled');
      // The revisit stage comes first; the survey and the revisit task follow in the same breath.
      await expect.poll(() => timelineTypes(handle), { timeout: 15_000 }).toContain('revisit-scheduled');
      expect(recorder.of('sendSurvey')).toHaveLength(1);
    });
  });

  // Asserts the numbers of docs/rules.md AS-12.
  it('a factory repair promises about 30 days and is charged at cost out of warranty', async () => {
    await withCaseWorker(env(), async ({ start, view, recorder }) => {
      const handle = await start({
        customerId: 'C-9',
        description: 'Motor dead',
        category: 'technical',
        promisedTerms: { warrantyUntil: '2020-01-31' },
      });
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'repair', mode: 'factory' }] });
      expect(clockOf(await view(handle), 'repair').budgetHours).toBe(720);
      expect(
        recorder.of('scheduleRepair', { mode: 'factory', inWarranty: false, partsAtCost: true }),
      ).toHaveLength(1);
      // The customer is told before the repair starts that the parts are charged at cost.
      await expect
        .poll(() =>
          recorder.of('notifyCustomer', { template: 'repair-scheduled' }).map((c) => c.request.data),
        )
        .toEqual([expect.objectContaining({ mode: 'factory', partsAtCost: true })]);
    });
  });

  it('a refund resolves the case at once', async () => {
    await withCaseWorker(env(), async ({ start, recorder }) => {
      const handle = await start({ customerId: 'C-10', description: 'Wrong size', category: 'other' });
      const result = await handle.executeUpdate(resolveUpdate, {
        args: [{ type: 'refund', refund: { amount: 199, currency: 'CNY' } }],
      });
      expect(result).toMatchObject({ status: 'resolved', stage: 'revisit', resolutionType: 'refund' });
      expect(recorder.of('issueRefund', { amount: 199, currency: 'CNY' })).toHaveLength(1);
    });
  });

  it('a replacement that cannot ship falls back to a refund only when the customer agrees', async () => {
    await withCaseWorker(
      env(),
      async ({ start, view, recorder }) => {
        const handle = await start({
          customerId: 'C-11',
          description: 'Dead on arrival',
          category: 'quality',
        });
        const offered = await handle.executeUpdate(resolveUpdate, {
          args: [{ type: 'replace', refundValue: { amount: 899, currency: 'CNY' } }],
        });
        expect(offered).toMatchObject({ status: 'awaiting-customer-decision', stage: 'awaiting-customer' });
        const waiting = await view(handle);
        expect(waiting.pendingOffer).toMatchObject({ kind: 'refund', reason: 'out-of-stock' });
        expect(clockOf(waiting, 'resolution').paused).toBe(true);
        expect(recorder.of('issueRefund')).toHaveLength(0);
        expect(recorder.of('notifyCustomer', { template: 'refund-offer' })).toHaveLength(1);
        expect(
          await rejectionOf(handle.executeUpdate(resolveUpdate, { args: [{ type: 'refund' }] })),
        ).toMatch(/respondToOffer/);

        const accepted = await handle.executeUpdate(respondToOfferUpdate, { args: [{ accepted: true }] });
        expect(accepted).toMatchObject({ status: 'resolved', resolutionType: 'refund' });
        expect(recorder.of('issueRefund', { amount: 899, currency: 'CNY' })).toHaveLength(1);
      },
      { activities: { shipReplacement: () => Promise.resolve({ shipped: false, reason: 'out-of-stock' }) } },
    );
  });

  it('a declined refund offer puts the case back in progress without refunding', async () => {
    await withCaseWorker(
      env(),
      async ({ start, view, recorder }) => {
        const handle = await start({
          customerId: 'C-12',
          description: 'Dead on arrival',
          category: 'quality',
        });
        await handle.executeUpdate(resolveUpdate, { args: [{ type: 'replace' }] });
        const declined = await handle.executeUpdate(respondToOfferUpdate, { args: [{ accepted: false }] });
        expect(declined.stage).toBe('in-progress');
        expect(recorder.of('issueRefund')).toHaveLength(0);
        expect(clockOf(await view(handle), 'resolution').state).toBe('running');
        expect(recorder.of('notifyStaff', { audience: 'assignee' }).length).toBeGreaterThan(0);
      },
      { activities: { shipReplacement: () => Promise.resolve({ shipped: false, reason: 'discontinued' }) } },
    );
  });

  // Asserts the numbers of docs/rules.md AS-13.
  it('a service complaint follows the six steps in order before it can be resolved', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      const handle = await start({ customerId: 'C-13', description: 'Rude technician', category: 'service' });
      expect(
        await rejectionOf(
          handle.executeUpdate(completeComplaintStepUpdate, { args: [{ step: 'apologise' }] }),
        ),
      ).toMatch(/next complaint step is listen/);
      expect(
        await rejectionOf(handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'sorry' }] })),
      ).toMatch(/missing: listen, apologise, collect-facts, propose-solution, ask-opinion/);
      for (const step of [
        'listen',
        'apologise',
        'collect-facts',
        'propose-solution',
        'ask-opinion',
      ] as const) {
        await handle.executeUpdate(completeComplaintStepUpdate, {
          args: [{ step, managerInvolved: step === 'propose-solution' }],
        });
      }
      await handle.executeUpdate(resolveUpdate, {
        args: [{ type: 'advice', note: 'technician retrained, voucher sent' }],
      });
      await handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 4, resolved: true }] });
      const result = await handle.result();
      expect(result.outcome).toBe('closed-satisfied');
      const steps = (await view(handle)).complaintSteps!;
      expect(steps.map((step) => step.step)).toEqual([
        'listen',
        'apologise',
        'collect-facts',
        'propose-solution',
        'ask-opinion',
        'follow-up',
      ]);
      expect(steps.find((step) => step.step === 'propose-solution')?.managerInvolved).toBe(true);
    });
  });
});
