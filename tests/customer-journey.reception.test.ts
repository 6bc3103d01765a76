/**
 * Pre-sales reception and follow-up to the letter (rules PS-1, PS-2, PS-9 … PS-13), on the
 * time-skipping test server with the default business calendar (Asia/Shanghai, Monday to Friday
 * 09:00–18:00): every inquiry on the business-hours SLA clock, nothing the customer said dropped,
 * follow-ups from first contact, the customer's channel, details and consent, the pre-sales survey.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentRespondedSignal,
  getCaseQuery,
  resolveUpdate,
  submitFeedbackUpdate,
} from '../workflows/after-sales-case/contract';
import type { Channel } from '../workflows/kernel/contract';
import { addWorkingTime, DEFAULT_BUSINESS_CALENDAR } from '../workflows/kernel/business-hours';
import {
  closeJourneyUpdate,
  customerRespondedSignal,
  deliveryConfirmedSignal,
  deskBusySignal,
  getJourneyQuery,
  getJourneyTimelineQuery,
  inquiryAnsweredSignal,
  markLostUpdate,
  newInquirySignal,
  recordConsentUpdate,
  recordNeedsUpdate,
  registerInquiryUpdate,
  reportIssueUpdate,
  reviewProposalUpdate,
  signContractUpdate,
  submitPresalesFeedbackUpdate,
  submitProposalUpdate,
  submitQuoteUpdate,
  updateContactUpdate,
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
  withJourneyWorker,
  toNegotiation,
  type JourneyHandle,
} from './helpers/journey-harness';
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
  contact: { name: 'Li Lei', phone: '+86 138 0013 8000', email: 'li.lei@example.com' },
  owner: 'sales-7',
};

/** Shanghai wall-clock hour of an instant. */
const shanghaiHour = (iso: string) => new Date(Date.parse(iso) + 8 * HOUR).getUTCHours();

/** When the journey last entered `stage`, from its timeline. */
async function enteredAt(handle: JourneyHandle, stage: string): Promise<number> {
  const { entries } = await handle.query(getJourneyTimelineQuery);
  const entry = entries.filter((e) => e.type === 'stage-changed' && e.data?.to === stage).at(-1);
  return Date.parse(entry!.at);
}

