/**
 * `afterSalesCase` category procedures on the time-skipping test server (rules AS-7, AS-8, AS-9):
 * a carrier solution within 24 hours, a cosmetic exchange within 48, a safety hazard's recall.
 */
import { describe, expect, it } from 'vitest';
import {
  agentRespondedSignal,
  carrierUpdateSignal,
  resolveUpdate,
  type AfterSalesCaseInput,
} from '../workflows/after-sales-case/contract';
import { clockOf, HOUR, MINUTE, withCaseWorker } from './helpers/case-harness';
import { timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

describe('category procedures', () => {
  const logistics: AfterSalesCaseInput = {
    customerId: 'C-5',
    description: 'Parcel arrived crushed',
    category: 'logistics',
    severity: 'function-failure',
    product: { orderId: 'O-77', carrier: 'SF' },
  };

  // Asserts the numbers of docs/rules.md AS-7.
  it('logistics damage opens a carrier claim and is met when a solution is agreed within 24 hours', async () => {
    await withCaseWorker(env(), async ({ start, view, waitFor, recorder }) => {
      const handle = await start(logistics);
      await waitFor(handle, (v) => v.assignee !== undefined);
      expect(recorder.of('openCarrierClaim', { orderId: 'O-77', carrier: 'SF' })).toHaveLength(1);
      expect(clockOf(await view(handle), 'carrier-solution')).toMatchObject({
        budgetHours: 24,
        state: 'running',
      });
      await env().sleep(20 * HOUR);
      await handle.signal(carrierUpdateSignal, { status: 'solution-agreed', claimId: 'CLAIM-1' });
      const v = await waitFor(handle, (view) => clockOf(view, 'carrier-solution').state === 'fulfilled');
      expect(clockOf(v, 'carrier-solution').breached).toBe(false);
    });
  });

  // Asserts the numbers of docs/rules.md AS-7.
  it('logistics damage without a carrier solution breaches at 24 hours', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      const handle = await start(logistics);
      await handle.signal(agentRespondedSignal, {});
      await env().sleep(24 * HOUR + MINUTE);
      const v = await view(handle);
      expect(clockOf(v, 'carrier-solution').breached).toBe(true);
      expect(v.slaBreached).toBe(true);
    });
  });

  // Asserts the numbers of docs/rules.md AS-8.
  it('a cosmetic quality problem must be exchanged within 48 hours', async () => {
    await withCaseWorker(env(), async ({ start, view, recorder }) => {
      const handle = await start({
        customerId: 'C-6',
        description: 'Scratched lid',
        category: 'quality',
        severity: 'cosmetic',
      });
      expect(clockOf(await view(handle), 'exchange')).toMatchObject({ budgetHours: 48, basis: 'calendar' });
      await env().sleep(30 * HOUR);
      const result = await handle.executeUpdate(resolveUpdate, { args: [{ type: 'replace' }] });
      expect(result).toMatchObject({ status: 'resolved', resolutionType: 'replace', reference: 'SHIP-1' });
      const exchange = clockOf(await view(handle), 'exchange');
      expect(exchange).toMatchObject({ state: 'fulfilled', breached: false });
      expect(recorder.of('shipReplacement')).toHaveLength(1);
    });
  });

  // Asserts the numbers of docs/rules.md AS-8.
  it('a cosmetic flaw not exchanged within 48 hours breaches then, not a minute before', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      const handle = await start({
        customerId: 'C-6b',
        description: 'Dented corner',
        category: 'quality',
        severity: 'cosmetic',
      });
      await handle.signal(agentRespondedSignal, {});
      await env().sleep(48 * HOUR - MINUTE);
      expect(clockOf(await view(handle), 'exchange')).toMatchObject({ state: 'running', breached: false });
      await env().sleep(2 * MINUTE);
      const late = await view(handle);
      expect(clockOf(late, 'exchange').breached).toBe(true);
      expect(late.slaBreached).toBe(true);
    });
  });

  // Asserts the numbers of docs/rules.md AS-9.
  it('a safety hazard opens a recall at once, with the batch for traceability', async () => {
    await withCaseWorker(env(), async ({ start, waitFor, recorder }) => {
      const handle = await start({
        customerId: 'C-7',
        description: 'Charger overheats and smokes',
        category: 'quality',
        severity: 'safety-hazard',
        product: { sku: 'CHG-65W', batch: 'B2026-10' },
      });
      const v = await waitFor(handle, (view) => clockOf(view, 'recall').state === 'fulfilled');
      const recall = clockOf(v, 'recall');
      expect(recall).toMatchObject({ budgetHours: 1, basis: 'calendar', breached: false });
      expect(Date.parse(recall.fulfilledAt!) - Date.parse(recall.startedAt)).toBeLessThan(HOUR);
      expect(recorder.of('openRecall', { sku: 'CHG-65W', batch: 'B2026-10' })).toHaveLength(1);
      expect(v.priority).toBe('P1');
      expect(v.escalationLevel).toBe('specialist-team');
      // The notice follows the recall's opening, in the next activity.
      await expect
        .poll(() => recorder.of('notifyCustomer', { template: 'recall-notice' }).length, { timeout: 20_000 })
        .toBe(1);
    });
  });
});
