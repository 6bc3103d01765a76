/**
 * `customerJourney` from the contract on, on the time-skipping test server (rules HO-1 … HO-4,
 * RT-1 … RT-3, PS-14): the handoff, promised terms for every case, training, revisits, referrals,
 * cross-selling, the renewal, continue-as-new with open cases, closing.
 */
import { describe, expect, it } from 'vitest';
import { closeCaseUpdate, resolveUpdate, submitFeedbackUpdate } from '../workflows/after-sales-case/contract';
import { executeJourneyUpdate } from '../client';
import {
  deliveryConfirmedSignal,
  newInquirySignal,
  registerInquiryUpdate,
  reportIssueUpdate,
  signContractUpdate,
  closeJourneyUpdate,
  getJourneyTimelineQuery,
} from '../workflows/customer-journey/contract';
import {
  DAY,
  HOUR,
  sampleContract as terms,
  sampleInquiry as inquiry,
  withJourneyWorker,
  toNegotiation,
} from './helpers/journey-harness';
import { rejectionOf, timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

describe('contract and after-sales relationship', () => {
  // Asserts the numbers of docs/rules.md HO-1, PS-14.
  it('signing runs the handoff: archive synchronised with requirements, terms and special requests', async () => {
    await withJourneyWorker(env(), async ({ start, waitFor, recorder }) => {
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
    await withJourneyWorker(env(), async ({ start, waitFor, caseView }) => {
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
      const yesterday = new Date((await env().currentTimeMs()) - DAY).toISOString().slice(0, 10);
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
    await withJourneyWorker(env(), async ({ start, waitFor, recorder, view }) => {
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
        const child = env().client.workflow.getHandle(caseWorkflowId);
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

      await env().sleep(91 * DAY);
      expect(recorder.of('createTask', { kind: 'revisit' })).toHaveLength(1);
      // 91 days after the first request: a promoter again, but not asked again yet.
      await answeredCase(10);
      expect(recorder.of('requestReferral')).toHaveLength(1);
      await env().sleep(90 * DAY);
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
    await withJourneyWorker(env(), async ({ start, waitFor, recorder }) => {
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
    await withJourneyWorker(env(), async ({ start, waitFor, recorder, view }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      const now = await env().currentTimeMs();
      const contractEnd = new Date(now + 100 * DAY).toISOString().slice(0, 10);
      await handle.executeUpdate(signContractUpdate, {
        args: [{ contractId: 'K-2', terms: { contractEnd } }],
      });
      const reminderAt = Date.parse((await view(handle)).renewalReminderAt!);
      expect(reminderAt).toBe(Date.parse(`${contractEnd}T00:00:00Z`) - 60 * DAY);
      await env().sleep(reminderAt - now - HOUR);
      expect(recorder.of('createTask', { kind: 'renewal' })).toHaveLength(0);
      await env().sleep(2 * HOUR);
      expect(recorder.of('createTask', { kind: 'renewal' })).toHaveLength(1);
      expect(
        recorder
          .of('notifyStaff', { audience: 'owner' })
          .some((call) => String(call.request.reason).includes('renewal')),
      ).toBe(true);
    });
  });

  it('continues as new with its state and open cases, and still hears from a case started before', async () => {
    await withJourneyWorker(env(), async ({ start, waitFor, caseView }) => {
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

      await env()
        .client.workflow.getHandle(caseWorkflowId)
        .executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] });
      // The journey's view says the case closed once the case told it; polling short queries
      // (not one long poll for the case's result) survives the test server dropping a connection.
      const after = await waitFor(handle, (v) => v.cases[0]?.status === 'closed');
      expect(after.cases[0]?.outcome).toBe('closed-by-ops');
    });
  });

  it('refuses to close with open cases unless forced', async () => {
    await withJourneyWorker(env(), async ({ start, waitFor }) => {
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
