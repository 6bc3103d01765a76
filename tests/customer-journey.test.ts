/**
 * `customerJourney` (with `quoteApproval` and the cases it starts) on the time-skipping test
 * server: every rule of the journey with the real policy durations.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCaseUpdate, resolveUpdate, submitFeedbackUpdate } from '../workflows/after-sales-case/contract';
import { executeJourneyUpdate } from '../client';
import { FailureType } from '../workflows/kernel/errors';
import {
  customerRespondedSignal,
  deliveryConfirmedSignal,
  inquiryAnsweredSignal,
  markLostUpdate,
  newInquirySignal,
  registerInquiryUpdate,
  recordNeedsUpdate,
  recordObjectionUpdate,
  reportIssueUpdate,
  signContractUpdate,
  reviewProposalUpdate,
  submitProposalUpdate,
  submitQuoteUpdate,
  closeJourneyUpdate,
  getJourneyTimelineQuery,
  type JourneyInput,
} from '../workflows/customer-journey/contract';
import { DAY, HOUR, skipToShanghai, withJourneyWorker, toNegotiation } from './helpers/journey-harness';
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
  inquiry: 'Needs a booking system for 40 clinics',
  contact: {
    name: 'Li Lei',
    phone: '+86 138 0013 8000',
    email: 'li.lei@example.com',
    company: 'Example Clinics',
  },
  specialRequests: ['on-premise data storage'],
  owner: 'sales-7',
};

const terms = {
  contractId: 'K-1',
  terms: {
    responseWindows: { P2: { firstReplyHours: 1, resolutionHours: 8 } },
    warrantyUntil: '2099-12-31',
  },
};

describe('inquiry reception', () => {
  it.each([
    ['phone', 20_000],
    ['online-chat', 120_000],
    ['email', 4 * HOUR],
  ] as const)(
    'the first-response window of a %s inquiry during business hours is %i ms',
    async (channel, windowMs) => {
      await skipToShanghai(env, { hour: 10 });
      await withJourneyWorker(env, async ({ start, view }) => {
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
    await skipToShanghai(env, { hour: 10 });
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start({ ...inquiry, channel: 'phone' });
      await env.sleep(10_000);
      await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7' });
      const v = await waitFor(handle, (view) => view.stage === 'needs-analysis');
      expect(v.firstResponse).toMatchObject({ breached: false });
      expect(v.firstResponse?.respondedAt).toBeDefined();
      await env.sleep(HOUR);
      expect(recorder.of('notifyStaff', { audience: 'owner-lead' })).toHaveLength(0);
    });
  });

  it('an e-mail not answered within 4 hours is breached and escalated to the owner’s lead', async () => {
    await skipToShanghai(env, { hour: 10 });
    await withJourneyWorker(env, async ({ start, view, recorder }) => {
      const handle = await start(inquiry);
      await env.sleep(4 * HOUR + 60_000);
      const v = await view(handle);
      expect(v.firstResponse?.breached).toBe(true);
      expect(v.escalated).toBe(true);
      expect(recorder.of('notifyStaff', { audience: 'owner-lead', window: 'first-response' })).toHaveLength(
        1,
      );
    });
  });

  it('outside business hours an automatic reply is sent and the window starts at the next opening', async () => {
    await skipToShanghai(env, { hour: 10, weekend: true });
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
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

describe('needs, proposal and quote', () => {
  // Asserts the numbers of docs/rules.md PS-3.
  it('records requirements by must/should/could and ranks pain points by impact, urgency and difficulty', async () => {
    await withJourneyWorker(env, async ({ start }) => {
      const handle = await start(inquiry);
      const ranked = await handle.executeUpdate(recordNeedsUpdate, {
        args: [
          {
            requirements: [
              { title: 'Reports', priority: 'could', urgency: 5, businessValue: 5 },
              { title: 'SSO', priority: 'must', urgency: 2, businessValue: 3 },
              { title: 'Booking', priority: 'must', urgency: 5, businessValue: 4 },
              { title: 'SMS', priority: 'should', urgency: 4, businessValue: 4 },
            ],
            painPoints: [
              { title: 'No-shows', impact: 5, urgency: 4, difficulty: 2 },
              { title: 'Paper files', impact: 4, urgency: 2, difficulty: 4 },
              { title: 'Phone queues', impact: 5, urgency: 5, difficulty: 5 },
            ],
          },
        ],
      });
      expect(ranked.requirements.map((r) => r.title)).toEqual(['Booking', 'SSO', 'SMS', 'Reports']);
      expect(ranked.painPoints.map((p) => [p.title, p.score])).toEqual([
        ['No-shows', 80],
        ['Phone queues', 25],
        ['Paper files', 16],
      ]);
    });
  });

  // Asserts the numbers of docs/rules.md PS-3, PS-4.
  it('a proposal answers the needs: must-haves and the top pain point covered, pain points tracked, a blocked alternative not quoted (PS-3, PS-4)', async () => {
    await withJourneyWorker(env, async ({ start, view }) => {
      const handle = await start(inquiry);
      const needs = await handle.executeUpdate(recordNeedsUpdate, {
        args: [
          {
            requirements: [
              { title: 'Booking', priority: 'must', urgency: 5, businessValue: 5 },
              { title: 'Reports', priority: 'could', urgency: 2, businessValue: 2 },
            ],
            painPoints: [
              { title: 'No-shows', impact: 5, urgency: 4, difficulty: 2 },
              { title: 'Paper files', impact: 3, urgency: 2, difficulty: 4 },
            ],
            scenario: '40 clinics, patients book by phone today',
            budget: { min: 50_000, max: 120_000, currency: 'CNY' },
          },
        ],
      });
      expect(needs).toMatchObject({
        scenario: '40 clinics, patients book by phone today',
        budget: { min: 50_000, max: 120_000, currency: 'CNY' },
      });
      expect(needs.painPoints.map((p) => [p.title, p.status])).toEqual([
        ['No-shows', 'open'],
        ['Paper files', 'open'],
      ]);
      expect(
        await rejectionOf(
          handle.executeUpdate(submitProposalUpdate, {
            args: [{ alternatives: [{ id: 'A', title: 'Cloud plan', addresses: ['Reports', 'Faxes'] }] }],
          }),
        ),
      ).toBe(
        'alternatives.0.addresses: no requirement or pain point "Faxes"; ' +
          'no alternative addresses the must-have "Booking"; no alternative addresses the top pain point "No-shows"',
      );
      await handle.executeUpdate(submitProposalUpdate, {
        args: [
          {
            alternatives: [
              {
                id: 'A',
                title: 'Cloud plan',
                addresses: ['Booking', 'No-shows'],
                estimatedCost: 80_000,
                expectedBenefit: 200_000,
              },
              {
                id: 'B',
                title: 'On-premise',
                addresses: ['Booking', 'No-shows', 'Paper files'],
                feasibility: { function: 'ok', process: 'ok', resources: 'blocker', risk: 'concern' },
              },
            ],
          },
        ],
      });
      const proposed = await view(handle);
      expect(proposed.alternatives[0]!.roi).toBe(1.5);
      expect(proposed.requirements.map((r) => [r.title, r.addressedBy])).toEqual([
        ['Booking', ['A', 'B']],
        ['Reports', []],
      ]);
      expect(proposed.painPoints.map((p) => [p.title, p.status])).toEqual([
        ['No-shows', 'addressed'],
        ['Paper files', 'addressed'],
      ]);
      await handle.executeUpdate(reviewProposalUpdate, {
        args: [{ decision: 'approve', reviewer: 'sales-lead' }],
      });
      expect(
        await rejectionOf(
          handle.executeUpdate(submitQuoteUpdate, {
            args: [{ alternativeId: 'B', price: 100_000, cost: 60_000, currency: 'CNY' }],
          }),
        ),
      ).toBe('alternativeId: "B" has a feasibility blocker (resources); propose it again without one first');
      await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 100_000, cost: 60_000, currency: 'CNY' }],
      });
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-PP', terms: {} }] });
      // Signed for A: the pain point A addresses is accepted; the one only B addressed stays addressed.
      expect((await view(handle)).painPoints.map((p) => [p.title, p.status])).toEqual([
        ['No-shows', 'accepted'],
        ['Paper files', 'addressed'],
      ]);
    });
  });

  // Asserts the numbers of docs/rules.md PS-4.
  it('coverage is checked of a proposal that says what it addresses, or of every proposal with requireCoverage', async () => {
    await withJourneyWorker(env, async ({ start }) => {
      const needs = {
        requirements: [{ title: 'Booking', priority: 'must' as const, urgency: 5, businessValue: 5 }],
        painPoints: [{ title: 'No-shows', impact: 5, urgency: 4, difficulty: 2 }],
      };
      const silent = { alternatives: [{ id: 'A', title: 'Cloud plan' }] };
      // Off by default: a proposal that says nothing of coverage is taken as it is.
      const lenient = await start(inquiry);
      await lenient.executeUpdate(recordNeedsUpdate, { args: [needs] });
      expect(await lenient.executeUpdate(submitProposalUpdate, { args: [silent] })).toMatchObject({
        version: 1,
        stage: 'proposal',
      });
      // On: the same proposal is refused, naming the must-have and the top pain point it leaves out.
      const strict = await start({ ...inquiry, policy: { requireCoverage: true } });
      await strict.executeUpdate(recordNeedsUpdate, { args: [needs] });
      expect(await rejectionOf(strict.executeUpdate(submitProposalUpdate, { args: [silent] }))).toBe(
        'no alternative addresses the must-have "Booking"; no alternative addresses the top pain point "No-shows"',
      );
      expect(
        await strict.executeUpdate(submitProposalUpdate, {
          args: [{ alternatives: [{ id: 'A', title: 'Cloud plan', addresses: ['Booking', 'No-shows'] }] }],
        }),
      ).toMatchObject({ version: 1, stage: 'proposal' });
    });
  });

  // Asserts the numbers of docs/rules.md PS-5.
  it('objections loop back: price to the quote, an unclear need to the needs analysis', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, view }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      const price = await handle.executeUpdate(recordObjectionUpdate, {
        args: [{ reason: 'price', detail: 'Competitor is 20 % cheaper' }],
      });
      expect(price.stage).toBe('proposal');
      const requote = await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 90_000, cost: 60_000, currency: 'CNY' }],
      });
      expect(requote.autoApproved).toBe(true);
      await waitFor(handle, (v) => v.stage === 'negotiation');
      const unclear = await handle.executeUpdate(recordObjectionUpdate, {
        args: [{ reason: 'unclear-need', detail: 'Not sure they need SMS reminders' }],
      });
      expect(unclear.stage).toBe('needs-analysis');
      expect((await view(handle)).objections.map((o) => o.loopBackTo)).toEqual(['quote', 'needs-analysis']);

      // Any other cause goes back to the proposal.
      for (const reason of ['competitor', 'product-understanding'] as const) {
        await handle.executeUpdate(submitProposalUpdate, {
          args: [{ alternatives: [{ id: 'A', title: 'Cloud plan' }] }],
        });
        await handle.executeUpdate(reviewProposalUpdate, {
          args: [{ decision: 'approve', reviewer: 'sales-lead' }],
        });
        await handle.executeUpdate(submitQuoteUpdate, {
          args: [{ alternativeId: 'A', price: 90_000, cost: 60_000, currency: 'CNY' }],
        });
        await waitFor(handle, (v) => v.stage === 'negotiation');
        const other = await handle.executeUpdate(recordObjectionUpdate, {
          args: [{ reason, detail: `objection: ${reason}` }],
        });
        expect(other.stage).toBe('proposal');
      }
      expect((await view(handle)).objections.map((o) => o.loopBackTo)).toEqual([
        'quote',
        'needs-analysis',
        'proposal',
        'proposal',
      ]);
    });
  });

  // Asserts the numbers of docs/rules.md PS-5, PS-7.
  it('a quote goes out explained: what it includes, its breakdown, how long it holds (PS-7)', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(recordObjectionUpdate, {
        args: [{ reason: 'delivery-lead-time', detail: 'Needs it live before the spring season' }],
      });
      // Lead time, like price, is answered with a new quote.
      expect((await waitFor(handle, (v) => v.objections.length === 1)).objections[0]!.loopBackTo).toBe(
        'quote',
      );
      const explanation = {
        included: ['Online booking for 40 clinics', 'Two days of on-site training'],
        breakdown: [
          { item: 'Licences', amount: 70_000 },
          { item: 'Installation', amount: 20_000 },
        ],
        validDays: 30,
      };
      expect(
        await rejectionOf(
          handle.executeUpdate(submitQuoteUpdate, {
            args: [{ alternativeId: 'A', price: 95_000, cost: 60_000, currency: 'CNY', explanation }],
          }),
        ),
      ).toBe('explanation.breakdown: adds up to 90000, the price is 95000');
      await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 90_000, cost: 60_000, currency: 'CNY', explanation }],
      });
      const sent = await waitFor(handle, (v) => v.stage === 'negotiation' && v.quotes.length === 2);
      const quote = sent.quotes[1]!;
      expect(quote.validUntil).toBe(
        new Date(Date.parse(quote.sentAt!) + 30 * DAY).toISOString().slice(0, 10),
      );
      const message = recorder.of('notifyCustomer', { template: 'quote-sent' }).at(-1)!.request;
      expect(message.data).toEqual({
        quoteId: 'Q2',
        price: 90_000,
        currency: 'CNY',
        included: 'Online booking for 40 clinics; Two days of on-site training',
        breakdown: 'Licences: 70000 CNY; Installation: 20000 CNY',
        validUntil: quote.validUntil,
      });
    });
  });
});

describe('follow-up plan', () => {
  it('follows an undecided prospect up at 2, 5 and 10 days and marks it lost after 21 days without response', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await env.sleep(3 * DAY);
      expect(recorder.of('createTask', { kind: 'follow-up' })).toHaveLength(1);
      await env.sleep(8 * DAY);
      expect(recorder.of('createTask', { kind: 'follow-up' })).toHaveLength(3);
      expect(
        recorder.of('createTask', { kind: 'follow-up' }).every((call) => call.request.owner === 'sales-7'),
      ).toBe(true);
      await env.sleep(11 * DAY);
      const result = await handle.result();
      expect(result).toMatchObject({ outcome: 'lost', lostReason: 'no-response', quotes: 1 });
    });
  });

  it('a response from the prospect restarts the cadence', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, view }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await env.sleep(15 * DAY);
      await handle.signal(customerRespondedSignal, { note: 'board meets next week' });
      await env.sleep(15 * DAY);
      expect((await view(handle)).stage).toBe('negotiation');
    });
  });

  it('markLost ends the journey with its reason', async () => {
    await withJourneyWorker(env, async ({ start }) => {
      const handle = await start(inquiry);
      const view = await handle.executeUpdate(markLostUpdate, {
        args: [{ reason: 'competitor', note: 'chose another vendor' }],
      });
      expect(view.stage).toBe('lost');
      expect(await handle.result()).toMatchObject({ outcome: 'lost', lostReason: 'competitor' });
    });
  });
});

describe('contract and after-sales relationship', () => {
  // Asserts the numbers of docs/rules.md HO-1, PS-14.
  it('signing runs the handoff: archive synchronised with requirements, terms and special requests', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await handle.executeUpdate(registerInquiryUpdate, {
        args: [
          {
            inquiryId: 'crm-2',
            channel: 'phone',
            summary: 'Ten more clinics next year?',
            specialRequests: ['Chinese UI'],
          },
        ],
      });
      await toNegotiation(handle, waitFor);
      const handoff = await handle.executeUpdate(signContractUpdate, { args: [terms] });
      expect(handoff).toMatchObject({
        contractId: 'K-1',
        stage: 'onboarding',
        handoff: { requirements: 1, specialRequests: 2 },
      });
      const archive = recorder.of('syncCustomerArchive');
      expect(archive).toHaveLength(1);
      const record = archive[0]!.request.record as Record<string, unknown>;
      expect(record.terms).toEqual(terms.terms);
      expect(record.requirements).toEqual([
        expect.objectContaining({ title: 'Online booking', priority: 'must' }),
      ]);
      expect(record.specialRequests).toEqual(['on-premise data storage', 'Chinese UI']);
      expect(record.contact).toEqual(inquiry.contact);
      // What the customer asked, inquiry by inquiry.
      expect(record.inquiries).toEqual([
        expect.objectContaining({
          channel: 'email',
          summary: inquiry.inquiry,
          specialRequests: ['on-premise data storage'],
        }),
        expect.objectContaining({
          inquiryId: 'crm-2',
          channel: 'phone',
          summary: 'Ten more clinics next year?',
          specialRequests: ['Chinese UI'],
        }),
      ]);
      expect(recorder.of('createTask', { kind: 'handoff' })).toHaveLength(1);
    });
  });

  // Asserts the numbers of docs/rules.md HO-2.
  it('a case reported after the contract receives the promised windows, not the defaults', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, caseView }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [terms] });
      const reported = await handle.executeUpdate(reportIssueUpdate, {
        args: [
          {
            description: 'Booking page down for one clinic',
            category: 'technical',
            severity: 'service-outage',
          },
        ],
      });
      expect(reported).toMatchObject({ caseWorkflowId: `${handle.workflowId}/case-1`, priority: 'P2' });
      await expect
        .poll(() =>
          caseView(reported.caseWorkflowId)
            .then(() => true)
            .catch(() => false),
        )
        .toBe(true);
      const view = await caseView(reported.caseWorkflowId);
      expect(view.journeyId).toBe(handle.workflowId);
      expect(view.clocks.find((clock) => clock.window === 'first-reply')?.budgetHours).toBe(1);
      expect(view.clocks.find((clock) => clock.window === 'resolution')?.budgetHours).toBe(8);
      expect(view.inWarranty).toBe(true);

      // The warranty is the contract's too: one that has ended leaves the case out of warranty.
      const ended = await start(inquiry);
      await toNegotiation(ended, waitFor);
      const yesterday = new Date((await env.currentTimeMs()) - DAY).toISOString().slice(0, 10);
      await ended.executeUpdate(signContractUpdate, {
        args: [{ contractId: 'K-OLD', terms: { warrantyUntil: yesterday } }],
      });
      const old = await ended.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'Booking page slow', category: 'technical', severity: 'service-outage' }],
      });
      await expect
        .poll(() =>
          caseView(old.caseWorkflowId)
            .then((v) => v.inWarranty)
            .catch(() => undefined),
        )
        .toBe(false);
    });
  });

  // Asserts the numbers of docs/rules.md HO-3, PS-12, RT-1, RT-2.
  it('delivery pushes the training schedule; revisits recur; a promoter (NPS 9 or more) is asked for a referral at most once in 180 days', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder, view }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [terms] });
      await handle.signal(deliveryConfirmedSignal, {});
      await waitFor(handle, (v) => v.stage === 'after-sales');
      await expect.poll(() => recorder.of('pushTrainingSchedule').length).toBe(1);

      let closed = 0;
      const answeredCase = async (nps: number) => {
        const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
          args: [{ description: `Question ${closed + 1}` }],
        });
        const child = env.client.workflow.getHandle(caseWorkflowId);
        await expect
          .poll(() =>
            child
              .query('getCase')
              .then(() => true)
              .catch(() => false),
          )
          .toBe(true);
        await child.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'explained' }] });
        await child.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, nps, resolved: true }] });
        await child.result();
        closed += 1;
        await waitFor(handle, (v) => v.cases.filter((c) => c.status === 'closed').length === closed);
      };
      await answeredCase(10);
      await answeredCase(10);
      expect(recorder.of('requestReferral')).toHaveLength(1);
      expect((await view(handle)).referralsRequested).toBe(1);

      await env.sleep(91 * DAY);
      expect(recorder.of('createTask', { kind: 'revisit' })).toHaveLength(1);
      // 91 days after the first request: a promoter again, but not asked again yet.
      await answeredCase(10);
      expect(recorder.of('requestReferral')).toHaveLength(1);
      await env.sleep(90 * DAY);
      expect(recorder.of('createTask', { kind: 'revisit' })).toHaveLength(2);
      // Past 180 days: an NPS of 8 is no promoter; 9 is, and is asked.
      await answeredCase(8);
      expect(recorder.of('requestReferral')).toHaveLength(1);
      await answeredCase(9);
      await expect.poll(() => recorder.of('requestReferral').length).toBe(2);
      expect((await view(handle)).referralsRequested).toBe(2);
    });
  });

  // Asserts the numbers of docs/rules.md RT-3.
  it('an inquiry from a customer already served tells the owner of a cross-sell opportunity', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const opportunities = () =>
        recorder
          .of('notifyStaff')
          .map((call) => call.request)
          .filter((request) => String(request.reason).includes('cross-sell'));
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [terms] });
      await handle.signal(deliveryConfirmedSignal, {});
      await waitFor(handle, (v) => v.stage === 'after-sales');
      expect(opportunities()).toHaveLength(0);

      await handle.signal(newInquirySignal, {
        inquiryId: 'crm-77',
        channel: 'phone',
        summary: 'Asks about a second site',
      });
      await expect
        .poll(opportunities)
        .toEqual([expect.objectContaining({ audience: 'owner', staffId: 'sales-7' })]);
      // Delivered twice (a retrying CRM), it is still one inquiry and one opportunity.
      await handle.signal(newInquirySignal, {
        inquiryId: 'crm-77',
        channel: 'phone',
        summary: 'Asks about a second site',
      });
      await waitFor(handle, (v) => v.inquiries.length === 2);
      const { entries } = await handle.query(getJourneyTimelineQuery);
      expect(entries.filter((entry) => entry.type === 'upsell-inquiry')).toHaveLength(1);
      expect(opportunities()).toHaveLength(1);
    });
  });

  // Asserts the numbers of docs/rules.md HO-4.
  it('reminds after-sales to prepare the renewal 60 days before the contract ends', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder, view }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      const now = await env.currentTimeMs();
      const contractEnd = new Date(now + 100 * DAY).toISOString().slice(0, 10);
      await handle.executeUpdate(signContractUpdate, {
        args: [{ contractId: 'K-2', terms: { contractEnd } }],
      });
      const reminderAt = Date.parse((await view(handle)).renewalReminderAt!);
      expect(reminderAt).toBe(Date.parse(`${contractEnd}T00:00:00Z`) - 60 * DAY);
      await env.sleep(reminderAt - now - HOUR);
      expect(recorder.of('createTask', { kind: 'renewal' })).toHaveLength(0);
      await env.sleep(2 * HOUR);
      expect(recorder.of('createTask', { kind: 'renewal' })).toHaveLength(1);
      expect(
        recorder
          .of('notifyStaff', { audience: 'owner' })
          .some((call) => String(call.request.reason).includes('renewal')),
      ).toBe(true);
    });
  });

  it('continues as new with its state and open cases, and still hears from a case started before', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, caseView }) => {
      const handle = await start({ ...inquiry, policy: { continueAsNewAfterEvents: 60 } });
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [terms] });
      const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'Slow search' }],
      });
      await expect
        .poll(() =>
          caseView(caseWorkflowId)
            .then(() => true)
            .catch(() => false),
        )
        .toBe(true);
      // By update, resent to the next run when the journey refuses it while continuing as new:
      // the time-skipping server can hand a signal sent during its continue-as-new to the run
      // that is closing (its fault, see tests/continue-as-new.test.ts).
      for (let i = 0; i < 25; i++) {
        await executeJourneyUpdate(handle, registerInquiryUpdate, {
          args: [{ channel: 'email', summary: `question ${i}` }],
        });
      }
      const continued = await waitFor(handle, (v) => v.continuedAsNew >= 1);
      expect(continued).toMatchObject({ stage: 'onboarding', contract: { contractId: 'K-1' } });
      expect(continued.requirements).toHaveLength(1);
      expect(continued.cases).toEqual([expect.objectContaining({ caseWorkflowId, status: 'open' })]);
      expect(continued.inquiries.length).toBeGreaterThan(20);

      await env.client.workflow
        .getHandle(caseWorkflowId)
        .executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] });
      // The journey's view says the case closed once the case told it; polling short queries
      // (not one long poll for the case's result) survives the test server dropping a connection.
      const after = await waitFor(handle, (v) => v.cases[0]?.status === 'closed');
      expect(after.cases[0]?.outcome).toBe('closed-by-ops');
    });
  });

  it('refuses to close with open cases unless forced', async () => {
    await withJourneyWorker(env, async ({ start, waitFor }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [terms] });
      await handle.executeUpdate(reportIssueUpdate, { args: [{ description: 'Printer offline' }] });
      expect(
        await rejectionOf(handle.executeUpdate(closeJourneyUpdate, { args: [{ reason: 'customer left' }] })),
      ).toMatch(/1 case\(s\) still open/);
    });
  });
});

describe('bad input', () => {
  it('a wrong journey input fails at once naming every field', async () => {
    await withJourneyWorker(env, async ({ start }) => {
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
    await withJourneyWorker(env, async ({ start, waitFor }) => {
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
    await withJourneyWorker(env, async ({ start, view, timelineTypes }) => {
      const handle = await start(inquiry);
      await handle.signal(newInquirySignal, { channel: 'carrier-pigeon', summary: '' } as never);
      await expect.poll(() => timelineTypes(handle)).toContain('signal-rejected');
      expect((await view(handle)).stage).toBe('inquiry');
    });
  });
});
