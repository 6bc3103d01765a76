/**
 * `quoteApproval` with its journey on the time-skipping test server (rule PS-6): a quote at or
 * above the margin passes inside the journey; below it the manager decides within 4 business
 * hours, then a deputy within 4 more, else it expires; an adjusted quote goes back to the proposal.
 */
import { describe, expect, it } from 'vitest';
import {
  recordObjectionUpdate,
  submitQuoteUpdate,
  type JourneyInput,
} from '../workflows/customer-journey/contract';
import { decideQuoteUpdate } from '../workflows/quote-approval/contract';
import {
  DAY,
  HOUR,
  MINUTE,
  minutesAfter,
  openingAfter,
  skipToShanghai,
  toNegotiation,
  toQuotable,
  withJourneyWorker,
} from './helpers/journey-harness';
import { timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

const inquiry: Omit<JourneyInput, 'customerId'> = {
  channel: 'email',
  inquiry: 'A quote for 40 clinics',
  owner: 'sales-7',
};

describe('quote approval by margin', () => {
  it('a quote meeting the margin policy is approved at once and sent to the customer', async () => {
    await withJourneyWorker(env(), async ({ start, waitFor, recorder, timelineTypes }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      const v = await waitFor(handle, (view) => view.stage === 'negotiation');
      expect(v.quotes[0]).toMatchObject({ status: 'approved', decidedBy: 'policy', margin: 0.4 });
      // Nothing for a manager to decide: no approval workflow, the decision is in the journey's timeline.
      expect(v.quotes[0]!.approvalWorkflowId).toBeUndefined();
      expect(await timelineTypes(handle)).toEqual(
        expect.arrayContaining(['quote-submitted', 'quote-decided', 'quote-sent']),
      );
      await expect.poll(() => recorder.of('notifyCustomer', { template: 'quote-sent' }).length).toBe(1);
    });
  });

  it('a quote below the margin waits for the manager, who approves it', async () => {
    await skipToShanghai(env(), { hour: 10 });
    await withJourneyWorker(env(), async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toQuotable(handle);
      const quote = await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 100, cost: 90, currency: 'CNY' }],
      });
      expect(quote).toMatchObject({ autoApproved: false, margin: 0.1 });
      await waitFor(handle, (view) => view.stage === 'quote-approval');
      await expect.poll(() => recorder.of('notifyStaff', { audience: 'approver' }).length).toBe(1);
      await env().sleep(HOUR);
      const decision = await env()
        .client.workflow.getHandle(quote.approvalWorkflowId!)
        .executeUpdate(decideQuoteUpdate, { args: [{ decision: 'approve', approverId: 'mgr-1' }] });
      expect(decision).toMatchObject({ decision: 'approved', decidedBy: 'mgr-1', escalatedToDeputy: false });
      const v = await waitFor(handle, (view) => view.stage === 'negotiation');
      expect(v.quotes[0]).toMatchObject({ status: 'approved', decidedBy: 'mgr-1' });
    });
  });

  // Asserts the numbers of docs/rules.md PS-6.
  it('an approver who does not decide within 4 business hours is replaced by the deputy; without them it expires', async () => {
    await skipToShanghai(env(), { hour: 10 });
    await withJourneyWorker(env(), async ({ start, waitFor, recorder, quoteView }) => {
      const handle = await start(inquiry);
      await toQuotable(handle);
      const first = await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 100, cost: 90, currency: 'CNY' }],
      });
      await env().sleep(4 * HOUR + 60_000);
      expect((await quoteView(first.approvalWorkflowId!)).status).toBe('pending-deputy');
      expect(recorder.of('notifyStaff', { audience: 'deputy-approver' })).toHaveLength(1);
      await env()
        .client.workflow.getHandle(first.approvalWorkflowId!)
        .executeUpdate(decideQuoteUpdate, {
          args: [
            { decision: 'adjust', approverId: 'deputy-2', suggestedPrice: 120, reason: 'margin too thin' },
          ],
        });
      const adjusted = await waitFor(handle, (view) => view.stage === 'proposal');
      expect(adjusted.quotes[0]).toMatchObject({
        status: 'adjusted',
        decidedBy: 'deputy-2',
        suggestedPrice: 120,
      });
      expect(adjusted.escalated).toBe(true);

      // The second quote nobody decides: after the deputy's window too, it expires back to sales.
      const second = await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 110, cost: 90, currency: 'CNY' }],
      });
      // Eight business hours from a weekday afternoon: up to four calendar days over a weekend.
      await env().sleep(4 * DAY);
      const expired = await waitFor(handle, (view) => view.quotes[1]?.status === 'expired');
      expect(expired.stage).toBe('proposal');
      expect((await quoteView(second.approvalWorkflowId!)).decision).toMatchObject({
        decision: 'expired',
        escalatedToDeputy: true,
      });
    });
  });

  // Asserts the numbers of docs/rules.md PS-6.
  it('a margin of exactly 25 % is approved by policy inside the journey; 24.99 % goes to the manager', async () => {
    await withJourneyWorker(env(), async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toQuotable(handle);
      const edge = await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 100_000, cost: 75_000, currency: 'CNY' }],
      });
      expect(edge).toMatchObject({ autoApproved: true, margin: 0.25 });
      expect(edge.approvalWorkflowId).toBeUndefined();
      const sent = await waitFor(handle, (v) => v.stage === 'negotiation');
      expect(sent.quotes[0]).toMatchObject({ status: 'approved', decidedBy: 'policy', margin: 0.25 });
      expect(recorder.of('notifyStaff', { audience: 'approver' })).toEqual([]);

      await handle.executeUpdate(recordObjectionUpdate, {
        args: [{ reason: 'price', detail: 'a little lower, please' }],
      });
      const under = await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 100_000, cost: 75_010, currency: 'CNY' }],
      });
      expect(under).toMatchObject({ autoApproved: false, margin: 0.2499 });
      expect(under.approvalWorkflowId).toBeDefined();
      await waitFor(handle, (v) => v.stage === 'quote-approval' && v.quotes[1]?.status === 'pending');
      await expect.poll(() => recorder.of('notifyStaff', { audience: 'approver' }).length).toBe(1);
    });
  });

  // Asserts the numbers of docs/rules.md PS-6.
  it('a quote below the margin at 16:00 goes to the deputy at 11:00 the next working day and expires at 15:00', async () => {
    const submitted = (await skipToShanghai(env(), { hour: 16 })).getTime();
    await withJourneyWorker(env(), async ({ start, waitFor, quoteView }) => {
      const handle = await start(inquiry);
      await toQuotable(handle);
      const quote = await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 100, cost: 90, currency: 'CNY' }],
      });
      const approval = () => quoteView(quote.approvalWorkflowId!);
      // Two business hours that day, two the next working morning.
      const opening = openingAfter(submitted + 2 * HOUR);
      const managerDue = Date.parse((await approval()).approverDueAt!);
      expect(minutesAfter(opening, [managerDue])).toEqual([120]);

      // 20:00, four calendar hours on: still the manager's.
      await env().sleep(4 * HOUR + MINUTE);
      expect((await approval()).status).toBe('pending-approver');

      await env().sleep(managerDue + MINUTE - (await env().currentTimeMs()));
      const deputy = await approval();
      expect(deputy.status).toBe('pending-deputy');
      // The deputy's four business hours: 11:00 to 15:00.
      const deputyDue = Date.parse(deputy.deputyDueAt!);
      expect(minutesAfter(managerDue, [deputyDue])).toEqual([240]);

      await env().sleep(deputyDue - MINUTE - (await env().currentTimeMs()));
      expect((await approval()).status).toBe('pending-deputy');
      await env().sleep(2 * MINUTE);
      const expired = await waitFor(handle, (v) => v.quotes[0]?.status === 'expired');
      expect(expired.stage).toBe('proposal');
      const decision = (await approval()).decision!;
      expect(decision).toMatchObject({ decision: 'expired', escalatedToDeputy: true });
      expect(minutesAfter(deputyDue, [decision.decidedAt])).toEqual([0]);
    });
  });
});
