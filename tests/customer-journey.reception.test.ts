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
  signContractUpdate,
  submitPresalesFeedbackUpdate,
  updateContactUpdate,
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
  contact: { name: 'Li Lei', phone: '+86 138 0013 8000', email: 'li.lei@example.com' },
  owner: 'sales-7',
};

/** Shanghai wall-clock hour of an instant. */
const shanghaiHour = (iso: string) => new Date(Date.parse(iso) + 8 * HOUR).getUTCHours();

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
        expect(lead[0]!.request).toMatchObject({ staffId: 'sales-7', window: 'first-response' });
      },
      { timestamps: true },
    );
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
      const result = await handle.result(); // the server skips to the loss
      expect(result).toMatchObject({ outcome: 'lost', lostReason: 'no-response' });
      const tasks = recorder.of('createTask', { kind: 'follow-up' });
      expect(tasks.map((task) => task.request.summary)).toEqual([
        'confirm the requirements and pain points, and when the proposal comes (1/3)',
        'confirm the requirements and pain points, and when the proposal comes (2/3)',
        'confirm the requirements and pain points, and when the proposal comes (3/3)',
      ]);
      expect(tasks.every((task) => task.request.owner === 'sales-desk')).toBe(true);
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
  // Asserts the numbers of docs/rules.md PS-11.
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
    });
  });

  // Asserts the numbers of docs/rules.md PS-12.
  it('a promoter who withdrew consent to referral requests is not asked for one', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder, timelineTypes }) => {
      const handle = await start(inquiry);
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

  it('a day after the contract the pre-sales survey goes out; its answer is kept once', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-1', terms: {} }] });
      expect(recorder.of('sendSurvey')).toEqual([]);
      await env.sleep(DAY + HOUR);
      await expect.poll(() => recorder.of('sendSurvey').length).toBe(1);
      expect(recorder.of('sendSurvey')[0]!.request).toMatchObject({
        caseId: handle.workflowId,
        channel: 'email',
        replyTo: { workflowId: handle.workflowId, update: 'submitPresalesFeedback' },
      });
      await handle.executeUpdate(submitPresalesFeedbackUpdate, {
        args: [{ csat: 4, speed: 5, understanding: 4 }],
      });
      expect((await waitFor(handle, (v) => v.presalesFeedback !== undefined)).presalesFeedback).toMatchObject(
        {
          csat: 4,
          speed: 5,
          understanding: 4,
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
      expect((await waitFor(handle, (v) => v.presalesSurvey?.sentAt !== undefined)).stage).toBe('lost');
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
    });
  });

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
