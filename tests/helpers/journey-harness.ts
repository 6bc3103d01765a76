/**
 * Runs `customerJourney` workflows (and the cases and quote approvals they start) for one test:
 * a worker on the shared bundle with recorded fake activities, customer ids of the test's own,
 * helpers to read journeys, cases and quotes, and a tidy end (open children and journeys are
 * closed the way ops would close them).
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { customerJourney } from '../../workflows';
import { getCaseQuery, type CaseView } from '../../workflows/after-sales-case/contract';
import {
  CUSTOMER_JOURNEY_WORKFLOW,
  closeJourneyUpdate,
  getJourneyQuery,
  getJourneyTimelineQuery,
  journeyWorkflowId,
  type JourneyInput,
  type JourneyView,
} from '../../workflows/customer-journey/contract';
import { decideQuoteUpdate, getQuoteQuery, type QuoteView } from '../../workflows/quote-approval/contract';
import { closeCase } from './case-harness';
import { quoteApprovedByPolicy, throughProposal, type SendStep } from './journey-steps';
import { DAY, HOUR, withWorker, type Harness, type HarnessOptions, type WorkflowKind } from './harness';

export { DAY, HOUR } from './harness';

export type JourneyHandle = WorkflowHandle<typeof customerJourney>;

export interface JourneyHarness extends Omit<Harness<typeof customerJourney, JourneyView>, 'start'> {
  /** A customer id no other test uses. */
  customerId: (suffix?: string) => string;
  start: (input: Omit<JourneyInput, 'customerId'> & { customerId?: string }) => Promise<JourneyHandle>;
  caseView: (caseWorkflowId: string) => Promise<CaseView>;
  quoteView: (approvalWorkflowId: string) => Promise<QuoteView>;
}

/**
 * Closes what a journey left open, children first (a pending quote rejected, open cases closed),
 * then the journey itself, the way ops would.
 */
async function closeJourney(env: TestWorkflowEnvironment, handle: JourneyHandle): Promise<void> {
  const view = await handle.query(getJourneyQuery);
  for (const quote of view.quotes.filter((candidate) => candidate.status === 'pending')) {
    if (!quote.approvalWorkflowId) continue;
    const approval = env.client.workflow.getHandle(quote.approvalWorkflowId);
    await approval
      .executeUpdate(decideQuoteUpdate, {
        args: [{ decision: 'reject', approverId: 'test', reason: 'test finished' }],
      })
      .catch(() => undefined);
    await approval.result().catch(() => undefined);
  }
  for (const record of view.cases.filter((candidate) => candidate.status === 'open')) {
    const child = env.client.workflow.getHandle(record.caseWorkflowId);
    await closeCase(child);
    await child.result().catch(() => undefined);
  }
  await handle
    .executeUpdate(closeJourneyUpdate, { args: [{ reason: 'test finished', force: true }] })
    .catch(() => undefined);
}

const JOURNEY: WorkflowKind<typeof customerJourney, JourneyView> = {
  workflowType: CUSTOMER_JOURNEY_WORKFLOW,
  view: getJourneyQuery,
  timeline: getJourneyTimelineQuery,
  close: closeJourney,
};

export async function withJourneyWorker(
  env: TestWorkflowEnvironment,
  body: (harness: JourneyHarness) => Promise<void>,
  options: HarnessOptions = {},
): Promise<void> {
  await withWorker(env, JOURNEY, options, async (harness) => {
    let customers = 0;
    const customerId = (suffix = `${++customers}`) => `C-${harness.taskQueue.slice(-8)}-${suffix}`;
    await body({
      ...harness,
      customerId,
      start: (input) => {
        const id = input.customerId ?? customerId();
        return harness.start({ ...input, customerId: id }, journeyWorkflowId(id));
      },
      caseView: (id) => env.client.workflow.getHandle(id).query(getCaseQuery),
      quoteView: (id) => env.client.workflow.getHandle(id).query(getQuoteQuery),
    });
  });
}

/**
 * Skips the time-skipping server forward to the next weekday `hour`:00 in Shanghai (the default
 * business calendar), so business-hours rules see an open desk (or a closed one) on purpose.
 */
export async function skipToShanghai(
  env: TestWorkflowEnvironment,
  target: { hour: number; weekend?: boolean; /** Shanghai's day of the week, 0 = Sunday. */ day?: number },
): Promise<Date> {
  const now = await env.currentTimeMs();
  const at = new Date(now);
  at.setUTCMinutes(0, 0, 0);
  const shanghaiDay = (date: Date) => new Date(date.getTime() + 8 * HOUR).getUTCDay();
  const shanghaiHour = (date: Date) => new Date(date.getTime() + 8 * HOUR).getUTCHours();
  const wanted = (date: Date) => {
    const day = shanghaiDay(date);
    const weekend = day === 0 || day === 6;
    return (
      shanghaiHour(date) === target.hour &&
      weekend === (target.weekend ?? false) &&
      (target.day === undefined || day === target.day) &&
      date.getTime() > now
    );
  };
  while (!wanted(at)) at.setTime(at.getTime() + HOUR);
  await env.sleep(at.getTime() - now);
  return at;
}

/** Sends an update of a journey plainly, for the shared steps. */
const plainly =
  (handle: JourneyHandle): SendStep =>
  (_step, update, arg) =>
    handle.executeUpdate(update, { args: [arg] });

/** Needs, one alternative, its review: the journey can be quoted. */
export async function toQuotable(handle: JourneyHandle): Promise<void> {
  await throughProposal(plainly(handle));
}

/**
 * Needs, one alternative, a quote meeting the margin policy: the journey negotiates (its quote
 * went to the customer). The steps every test that needs a contract goes through first.
 */
export async function toNegotiation(
  handle: JourneyHandle,
  waitFor: (handle: JourneyHandle, done: (view: JourneyView) => boolean) => Promise<JourneyView>,
): Promise<JourneyView> {
  await throughProposal(plainly(handle));
  await quoteApprovedByPolicy(plainly(handle));
  return await waitFor(handle, (view) => view.stage === 'negotiation');
}

export const MINUTE = 60_000;

/** 09:00 of the next working day after a weekday's 18:00 in Shanghai (the default calendar has no holidays). */
export function openingAfter(closing: number): number {
  let at = closing + 15 * HOUR;
  while ([0, 6].includes(new Date(at + 8 * HOUR).getUTCDay())) at += DAY;
  return at;
}

/**
 * Whole minutes from `from` to each instant: a deadline's work is stamped when its workflow task
 * runs, a few milliseconds after the timer fired.
 */
export const minutesAfter = (from: number, instants: readonly (string | number)[]): number[] =>
  instants.map((instant) => Math.floor((new Date(instant).getTime() - from) / MINUTE));

/** A prospect's first inquiry, with the contact details only the encrypted payloads may hold. */
export const sampleInquiry: Omit<JourneyInput, 'customerId'> = {
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

/** A signed contract promising a faster P2 reply and a long warranty. */
export const sampleContract = {
  contractId: 'K-1',
  terms: {
    responseWindows: { P2: { firstReplyHours: 1, resolutionHours: 8 } },
    warrantyUntil: '2099-12-31',
  },
};
