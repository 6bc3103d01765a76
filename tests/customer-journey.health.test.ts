/**
 * Customer-level SLA health (rule OU-2) on the time-skipping test server: a journey counts its
 * cases closed with a breach in a rolling 30 days; the third marks the customer at risk once
 * (the owner told, `NeedsAttention = customer-at-risk`), an A-grade customer's next case runs on
 * shortened windows, and the flag goes when the oldest breach leaves the window.
 */
import { describe, expect, it } from 'vitest';
import { closeCaseUpdate, type CaseResult } from '../workflows/after-sales-case/contract';
import {
  reportIssueUpdate,
  signContractUpdate,
  type JourneyInput,
} from '../workflows/customer-journey/contract';
import { NeedsAttentionKey } from '../workflows/kernel/search-attributes';
import { HOUR } from './helpers/harness';
import { toNegotiation, withJourneyWorker } from './helpers/journey-harness';
import { timeSkippingServerForFile } from './helpers/temporal';

const server = timeSkippingServerForFile();

const DAY = 24 * HOUR;

/** Cases answered within 2 calendar hours, or breached. */
const inquiry: Omit<JourneyInput, 'customerId'> = {
  channel: 'email',
  inquiry: 'Booking system for 12 clinics',
  owner: 'sales-7',
  policy: { case: { firstReply: { P3: { hours: 2, basis: 'calendar' } } } },
};

describe('customer-level SLA health (OU-2)', () => {
  // Asserts the numbers of docs/rules.md OU-2.
  it('the third case closed with a breach within 30 days flags the customer once, shortens an A-grade customer’s next case, and the flag goes when the window passes', async () => {
    const env = server();
    await withJourneyWorker(env, async ({ start, waitFor, recorder, caseView, timelineTypes }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, {
        args: [{ contractId: 'K-SH-1', terms: {}, value: { amount: 1_500_000, currency: 'CNY' } }],
      });
      await waitFor(handle, (view) => view.grade?.grade === 'A');

      /** A routine fault nobody answers in time: breached, then closed by ops. */
      const breachedCase = async (n: number) => {
        const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
          args: [{ description: `Export fails (${n})`, category: 'technical', severity: 'function-failure' }],
        });
        await env.sleep(2 * HOUR);
        await expect.poll(async () => (await caseView(caseWorkflowId)).slaBreached).toBe(true);
        const child = env.client.workflow.getHandle(caseWorkflowId);
        await child.executeUpdate(closeCaseUpdate, { args: [{ reason: 'other', note: 'test' }] });
        expect(((await child.result()) as CaseResult).slaBreached).toBe(true);
        return caseWorkflowId;
      };
      const owner = () =>
        recorder
          .of('notifyStaff', { audience: 'owner' })
          .filter((call) => String(call.request.reason).includes('at risk'));

      await breachedCase(1);
      await env.sleep(5 * DAY);
      await breachedCase(2);
      const two = await waitFor(handle, (view) => view.slaHealth?.breachedCases === 2);
      expect(two.slaHealth).toMatchObject({ flagged: 0 });
      expect(two.slaHealth?.atRiskSince).toBeUndefined();
      await env.sleep(5 * DAY);
      await breachedCase(3);
      const flagged = await waitFor(handle, (view) => view.slaHealth?.atRiskSince !== undefined);
      expect(flagged.slaHealth).toMatchObject({ breachedCases: 3, flagged: 1 });
      expect((await handle.describe()).typedSearchAttributes.get(NeedsAttentionKey)).toEqual([
        'customer-at-risk',
      ]);
      await expect.poll(() => owner().length).toBe(1);
      expect(owner()[0]!.request).toMatchObject({ staffId: 'sales-7' });
      expect(await timelineTypes(handle)).toContain('customer-at-risk');

      // An A-grade customer at risk: P3 first reply at 2 h × ½ (grade lane) × ¾ (at risk) = 0.75 h.
      const next = await handle.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'Report slow', category: 'technical', severity: 'function-failure' }],
      });
      await expect
        .poll(
          async () =>
            (await caseView(next.caseWorkflowId)).clocks.find((clock) => clock.window === 'first-reply')
              ?.budgetHours,
        )
        .toBe(0.75);
      await env.client.workflow
        .getHandle(next.caseWorkflowId)
        .executeUpdate(closeCaseUpdate, { args: [{ reason: 'other', note: 'test' }] });

      // A fourth breach would count again, but flags no second time; 30 days after the first
      // breach (closed on day 0) the count is back at 2 and the flag goes.
      await env.sleep(30 * DAY - 10 * DAY - 4 * HOUR + HOUR);
      const cleared = await waitFor(handle, (view) => view.slaHealth?.atRiskSince === undefined);
      expect(cleared.slaHealth).toMatchObject({ breachedCases: 2, flagged: 1 });
      expect((await handle.describe()).typedSearchAttributes.get(NeedsAttentionKey) ?? []).toEqual([]);
      expect(await timelineTypes(handle)).toContain('customer-no-longer-at-risk');
      expect(owner()).toHaveLength(1);
    });
  });
});
