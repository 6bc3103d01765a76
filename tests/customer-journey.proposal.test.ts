/**
 * The proposal's internal review and the customer's answer (rule PS-15), on the time-skipping
 * test server with the default calendar (Asia/Shanghai business hours): reviewed before the
 * customer sees it, sent back by the reviewer or by the customer, a quote only for the version
 * the customer was sent, a review that runs out warns the reviewer and tells the owner's lead.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  proposalFeedbackUpdate,
  recordNeedsUpdate,
  reviewProposalUpdate,
  submitProposalUpdate,
  submitQuoteUpdate,
  type JourneyInput,
} from '../workflows/customer-journey/contract';
import { addWorkingTime, DEFAULT_BUSINESS_CALENDAR } from '../workflows/kernel/business-hours';
import { HOUR, skipToShanghai, withJourneyWorker, type JourneyHandle } from './helpers/journey-harness';
import { rejectionOf, timeSkippingEnvironment } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const inquiry: Omit<JourneyInput, 'customerId'> = {
  channel: 'email',
  inquiry: 'Booking system for 12 clinics',
  owner: 'sales-7',
};

async function toProposal(handle: JourneyHandle, title = 'Cloud plan') {
  await handle.executeUpdate(recordNeedsUpdate, {
    args: [{ requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }] }],
  });
  return handle.executeUpdate(submitProposalUpdate, { args: [{ alternatives: [{ id: 'A', title }] }] });
}

const quote = (handle: JourneyHandle) =>
  handle.executeUpdate(submitQuoteUpdate, {
    args: [{ alternativeId: 'A', price: 100_000, cost: 60_000, currency: 'CNY' }],
  });

describe('proposal review (PS-15)', () => {
  // Asserts the numbers of docs/rules.md PS-15.
  it('is reviewed before the customer sees it; the reviewer and then the customer can send it back', async () => {
    await skipToShanghai(env, { hour: 10 });
    await withJourneyWorker(env, async ({ start, waitFor, recorder, timelineTypes }) => {
      const handle = await start(inquiry);
      await toProposal(handle);
      const inReview = await waitFor(handle, (view) => view.proposalReview !== undefined);
      expect(inReview.proposalReview).toMatchObject({
        version: 1,
        reviewer: 'sales-lead',
        status: 'pending',
      });
      // 4 business hours from 10:00 Shanghai: 14:00 the same day.
      expect(
        Date.parse(inReview.proposalReview!.dueAt!) - Date.parse(inReview.proposalReview!.requestedAt),
      ).toBe(4 * HOUR);
      expect(recorder.of('createTask', { kind: 'proposal-review' })[0]!.request).toMatchObject({
        owner: 'sales-lead',
      });
      expect(recorder.of('notifyCustomer', { template: 'proposal-sent' })).toHaveLength(0);
      expect(await rejectionOf(quote(handle))).toBe('proposal v1 is waiting for review by sales-lead');
      expect(
        await rejectionOf(handle.executeUpdate(proposalFeedbackUpdate, { args: [{ verdict: 'accept' }] })),
      ).toBe('proposal v1 has not been sent to the customer (pending)');
      expect(
        await rejectionOf(
          handle.executeUpdate(reviewProposalUpdate, { args: [{ decision: 'revise', reviewer: 'lead-1' }] }),
        ),
      ).toMatch(/comments: say what to revise$/);

      // Sent back by the reviewer: the owner revises.
      const sentBack = await handle.executeUpdate(reviewProposalUpdate, {
        args: [{ decision: 'revise', reviewer: 'lead-1', comments: 'add the training plan' }],
      });
      expect(sentBack).toMatchObject({
        status: 'revise',
        reviewer: 'lead-1',
        comments: 'add the training plan',
      });
      expect(recorder.of('createTask', { kind: 'proposal-revision' })[0]!.request).toMatchObject({
        owner: 'sales-7',
      });
      expect(await rejectionOf(quote(handle))).toBe(
        'proposal v1 was sent back by its reviewer; submit a revised proposal',
      );

      // v2 approved: the customer gets it.
      await handle.executeUpdate(submitProposalUpdate, {
        args: [{ alternatives: [{ id: 'A', title: 'Cloud plan with training' }] }],
      });
      const approved = await handle.executeUpdate(reviewProposalUpdate, {
        args: [{ decision: 'approve', reviewer: 'lead-1' }],
      });
      expect(approved).toMatchObject({ version: 2, status: 'sent' });
      expect(recorder.of('notifyCustomer', { template: 'proposal-sent' }).map((c) => c.request)).toEqual([
        expect.objectContaining({ data: { version: 2, alternatives: 'Cloud plan with training' } }),
      ]);

      // The customer asks for changes: back to the owner, no quote until a new version is sent.
      const customer = await handle.executeUpdate(proposalFeedbackUpdate, {
        args: [{ verdict: 'revise', comments: 'a cheaper option please' }],
      });
      expect(customer).toMatchObject({
        status: 'customer-revise',
        customerComments: 'a cheaper option please',
      });
      expect(recorder.of('createTask', { kind: 'proposal-revision' })).toHaveLength(2);
      expect(await rejectionOf(quote(handle))).toBe(
        'proposal v2 was sent back by the customer; submit a revised proposal',
      );
      await handle.executeUpdate(submitProposalUpdate, {
        args: [{ alternatives: [{ id: 'A', title: 'Lean cloud plan' }] }],
      });
      await handle.executeUpdate(reviewProposalUpdate, {
        args: [{ decision: 'approve', reviewer: 'lead-1' }],
      });
      expect(
        await handle.executeUpdate(proposalFeedbackUpdate, { args: [{ verdict: 'accept' }] }),
      ).toMatchObject({ version: 3, status: 'accepted' });
      await quote(handle);
      await waitFor(handle, (view) => view.stage === 'negotiation');
      expect(await timelineTypes(handle)).toEqual(
        expect.arrayContaining([
          'proposal-in-review',
          'proposal-revision-requested',
          'proposal-approved',
          'proposal-sent',
          'proposal-feedback',
          'proposal-accepted',
        ]),
      );
    });
  });

  // Asserts the numbers of docs/rules.md PS-15.
  it('a review that runs out warns the reviewer at 75 %, tells the owner’s lead and escalates', async () => {
    // At 16:00 the four business hours run to 11:00 the next working day, not to 20:00.
    await skipToShanghai(env, { hour: 16 });
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toProposal(handle);
      const review = (await waitFor(handle, (view) => view.proposalReview !== undefined)).proposalReview!;
      const dueAt = Date.parse(review.dueAt!);
      expect(dueAt).toBe(Date.parse(addWorkingTime(review.requestedAt, 4 * HOUR, DEFAULT_BUSINESS_CALENDAR)));
      expect(new Date(dueAt + 8 * HOUR).getUTCHours()).toBe(11);
      await env.sleep(4 * HOUR + 60_000);
      expect(recorder.of('notifyStaff', { window: 'proposal-review' })).toEqual([]);
      // 10:00, 75 % of the review's time: the reviewer is warned, nobody else yet.
      await env.sleep(dueAt - HOUR + 60_000 - (await env.currentTimeMs()));
      await expect
        .poll(() => recorder.of('notifyStaff', { window: 'proposal-review' }).map((c) => c.request))
        .toEqual([expect.objectContaining({ audience: 'owner', staffId: 'sales-lead', percent: 75 })]);
      await env.sleep(HOUR);
      const late = await waitFor(handle, (view) => view.escalated);
      expect(late.proposalReview?.status).toBe('pending');
      expect(recorder.of('notifyStaff', { window: 'proposal-review', audience: 'owner-lead' })).toHaveLength(
        1,
      );
      expect(
        recorder.of('notifyStaff', { window: 'proposal-review', audience: 'owner-lead' })[0]!.request,
      ).toMatchObject({ staffId: 'sales-7', reason: 'proposal v1 not reviewed within 4h' });
    });
  });

  it('without a required review the proposal goes to the customer at once', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start({ ...inquiry, policy: { proposalReview: { required: false } } });
      await toProposal(handle);
      const sent = await waitFor(handle, (view) => view.proposalReview?.status === 'sent');
      expect(sent.proposalReview?.reviewer).toBe('not required');
      expect(recorder.of('notifyCustomer', { template: 'proposal-sent' })).toHaveLength(1);
      expect(recorder.of('createTask', { kind: 'proposal-review' })).toHaveLength(0);
      await quote(handle);
      await waitFor(handle, (view) => view.stage === 'negotiation');
    });
  });
});
