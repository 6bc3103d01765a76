/**
 * The customer archive kept current (rule HO-1), on the time-skipping test server: after the
 * signature every inquiry, case opened and case closed is recorded in it as it happens, once;
 * before the contract a prospect's inquiries travel in the handoff package instead.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentRespondedSignal,
  closeCaseUpdate,
  getCaseQuery,
  resolveUpdate,
  submitFeedbackUpdate,
} from '../workflows/after-sales-case/contract';
import {
  deliveryConfirmedSignal,
  newInquirySignal,
  registerInquiryUpdate,
  reportIssueUpdate,
  signContractUpdate,
  type JourneyInput,
} from '../workflows/customer-journey/contract';
import { toNegotiation, withJourneyWorker } from './helpers/journey-harness';
import { timeSkippingEnvironment } from './helpers/temporal';

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

describe('customer archive (HO-1)', () => {
  // Asserts the numbers of docs/rules.md HO-1.
  it('records every inquiry, case opened and case closed after the signature, once each', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start({ ...inquiry, region: 'east-china' });
      await handle.executeUpdate(registerInquiryUpdate, {
        args: [{ summary: 'And the price?', channel: 'phone' }],
      });
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-AR-1', terms: {} }] });
      // Before the contract: nothing but the handoff package.
      expect(recorder.of('recordArchiveEvent')).toHaveLength(0);
      expect(recorder.of('syncCustomerArchive')).toHaveLength(1);

      await handle.signal(newInquirySignal, {
        inquiryId: 'crm-77',
        summary: 'Ten more clinics?',
        channel: 'phone',
      });
      // Delivered twice (a backend's retry): recorded once.
      await handle.signal(newInquirySignal, {
        inquiryId: 'crm-77',
        summary: 'Ten more clinics?',
        channel: 'phone',
      });
      const reported = await handle.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'Booking page down', category: 'technical', severity: 'service-outage' }],
      });
      await env.client.workflow
        .getHandle(reported.caseWorkflowId)
        .executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] });
      await waitFor(handle, (view) => view.cases[0]?.status === 'closed');
      // The customer's region travels into the case, for the report's comparison by region.
      expect((await env.client.workflow.getHandle(reported.caseWorkflowId).result()).region).toBe(
        'east-china',
      );
      expect((await waitFor(handle, () => true)).region).toBe('east-china');
      await expect.poll(() => recorder.of('recordArchiveEvent').length).toBe(3);
      const events = recorder.of('recordArchiveEvent').map((call) => call.request);
      expect(events).toEqual([
        expect.objectContaining({
          kind: 'inquiry',
          subjectId: 'crm-77',
          data: { channel: 'phone', summary: 'Ten more clinics?', specialRequests: [] },
        }),
        expect.objectContaining({
          kind: 'case-opened',
          subjectId: reported.caseWorkflowId,
          data: expect.objectContaining({ priority: 'P2', category: 'technical' }),
        }),
        expect.objectContaining({
          kind: 'case-closed',
          subjectId: reported.caseWorkflowId,
          data: expect.objectContaining({ outcome: 'closed-by-ops', referralRequested: false }),
        }),
      ]);
      // Each has its own idempotency key: a retried activity is recorded by the archive once.
      expect(new Set(events.map((event) => event.idempotencyKey)).size).toBe(3);
      expect(
        (await waitFor(handle, (view) => view.contract?.archiveVersion === 'v2')).contract?.archiveVersion,
      ).toBe('v2');
    });
  });

  // Asserts the numbers of docs/rules.md HO-1.
  it('a case closed after its revisit carries the customer’s answer and the referral asked into the archive', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-AR-2', terms: {} }] });
      await handle.signal(deliveryConfirmedSignal, {});
      await waitFor(handle, (view) => view.stage === 'after-sales');
      const reported = await handle.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'Printer offline', category: 'technical' }],
      });
      const child = env.client.workflow.getHandle(reported.caseWorkflowId);
      await expect
        .poll(async () => (await child.query(getCaseQuery).catch(() => undefined))?.stage)
        .toBe('awaiting-reply');
      await child.signal(agentRespondedSignal, { agentId: 'agent-3' });
      await expect.poll(async () => (await child.query(getCaseQuery)).stage).toBe('in-progress');
      await child.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'restarted' }] });
      // The revisit's answer: a promoter, so a referral is asked.
      await child.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, nps: 10, resolved: true }] });
      await waitFor(handle, (view) => view.cases[0]?.status === 'closed');
      await expect.poll(() => recorder.of('recordArchiveEvent', { kind: 'case-closed' }).length).toBe(1);
      expect(recorder.of('requestReferral')).toHaveLength(1);
      const closed = recorder.of('recordArchiveEvent', { kind: 'case-closed' })[0]!.request;
      expect(closed.subjectId).toBe(reported.caseWorkflowId);
      expect(closed.data).toEqual({ outcome: 'closed-satisfied', csat: 5, nps: 10, referralRequested: true });
      expect(recorder.of('recordArchiveEvent').map((call) => call.request.kind)).toEqual([
        'case-opened',
        'case-closed',
      ]);
    });
  });
});
