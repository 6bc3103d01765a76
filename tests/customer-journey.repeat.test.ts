/**
 * Repeat issues (rule LE-7), on the time-skipping test server: a case about the same product
 * (else the same category) within 30 days of an earlier case of the customer is marked as a repeat
 * of it, searchable (`NeedsAttention` = `repeat-issue`); later, or about something else, it is not.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  reportIssueUpdate,
  signContractUpdate,
  type JourneyInput,
} from '../workflows/customer-journey/contract';
import { NeedsAttentionKey } from '../workflows/kernel/search-attributes';
import { DAY, toNegotiation, withJourneyWorker } from './helpers/journey-harness';
import { timeSkippingEnvironment } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const inquiry: Omit<JourneyInput, 'customerId'> = { channel: 'email', inquiry: 'Printers', owner: 'sales-7' };

describe('repeat issues (LE-7)', () => {
  it('marks a case about the same product within 30 days as a repeat of the earlier one', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, caseView, timelineTypes }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-RP-1', terms: {} }] });
      const report = (sku: string, category: 'quality' | 'logistics' = 'quality') =>
        handle.executeUpdate(reportIssueUpdate, {
          args: [{ description: 'Jams again', category, severity: 'cosmetic', product: { sku } }],
        });
      const first = await report('SKU-1');
      await env.sleep(10 * DAY);
      const again = await report('SKU-1');
      const otherProduct = await report('SKU-2');
      await expect
        .poll(async () => (await caseView(again.caseWorkflowId)).needsAttention)
        .toContain('repeat-issue');
      const repeated = env.client.workflow.getHandle(again.caseWorkflowId);
      await expect
        .poll(async () => (await repeated.describe()).typedSearchAttributes.get(NeedsAttentionKey))
        .toContain('repeat-issue');
      expect((await caseView(otherProduct.caseWorkflowId)).needsAttention ?? []).not.toContain(
        'repeat-issue',
      );
      expect((await caseView(first.caseWorkflowId)).needsAttention ?? []).not.toContain('repeat-issue');
      const view = await waitFor(handle, (v) => v.cases.length === 3);
      expect(view.cases[1]).toMatchObject({
        caseWorkflowId: again.caseWorkflowId,
        repeatOf: first.caseWorkflowId,
      });
      expect(await timelineTypes(handle)).toContain('repeat-issue');
      // More than 30 days after the last one about SKU-1: not a repeat.
      await env.sleep(31 * DAY);
      const late = await report('SKU-1');
      expect((await waitFor(handle, (v) => v.cases.length === 4)).cases[3]!.repeatOf).toBeUndefined();
      expect((await caseView(late.caseWorkflowId)).needsAttention ?? []).not.toContain('repeat-issue');
    });
  });
});
