/**
 * `customerJourney` on the time-skipping test server: the first inquiry's reception and bad input.
 * The rule groups have their own files (customer-journey.<reception|sales|follow-up|proposal|
 * delivery|relationship|grade|archive|repeat>.test.ts, quote-approval.test.ts).
 */
import { WorkflowFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { FailureType } from '../workflows/kernel/errors';
import {
  inquiryAnsweredSignal,
  newInquirySignal,
  recordNeedsUpdate,
  reportIssueUpdate,
  signContractUpdate,
  submitProposalUpdate,
  submitQuoteUpdate,
} from '../workflows/customer-journey/contract';
import {
  HOUR,
  sampleContract as terms,
  sampleInquiry as inquiry,
  skipToShanghai,
  withJourneyWorker,
} from './helpers/journey-harness';
import { rejectionOf, timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

describe('inquiry reception', () => {
  it.each([
    ['phone', 20_000],
    ['online-chat', 120_000],
    ['email', 4 * HOUR],
  ] as const)(
    'the first-response window of a %s inquiry during business hours is %i ms',
    async (channel, windowMs) => {
      await skipToShanghai(env(), { hour: 10 });
      await withJourneyWorker(env(), async ({ start, view }) => {
        const handle = await start({ ...inquiry, channel });
        const v = await view(handle);
        expect(v.stage).toBe('inquiry');
        expect(v.firstResponse?.autoReplied).toBe(false);
        expect(Date.parse(v.firstResponse!.dueAt) - Date.parse(v.firstResponse!.windowStartsAt)).toBe(
          windowMs,
        );
      });
    },
  );

  it('a first response within the window moves the journey to needs analysis', async () => {
    await skipToShanghai(env(), { hour: 10 });
    await withJourneyWorker(env(), async ({ start, waitFor, recorder }) => {
      const handle = await start({ ...inquiry, channel: 'phone' });
      await env().sleep(10_000);
      await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7' });
      const v = await waitFor(handle, (view) => view.stage === 'needs-analysis');
      expect(v.firstResponse).toMatchObject({ breached: false });
      expect(v.firstResponse?.respondedAt).toBeDefined();
      await env().sleep(HOUR);
      expect(recorder.of('notifyStaff', { audience: 'owner-lead' })).toHaveLength(0);
    });
  });

  it('an e-mail not answered within 4 hours is breached and escalated to the owner’s lead', async () => {
    await skipToShanghai(env(), { hour: 10 });
    await withJourneyWorker(env(), async ({ start, view, recorder }) => {
      const handle = await start(inquiry);
      await env().sleep(4 * HOUR + 60_000);
      const v = await view(handle);
      expect(v.firstResponse?.breached).toBe(true);
      expect(v.escalated).toBe(true);
      expect(recorder.of('notifyStaff', { audience: 'owner-lead', window: 'first-response' })).toHaveLength(
        1,
      );
    });
  });

  it('outside business hours an automatic reply is sent and the window starts at the next opening', async () => {
    await skipToShanghai(env(), { hour: 10, weekend: true });
    await withJourneyWorker(env(), async ({ start, waitFor, recorder }) => {
      const handle = await start({ ...inquiry, channel: 'phone' });
      const v = await waitFor(handle, (view) => view.firstResponse?.autoReplied === true);
      const opening = new Date(v.firstResponse!.windowStartsAt);
      // Monday 09:00 in Shanghai is 01:00 UTC.
      expect(opening.getUTCDay()).toBe(1);
      expect(opening.toISOString().slice(11, 19)).toBe('01:00:00');
      expect(Date.parse(v.firstResponse!.dueAt) - opening.getTime()).toBe(20_000);
      await expect.poll(() => recorder.of('notifyCustomer', { template: 'auto-reply' }).length).toBe(1);
      expect(recorder.of('notifyCustomer', { template: 'auto-reply' })[0]!.request.data).toEqual({
        expectAnswerBy: v.firstResponse!.dueAt,
        reason: 'closed',
      });
    });
  });
});

describe('bad input', () => {
  it('a wrong journey input fails at once naming every field', async () => {
    await withJourneyWorker(env(), async ({ start }) => {
      const handle = await start({
        channel: 'fax',
        inquiry: '',
        contact: { email: 'not-an-email' },
      } as never);
      const error = await handle.result().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe(FailureType.InvalidWorkflowInput);
      expect(cause.message).toContain('channel: must be one of phone, email, online-chat, social, walk-in');
      expect(cause.message).toContain('inquiry: must summarise what the customer asked');
      expect(cause.message).toContain('contact.email: must be an e-mail address');
    });
  });

  it('invalid updates are rejected with the field named', async () => {
    await withJourneyWorker(env(), async ({ start, waitFor }) => {
      const handle = await start(inquiry);
      await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7' });
      await waitFor(handle, (view) => view.stage === 'needs-analysis');
      expect(
        await rejectionOf(
          handle.executeUpdate(recordNeedsUpdate, {
            args: [{ requirements: [{ title: 'X', priority: 'nice', urgency: 9, businessValue: 1 }] }],
          } as never),
        ),
      ).toMatch(
        /requirements\.0\.priority: must be one of must, should, could.*requirements\.0\.urgency: must be 1–5/,
      );
      expect(
        await rejectionOf(
          handle.executeUpdate(submitProposalUpdate, { args: [{ alternatives: [{ id: 'A', title: 'x' }] }] }),
        ),
      ).toMatch(/record the customer’s requirements/);
      expect(await rejectionOf(handle.executeUpdate(signContractUpdate, { args: [terms] }))).toMatch(
        /a contract follows an approved quote/,
      );
      expect(
        await rejectionOf(handle.executeUpdate(reportIssueUpdate, { args: [{ description: 'x' }] })),
      ).toMatch(/issues are reported after the contract/);
      expect(
        await rejectionOf(
          handle.executeUpdate(submitQuoteUpdate, {
            args: [{ alternativeId: 'A', price: -1, cost: 1, currency: 'yuan' }],
          }),
        ),
      ).toMatch(/price: must be more than 0.*currency: must be an ISO currency code/);
    });
  });

  it('a malformed signal is recorded and ignored', async () => {
    await withJourneyWorker(env(), async ({ start, view, timelineTypes }) => {
      const handle = await start(inquiry);
      await handle.signal(newInquirySignal, { channel: 'carrier-pigeon', summary: '' } as never);
      await expect.poll(() => timelineTypes(handle)).toContain('signal-rejected');
      expect((await view(handle)).stage).toBe('inquiry');
    });
  });
});