describe('every inquiry on the business-hours clock (PS-1, PS-2)', () => {
  // Asserts the numbers of docs/rules.md PS-1.
  it('an e-mail at 16:00 is due at 11:00 the next working day: not breached that evening, the owner warned first', async () => {
    const at = await skipToShanghai(env, { hour: 16 });
    await withJourneyWorker(
      env,
      async ({ start, view, recorder }) => {
        const handle = await start(inquiry);
        const first = await view(handle);
        expect(shanghaiHour(first.inquiries[0]!.at)).toBe(shanghaiHour(at.toISOString()));
        const expected = addWorkingTime(first.inquiries[0]!.at, 4 * HOUR, DEFAULT_BUSINESS_CALENDAR);
        expect(first.inquiries[0]).toMatchObject({ summary: inquiry.inquiry, dueAt: expected });
        expect(shanghaiHour(first.inquiries[0]!.dueAt!)).toBe(11);
        // The desk was open: no automatic reply.
        expect(recorder.of('notifyCustomer', { template: 'auto-reply' })).toEqual([]);

        // 20:00 and 23:00 that evening: nothing breached, nobody woken.
        await env.sleep(7 * HOUR);
        expect((await view(handle)).inquiries[0]!.breached).toBe(false);
        expect(recorder.of('notifyStaff')).toEqual([]);

        // The next working day: at 75 % (10:00) the owner is warned, at 11:00 the lead is told.
        await env.sleep(Date.parse(expected) - (await env.currentTimeMs()) + 60_000);
        const late = await view(handle);
        expect(late.inquiries[0]!.breached).toBe(true);
        const owner = recorder.of('notifyStaff', { audience: 'owner' });
        const lead = recorder.of('notifyStaff', { audience: 'owner-lead' });
        expect(owner).toHaveLength(1);
        expect(lead).toHaveLength(1);
        expect(shanghaiHour(new Date(owner[0]!.at!).toISOString())).toBe(10);
        expect(owner[0]!.at!).toBeLessThan(lead[0]!.at!);
        // The lead only at the breach (100 %), not before.
        expect(lead[0]!.at!).toBeGreaterThanOrEqual(Date.parse(expected));
        expect(lead[0]!.request).toMatchObject({ staffId: 'sales-7', window: 'first-response' });
      },
      { timestamps: true },
    );
  });

  // Asserts the numbers of docs/rules.md PS-1.
  it('each channel has its own window of business time: phone 20 s, online chat 2 min, walk-in 5 min, social 30 min, e-mail 4 h', async () => {
    // Ten seconds before the desk closes: every window, the phone's too, runs on the next working day.
    const closing = (await skipToShanghai(env, { hour: 17 })).getTime() + HOUR;
    await env.sleep(closing - 10_000 - (await env.currentTimeMs()));
    const windows: [Channel, number][] = [
      ['phone', 20_000],
      ['online-chat', 2 * MINUTE],
      ['walk-in', 5 * MINUTE],
      ['social', 30 * MINUTE],
      ['email', 4 * HOUR],
    ];
    await withJourneyWorker(env, async ({ start, waitFor }) => {
      const handle = await start({ ...inquiry, channel: 'phone' });
      for (const [channel] of windows.slice(1)) {
        await handle.executeUpdate(registerInquiryUpdate, {
          args: [{ inquiryId: `crm-${channel}`, channel, summary: `asked via ${channel}` }],
        });
      }
      const { inquiries } = await waitFor(handle, (v) => v.inquiries.length === windows.length);
      const opening = openingAfter(closing);
      expect(inquiries.map((i) => i.channel)).toEqual(windows.map(([channel]) => channel));
      for (const [index, [, windowMs]] of windows.entries()) {
        const received = Date.parse(inquiries[index]!.at);
        // Received while the desk was open: what was left of the day counts, the rest from 09:00.
        expect(received).toBeLessThan(closing);
        expect(Date.parse(inquiries[index]!.dueAt!)).toBe(opening + windowMs - (closing - received));
      }
    });
  });

  // Asserts the numbers of docs/rules.md PS-14.
  it('a later inquiry gets its own window, and an answer naming it fulfils that one only', async () => {
    await skipToShanghai(env, { hour: 10 });
    await withJourneyWorker(env, async ({ start, waitFor }) => {
      const handle = await start({ ...inquiry, channel: 'phone' });
      await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7' });
      await waitFor(handle, (v) => v.stage === 'needs-analysis');
      const later = await handle.executeUpdate(registerInquiryUpdate, {
        args: [
          {
            inquiryId: 'crm-2',
            channel: 'online-chat',
            summary: 'Does it do SMS reminders?',
            specialRequests: ['Chinese UI'],
          },
        ],
      });
      expect(later).toMatchObject({ recorded: true, inquiries: 2 });
      await handle.signal(newInquirySignal, {
        inquiryId: 'crm-3',
        channel: 'email',
        summary: 'Price for 60 clinics?',
      });
      const open = await waitFor(handle, (v) => v.inquiries.length === 3);
      expect(
        open.inquiries.map((i) => [
          i.inquiryId,
          i.summary,
          i.dueAt !== undefined,
          i.answeredAt !== undefined,
        ]),
      ).toEqual([
        [open.inquiries[0]!.inquiryId, inquiry.inquiry, true, true],
        ['crm-2', 'Does it do SMS reminders?', true, false],
        ['crm-3', 'Price for 60 clinics?', true, false],
      ]);
      expect(open.inquiries[1]!.specialRequests).toEqual(['Chinese UI']);
      expect(open.specialRequests).toContain('Chinese UI');
      // What the customer said stays in payloads: not in search attributes, memo, summary or details.
      const description = await handle.describe();
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      const outside = JSON.stringify([
        description.typedSearchAttributes.getAll(),
        description.memo,
        await description.staticSummary(),
        metadata.currentDetails,
      ]);
      expect(outside).toContain(open.customerId);
      for (const said of [
        inquiry.inquiry,
        'Does it do SMS reminders?',
        'Chinese UI',
        'Price for 60 clinics?',
      ])
        expect(outside).not.toContain(said);

      await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-9', inquiryId: 'crm-3' });
      const answered = await waitFor(handle, (v) => v.inquiries[2]!.answeredAt !== undefined);
      expect(answered.inquiries[2]).toMatchObject({ answeredBy: 'sales-9', breached: false });
      expect(answered.inquiries[1]!.answeredAt).toBeUndefined();
      // Without an id, the oldest unanswered one is answered.
      await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7' });
      const all = await waitFor(handle, (v) => v.inquiries[1]!.answeredAt !== undefined);
      expect(all.inquiries[1]!.answeredBy).toBe('sales-7');
    });
  });

  // Asserts the numbers of docs/rules.md PS-10, PS-2.
  it('outside opening hours and while the desk is busy, an automatic reply promises the answer', async () => {
    await skipToShanghai(env, { hour: 20 });
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await waitFor(handle, (v) => v.inquiries[0]!.autoReply === 'closed');
      await expect.poll(() => recorder.of('notifyCustomer', { template: 'auto-reply' }).length).toBe(1);
      const closed = recorder.of('notifyCustomer', { template: 'auto-reply' })[0]!.request;
      expect(closed.data).toMatchObject({ reason: 'closed' });
      expect(shanghaiHour(String((closed.data as { expectAnswerBy: string }).expectAnswerBy))).toBe(13);

      // The next morning telephony reports the desk busy: the next inquiry is told when to expect us.
      await skipToShanghai(env, { hour: 10 });
      await handle.signal(deskBusySignal, { busy: true });
      await handle.executeUpdate(registerInquiryUpdate, {
        args: [{ inquiryId: 'crm-busy', channel: 'email', summary: 'Any news?' }],
      });
      const busy = await waitFor(handle, (v) => v.inquiries[1]?.autoReply === 'busy');
      await expect.poll(() => recorder.of('notifyCustomer', { template: 'auto-reply' }).length).toBe(2);
      expect(recorder.of('notifyCustomer', { template: 'auto-reply' })[1]!.request.data).toEqual({
        expectAnswerBy: busy.inquiries[1]!.dueAt,
        reason: 'busy',
      });
      // Free again: no automatic reply for the next one.
      await handle.signal(deskBusySignal, { busy: false });
      await handle.executeUpdate(registerInquiryUpdate, {
        args: [{ inquiryId: 'crm-free', channel: 'email', summary: 'Thanks' }],
      });
      const free = await waitFor(handle, (v) => v.inquiries.length === 3);
      expect(free.inquiries[2]!.autoReply).toBeUndefined();
    });
  });

  // Asserts the numbers of docs/rules.md PS-10.
  it('a customer already waiting on 3 unanswered inquiries is told when to expect the answer; on 2 they are not', async () => {
    await skipToShanghai(env, { hour: 10 });
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      const ask = (inquiryId: string) =>
        handle.executeUpdate(registerInquiryUpdate, {
          args: [{ inquiryId, channel: 'email', summary: `question ${inquiryId}` }],
        });
      await ask('crm-2');
      await ask('crm-3');
      await ask('crm-4');
      const busy = await waitFor(handle, (v) => v.inquiries.length === 4);
      expect(busy.inquiries.map((i) => i.autoReply)).toEqual([undefined, undefined, undefined, 'busy']);
      await expect.poll(() => recorder.of('notifyCustomer', { template: 'auto-reply' }).length).toBe(1);
      expect(recorder.of('notifyCustomer', { template: 'auto-reply' })[0]!.request.data).toEqual({
        expectAnswerBy: busy.inquiries[3]!.dueAt,
        reason: 'busy',
      });

      // Two answered, two still waiting: the next one is not told the desk is busy.
      await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7', inquiryId: 'crm-2' });
      await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7', inquiryId: 'crm-3' });
      await waitFor(handle, (v) => v.inquiries.filter((i) => i.answeredAt !== undefined).length === 2);
      await ask('crm-5');
      const calmer = await waitFor(handle, (v) => v.inquiries.length === 5);
      expect(calmer.inquiries[4]!.autoReply).toBeUndefined();
      expect(recorder.of('notifyCustomer', { template: 'auto-reply' })).toHaveLength(1);
    });
  });
});

