/**
 * A customer at SLA risk as ops and analysts find them (rule OU-2), on the real dev server: three
 * cases with a one-second first reply breach and close; the journey is then listed by the saved
 * view "Customers at SLA risk" and in the analyst report's list of customers at risk.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCustomersAtRisk } from '../lib/report/at-risk';
import { savedViews } from '../lib/saved-views';
import { closeCaseUpdate } from '../workflows/after-sales-case/contract';
import { reportIssueUpdate, signContractUpdate } from '../workflows/customer-journey/contract';
import { toNegotiation, withJourneyWorker } from './helpers/journey-harness';
import { devServerEnvironment } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

describe('customers at SLA risk (OU-2)', () => {
  // Asserts the numbers of docs/rules.md OU-2.
  it('are listed by their saved view and in the report once their third case closed with a breach', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, caseView, customerId }) => {
      const customer = customerId('risk');
      const handle = await start({
        customerId: customer,
        channel: 'email',
        inquiry: 'Booking system for 3 clinics',
        owner: 'sales-7',
        policy: { case: { firstReply: { P3: { hours: 1 / 3600, basis: 'calendar' } }, qaSampleRate: 0 } },
      });
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-RISK', terms: {} }] });
      for (let n = 1; n <= 3; n++) {
        const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
          args: [{ description: `Export fails (${n})`, category: 'technical', severity: 'function-failure' }],
        });
        await expect
          .poll(async () => (await caseView(caseWorkflowId)).slaBreached, { timeout: 20_000 })
          .toBe(true);
        await env.client.workflow
          .getHandle(caseWorkflowId)
          .executeUpdate(closeCaseUpdate, { args: [{ reason: 'other', note: 'test' }] });
      }
      await waitFor(handle, (view) => view.slaHealth?.atRiskSince !== undefined);

      const view = savedViews(new Date(), customer).find((entry) => entry.name === 'Customers at SLA risk')!;
      await expect
        .poll(
          async () => {
            const found: string[] = [];
            for await (const execution of env.client.workflow.list({
              query: `(${view.query}) AND CustomerId = '${customer}'`,
            }))
              found.push(execution.workflowId);
            return found;
          },
          { timeout: 20_000, interval: 500 },
        )
        .toEqual([handle.workflowId]);
      expect(await collectCustomersAtRisk(env.client, `CustomerId = '${customer}'`)).toEqual([
        { customerId: customer, journeyId: handle.workflowId },
      ]);
    });
  });
});