describe('the follow-up plan from first contact (PS-9)', () => {
  // Asserts the numbers of docs/rules.md PS-9.
  it('a prospect in needs analysis is followed up with the stage’s content by the default owner, then marked lost', async () => {
    await skipToShanghai(env, { hour: 10 });
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start({ ...inquiry, owner: undefined, channel: 'phone' });
      await handle.executeUpdate(recordNeedsUpdate, {
        args: [
          { requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }] },
        ],
      });
      const needs = await waitFor(handle, (v) => v.followUp.stage === 'needs-analysis');
      expect(needs.followUp.owner).toBe('sales-desk');
      const from = await enteredAt(handle, 'needs-analysis');
      const result = await handle.result(); // the server skips to the loss
      expect(result).toMatchObject({ outcome: 'lost', lostReason: 'no-response' });
      const tasks = recorder.of('createTask', { kind: 'follow-up' });
      expect(tasks.map((task) => task.request.summary)).toEqual([
        'confirm the requirements and pain points, and when the proposal comes (1/3)',
        'confirm the requirements and pain points, and when the proposal comes (2/3)',
        'confirm the requirements and pain points, and when the proposal comes (3/3)',
      ]);
      expect(tasks.every((task) => task.request.owner === 'sales-desk')).toBe(true);
      // 2, 5 and 10 days into the stage; lost 21 days after it began, nothing heard since.
      expect(
        minutesAfter(
          from,
          tasks.map((task) => String(task.request.dueAt)),
        ),
      ).toEqual([2, 5, 10].map((days) => (days * DAY) / MINUTE));
      expect(minutesAfter(from, [result.endedAt])).toEqual([(21 * DAY) / MINUTE]);
    });
  });

  // Asserts the numbers of docs/rules.md PS-9.
  it('each undecided stage has its cadence: the inquiry 1 and 3 days, the proposal 2, 5 and 10, the quote in approval 2, the quote sent 2, 5 and 10, then lost after 21 days', async () => {
    await skipToShanghai(env, { hour: 10 });
    await withJourneyWorker(env, async ({ start, waitFor, recorder, quoteView }) => {
      // The manager and the deputy get 40 business hours each, so the quote is still in approval
      // when its follow-up is due (with 4 + 4 it expires within a working day or so).
      const handle = await start({
        ...inquiry,
        owner: undefined,
        policy: { quote: { approverWindow: '40h', deputyWindow: '40h' } },
      });
      const tasks = (content: string) =>
        recorder
          .of('createTask', { kind: 'follow-up' })
          .filter((task) => String(task.request.summary).startsWith(content))
          .map((task) => String(task.request.dueAt));
      const days = (...list: number[]) => list.map((d) => (d * DAY) / MINUTE);
      const sleepUntil = async (at: number) => env.sleep(at - (await env.currentTimeMs()));

      const received = Date.parse((await waitFor(handle, (v) => v.inquiries.length === 1)).inquiries[0]!.at);
      await sleepUntil(received + 3 * DAY + HOUR);
      expect(minutesAfter(received, tasks('answer the inquiry and book the needs interview'))).toEqual(
        days(1, 3),
      );

      await handle.executeUpdate(recordNeedsUpdate, {
        args: [
          { requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }] },
        ],
      });
      await handle.executeUpdate(submitProposalUpdate, {
        args: [{ alternatives: [{ id: 'A', title: 'Lean plan' }] }],
      });
      const proposed = await enteredAt(handle, 'proposal');
      await sleepUntil(proposed + 10 * DAY + HOUR);
      expect(minutesAfter(proposed, tasks('walk the customer through the proposal'))).toEqual(days(2, 5, 10));

      await handle.executeUpdate(reviewProposalUpdate, {
        args: [{ decision: 'approve', reviewer: 'sales-lead' }],
      });
      const quote = await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 100, cost: 90, currency: 'CNY' }],
      });
      const inApproval = await enteredAt(handle, 'quote-approval');
      await sleepUntil(inApproval + 3 * DAY);
      expect((await quoteView(quote.approvalWorkflowId!)).decision).toBeUndefined();
      expect(minutesAfter(inApproval, tasks('tell the customer the quote is in approval'))).toEqual(days(2));

      await env.client.workflow
        .getHandle(quote.approvalWorkflowId!)
        .executeUpdate(decideQuoteUpdate, { args: [{ decision: 'approve', approverId: 'mgr-1' }] });
      const sent = Date.parse((await waitFor(handle, (v) => v.stage === 'negotiation')).quotes[0]!.sentAt!);
      const result = await handle.result(); // the server skips to the loss
      expect(result).toMatchObject({ outcome: 'lost', lostReason: 'no-response' });
      expect(minutesAfter(sent, tasks('follow up the quote'))).toEqual(days(2, 5, 10));
      expect(minutesAfter(sent, [result.endedAt])).toEqual(days(21));
      expect(
        recorder.of('createTask', { kind: 'follow-up' }).every((task) => task.request.owner === 'sales-desk'),
      ).toBe(true);
    });
  });

  it('a new inquiry during negotiation restarts the loss timer', async () => {
    await skipToShanghai(env, { hour: 10 });
    await withJourneyWorker(env, async ({ start, waitFor, timelineTypes }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      const quoted = Date.parse((await waitFor(handle, (v) => v.stage === 'negotiation')).quotes[0]!.sentAt!);
      await env.sleep(quoted + 20 * DAY - (await env.currentTimeMs()));
      await handle.signal(newInquirySignal, {
        inquiryId: 'crm-late',
        channel: 'email',
        summary: 'Still interested',
      });
      await waitFor(handle, (v) => v.inquiries.length === 2);
      // Past the 21 days after the quote: the prospect who just wrote is not lost.
      await env.sleep(2 * DAY);
      expect((await handle.query(getJourneyTimelineQuery)).entries.some((e) => e.type === 'lost')).toBe(
        false,
      );
      expect(await timelineTypes(handle)).toContain('follow-up-replanned');
      await handle.signal(customerRespondedSignal, { note: 'will decide next month' });
      const result = await handle.result();
      expect(result).toMatchObject({ outcome: 'lost', lostReason: 'no-response' });
      expect(Date.parse(result.endedAt)).toBeGreaterThan(quoted + 42 * DAY);
    });
  });
});

describe('the customer: channel, details, consent, pre-sales survey (PS-11 … PS-13)', () => {
  // Asserts the numbers of docs/rules.md PS-11, AS-1.
  it('a case reported through the journey uses the customer’s preferred channel, and its revisit survey too', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder, timelineTypes }) => {
      const handle = await start({ ...inquiry, channel: 'phone' });
      const updated = await handle.executeUpdate(updateContactUpdate, {
        args: [{ contact: { phone: '+86 139 0000 0000' }, preferredChannel: 'email', by: 'sales-7' }],
      });
      expect(updated).toMatchObject({ corrected: ['phone'], preferredChannel: 'email' });
      const timeline = await handle.query(getJourneyTimelineQuery);
      const entry = timeline.entries.find((e) => e.type === 'contact-updated')!;
      expect(entry.summary).toBe(
        'contact details checked by sales-7: corrected phone; preferred channel email',
      );
      expect(JSON.stringify(timeline)).not.toContain('139 0000');
      expect((await waitFor(handle, (v) => v.contact?.phone === '+86 139 0000 0000')).preferredChannel).toBe(
        'email',
      );

      await toNegotiation(handle, waitFor);
      // The journey's own messages go by it too.
      await expect.poll(() => recorder.of('notifyCustomer', { template: 'quote-sent' }).length).toBe(1);
      expect(
        recorder.of('notifyCustomer', { template: 'proposal-sent' }).map((call) => call.request.channel),
      ).toEqual(['email']);
      expect(recorder.of('notifyCustomer', { template: 'quote-sent' })[0]!.request.channel).toBe('email');
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-1', terms: {} }] });
      await handle.signal(deliveryConfirmedSignal, {});
      await waitFor(handle, (v) => v.stage === 'after-sales');
      const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'Booking page slow', category: 'technical' }],
      });
      const child = env.client.workflow.getHandle(caseWorkflowId);
      await expect
        .poll(async () => (await child.query(getCaseQuery).catch(() => undefined))?.channel)
        .toBe('email');
      await expect.poll(() => recorder.of('notifyCustomer', { template: 'case-received' }).length).toBe(1);
      expect(recorder.of('notifyCustomer', { template: 'case-received' })[0]!.request.channel).toBe('email');
      expect(await timelineTypes(handle)).toContain('contact-updated');

      // Resolved: the revisit's survey asks on the same channel.
      await child.signal(agentRespondedSignal, { agentId: 'agent-3' });
      await expect.poll(async () => (await child.query(getCaseQuery)).stage).toBe('in-progress');
      await child.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'cache cleared' }] });
      const surveys = () =>
        recorder
          .of('sendSurvey')
          .filter((call) => (call.request.replyTo as { workflowId: string }).workflowId === caseWorkflowId);
      await expect.poll(() => surveys().length).toBe(1);
      expect(surveys()[0]!.request.channel).toBe('email');
    });
  });

  // Asserts the numbers of docs/rules.md PS-11, AS-1.
  it('without a channel they named, messages and cases go by the one the customer first used', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start({ ...inquiry, channel: 'social' });
      await handle.executeUpdate(registerInquiryUpdate, {
        args: [{ inquiryId: 'crm-call', channel: 'phone', summary: 'Called about the offer' }],
      });
      expect((await toNegotiation(handle, waitFor)).preferredChannel).toBe('social');
      await expect.poll(() => recorder.of('notifyCustomer', { template: 'quote-sent' }).length).toBe(1);
      expect(recorder.of('notifyCustomer', { template: 'quote-sent' })[0]!.request.channel).toBe('social');
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-1', terms: {} }] });
      const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'Booking page slow', category: 'technical' }],
      });
      const child = env.client.workflow.getHandle(caseWorkflowId);
      await expect
        .poll(async () => (await child.query(getCaseQuery).catch(() => undefined))?.channel)
        .toBe('social');
      await expect
        .poll(() =>
          recorder.of('notifyCustomer', { template: 'case-received' }).map((c) => c.request.channel),
        )
        .toEqual(['social']);
    });
  });

  // Asserts the numbers of docs/rules.md PS-12.
  it('a promoter who withdrew consent to referral requests is not asked for one', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, view, recorder, timelineTypes }) => {
      const handle = await start(inquiry);
      // Until the customer says otherwise: surveys and referral requests yes, marketing no.
      expect((await view(handle)).consent).toEqual({ surveys: true, marketing: false, referrals: true });
      const recorded = await handle.executeUpdate(recordConsentUpdate, {
        args: [{ referrals: false, by: 'sales-7' }],
      });
      expect(recorded.consent).toEqual({ surveys: true, marketing: false, referrals: false });
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-1', terms: {} }] });
      await handle.signal(deliveryConfirmedSignal, {});
      await waitFor(handle, (v) => v.stage === 'after-sales');
      const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'Printer offline', category: 'technical' }],
      });
      const child = env.client.workflow.getHandle(caseWorkflowId);
      await expect
        .poll(async () => (await child.query(getCaseQuery).catch(() => undefined))?.stage)
        .toBe('awaiting-reply');
      await child.signal(agentRespondedSignal, { agentId: 'agent-3' });
      await expect.poll(async () => (await child.query(getCaseQuery)).stage).toBe('in-progress');
      await child.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'restarted' }] });
      await child.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, nps: 10, resolved: true }] });
      await waitFor(handle, (v) => v.cases[0]?.status === 'closed');
      await expect.poll(() => timelineTypes(handle)).toContain('referral-skipped');
      expect(recorder.of('requestReferral')).toEqual([]);
    });
  });

  // Asserts the numbers of docs/rules.md PS-13.
  it('a day after the contract the pre-sales survey goes out; its answer is kept once', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-1', terms: {} }] });
      const signedAt = Date.parse(
        (await waitFor(handle, (v) => v.contract !== undefined)).contract!.signedAt,
      );
      expect(recorder.of('sendSurvey')).toEqual([]);
      await env.sleep(signedAt + DAY - MINUTE - (await env.currentTimeMs()));
      expect(recorder.of('sendSurvey')).toEqual([]);
      await env.sleep(HOUR);
      await expect.poll(() => recorder.of('sendSurvey').length).toBe(1);
      const sent = await waitFor(handle, (v) => v.presalesSurvey?.sentAt !== undefined);
      expect(minutesAfter(signedAt, [sent.presalesSurvey!.sentAt!])).toEqual([DAY / MINUTE]);
      expect(recorder.of('sendSurvey')[0]!.request).toMatchObject({
        caseId: handle.workflowId,
        channel: 'email',
        replyTo: { workflowId: handle.workflowId, update: 'submitPresalesFeedback' },
      });
      // Each score 1–5.
      expect(
        await rejectionOf(
          handle.executeUpdate(submitPresalesFeedbackUpdate, {
            args: [{ csat: 6, speed: 0, understanding: 6 }],
          }),
        ),
      ).toBe(
        'Invalid submitPresalesFeedback: csat: must be 1–5; speed: must be 1–5; understanding: must be 1–5',
      );
      expect(
        await rejectionOf(handle.executeUpdate(submitPresalesFeedbackUpdate, { args: [{ csat: 0 }] })),
      ).toBe('Invalid submitPresalesFeedback: csat: must be 1–5');
      await handle.executeUpdate(submitPresalesFeedbackUpdate, {
        args: [{ csat: 4, speed: 5, understanding: 1 }],
      });
      expect((await waitFor(handle, (v) => v.presalesFeedback !== undefined)).presalesFeedback).toMatchObject(
        {
          csat: 4,
          speed: 5,
          understanding: 1,
        },
      );
      expect(
        await rejectionOf(handle.executeUpdate(submitPresalesFeedbackUpdate, { args: [{ csat: 1 }] })),
      ).toMatch(/already answered/);
      await handle.executeUpdate(closeJourneyUpdate, { args: [{ reason: 'test', force: true }] });
    });
  });

  // Asserts the numbers of docs/rules.md PS-13.
  it('a lost prospect is asked too: the journey stays open for the answer and ends with it', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder, timelineTypes }) => {
      const handle = await start(inquiry);
      const lost = await handle.executeUpdate(markLostUpdate, { args: [{ reason: 'price' }] });
      const lostAt = Date.parse(lost.asOf);
      expect(lost.stage).toBe('lost');
      expect(Date.parse(lost.presalesSurvey!.answerBy!)).toBe(lostAt + DAY + 7 * DAY);
      await env.sleep(DAY + HOUR);
      await expect.poll(() => recorder.of('sendSurvey').length).toBe(1);
      expect(recorder.of('sendSurvey')[0]!.request).toMatchObject({
        channel: 'email',
        replyTo: { workflowId: handle.workflowId, update: 'submitPresalesFeedback' },
      });
      const asked = await waitFor(handle, (v) => v.presalesSurvey?.sentAt !== undefined);
      expect(asked.stage).toBe('lost');
      // A day after the loss, then a week for the answer.
      expect(minutesAfter(lostAt, [asked.presalesSurvey!.sentAt!])).toEqual([DAY / MINUTE]);
      await handle.executeUpdate(submitPresalesFeedbackUpdate, { args: [{ csat: 2, speed: 1 }] });
      const result = await handle.result();
      // When the prospect was lost, not when the survey came back.
      expect(result).toMatchObject({ outcome: 'lost', lostReason: 'price' });
      expect(Date.parse(result.endedAt)).toBe(lostAt);
      expect(await timelineTypes(handle)).toEqual(
        expect.arrayContaining([
          'lost',
          'presales-survey-planned',
          'presales-survey-sent',
          'presales-feedback',
        ]),
      );
      expect((await handle.query(getJourneyQuery)).presalesFeedback).toMatchObject({ csat: 2, speed: 1 });
    });
  });

  // Asserts the numbers of docs/rules.md PS-13.
  it('a lost prospect who does not answer: the journey ends when the answer window does', async () => {
    await withJourneyWorker(env, async ({ start, recorder, timelineTypes }) => {
      const handle = await start(inquiry);
      const lost = await handle.executeUpdate(markLostUpdate, { args: [{ reason: 'competitor' }] });
      const result = await handle.result(); // the server skips through the survey's week
      expect(result).toMatchObject({ outcome: 'lost', lostReason: 'competitor' });
      expect(Date.parse(result.endedAt)).toBe(Date.parse(lost.asOf));
      expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(Date.parse(lost.presalesSurvey!.answerBy!));
      expect(recorder.of('sendSurvey')).toHaveLength(1);
      const view = await handle.query(getJourneyQuery);
      expect(view.presalesSurvey).toMatchObject({ unanswered: true });
      expect(view.presalesFeedback).toBeUndefined();
      expect(await timelineTypes(handle)).toContain('presales-survey-unanswered');
      // Eight days after the loss: the day before the survey and its week.
      const { entries } = await handle.query(getJourneyTimelineQuery);
      const unanswered = entries.find((entry) => entry.type === 'presales-survey-unanswered')!;
      expect(minutesAfter(Date.parse(lost.asOf), [unanswered.at])).toEqual([(8 * DAY) / MINUTE]);
    });
  });

  // Asserts the numbers of docs/rules.md PS-12, PS-13.
  it('a lost prospect who declined surveys is not asked: the journey ends at once', async () => {
    await withJourneyWorker(env, async ({ start, recorder, timelineTypes }) => {
      const handle = await start(inquiry);
      await handle.executeUpdate(recordConsentUpdate, { args: [{ surveys: false }] });
      const lost = await handle.executeUpdate(markLostUpdate, { args: [{ reason: 'no-budget' }] });
      expect(lost.presalesSurvey).toBeUndefined();
      await handle.result();
      expect(recorder.of('sendSurvey')).toEqual([]);
      expect(await timelineTypes(handle)).toContain('presales-survey-skipped');
    });
  });
});
