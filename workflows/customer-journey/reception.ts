/**
 * Reception (rules PS-1, PS-2, RT-3): every inquiry is recorded once (an inquiry id delivered
 * twice is one inquiry); the first one opens a first-response window per channel, on the same SLA
 * clock as a case's windows — from now, or from the next opening when the desk is closed, in which
 * case an automatic reply tells the customer when to expect us. A missed window escalates to the
 * owner's lead. An inquiry from a customer already served is a cross-sell / up-sell opportunity.
 */
import { isWorkingTime, nextOpening } from '../kernel/business-hours';
import { durationMs } from '../kernel/contract';
import * as metrics from '../kernel/metrics';
import type { DueStep } from '../kernel/sla-clock';
import { addMs, formatInstant, nowIso } from '../kernel/time';
import type { InquiryResult, ParsedJourneyInput, ParsedNewInquiry } from './contract';
import type { InquiryAudience, Journey } from './model';
import { FIRST_RESPONSE } from './state';

const HOUR = 3_600_000;

/** The first inquiry, synchronously (before any handler exists) so update-with-start finds it. */
export function receiveFirstInquiry(j: Journey, input: ParsedJourneyInput): void {
  const s = j.s;
  const now = nowIso();
  const inquiryId = input.inquiryId ?? `${s.journeyId}/inquiry-1`;
  const open = isWorkingTime(now, j.policy.calendar);
  const runsFrom = open ? now : nextOpening(now, j.policy.calendar);
  s.inquiries.push({
    inquiryId,
    channel: input.channel,
    at: now,
    autoReplied: !open,
    windowStartsAt: runsFrom,
  });
  j.entity.record(
    'inquiry-received',
    `inquiry via ${input.channel}${s.specialRequests.length ? `; ${s.specialRequests.length} special request(s) flagged` : ''}`,
    { data: { inquiryId } },
  );
  const window = j.policy.firstResponse[input.channel];
  const clock = j.windows.start(
    FIRST_RESPONSE,
    { hours: durationMs(window) / HOUR, basis: 'calendar' },
    { runsFrom, subject: inquiryId },
  );
  const dueAt = j.windows.dueAt(clock);
  j.entity.record(
    'first-response-window',
    `first response due ${dueAt ? formatInstant(dueAt) : '—'} (${window} on ${input.channel})`,
    {
      data: { dueAt },
    },
  );
}

/** The first inquiry's window: when it opens and runs out, whether it was answered or missed. */
export function firstResponse(j: Journey) {
  const first = j.s.inquiries[0];
  const clock = first && j.windows.latest(FIRST_RESPONSE, first.inquiryId);
  if (!first?.windowStartsAt || !clock) return undefined;
  return {
    windowStartsAt: first.windowStartsAt,
    dueAt: j.windows.dueAt(clock) ?? addMs(first.windowStartsAt, clock.budgetMs),
    autoReplied: first.autoReplied ?? false,
    respondedAt: clock.fulfilledAt,
    breached: clock.breachedAt !== undefined,
  };
}

/** Rule PS-2: outside business hours, an automatic reply tells the customer when to expect us. */
export async function greet(j: Journey): Promise<void> {
  const response = firstResponse(j);
  if (!response?.autoReplied) return;
  await j.entity.notifyCustomer('customer/auto-reply', 'auto-reply', { expectAnswerBy: response.dueAt });
  j.entity.record(
    'auto-reply-sent',
    `outside business hours: automatic reply promises an answer by ${formatInstant(response.dueAt)}`,
  );
}

/** Another inquiry reaching this journey (CRM, telephony, update-with-start). */
export async function registerInquiry(j: Journey, inquiry: ParsedNewInquiry): Promise<InquiryResult> {
  const s = j.s;
  const inquiryId = inquiry.inquiryId ?? `${s.journeyId}/inquiry-${s.inquiries.length + 1}`;
  const known = s.inquiries.some((existing) => existing.inquiryId === inquiryId);
  // Update-with-start delivers the starting inquiry twice: as the input and as this update.
  const created = s.continuedAsNew === 0 && s.inquiries[0]?.inquiryId === inquiryId;
  if (!known) {
    s.inquiries.push({ inquiryId, channel: inquiry.channel, at: nowIso() });
    for (const request of inquiry.specialRequests)
      if (!s.specialRequests.includes(request)) s.specialRequests.push(request);
    const opportunity = s.stage === 'onboarding' || s.stage === 'after-sales';
    j.entity.record(
      opportunity ? 'upsell-inquiry' : 'inquiry-received',
      `${opportunity ? 'new inquiry from a customer (cross-sell / up-sell opportunity)' : 'another inquiry'} via ${inquiry.channel}`,
      { data: { inquiryId } },
    );
    s.followUp.lastContactAt = nowIso();
    if (opportunity) {
      // Rule RT-3: a customer asking about something new is an opportunity for the owner.
      await j.entity.notifyStaff(`upsell/${inquiryId}`, {
        audience: 'owner',
        staffId: s.owner,
        reason: 'a customer asked about something new: cross-sell / up-sell opportunity',
      });
    }
  }
  return { journeyId: s.journeyId, stage: s.stage, recorded: !known, created, inquiries: s.inquiries.length };
}

export function onInquiryAnswered(j: Journey, agentId: string | undefined): void {
  const first = j.s.inquiries[0];
  if (j.s.stage !== 'inquiry' || !first || !j.windows.open(FIRST_RESPONSE, first.inquiryId)) {
    j.entity.record('inquiry-answered', `answered by ${agentId ?? 'an agent'}`);
    return;
  }
  answerInquiry(j, agentId ?? 'an agent');
}

/** The first response: the window is fulfilled and the journey moves on to the needs. */
export function answerInquiry(j: Journey, by: string): void {
  const first = j.s.inquiries[0];
  if (!first) return;
  const done = j.windows.fulfil(FIRST_RESPONSE, `answered by ${by}`, first.inquiryId);
  if (!done) return;
  const late = done.breachedAt !== undefined;
  metrics.inquiryAnswered({ channel: first.channel });
  j.entity.record('first-response', `first response by ${by}${late ? ' (late)' : ' within the window'}`, {
    data: { late },
  });
  if (j.s.stage === 'inquiry') j.entity.moveTo('needs-analysis', 'inquiry answered');
}

/** Rule PS-1: a missed first response escalates to the owner's lead. */
export async function onInquiryStep(j: Journey, { step, breach }: DueStep<InquiryAudience>): Promise<void> {
  if (!breach) return;
  metrics.inquiryBreached({ channel: j.s.channel });
  j.s.escalated = true;
  j.entity.touch();
  await Promise.all(
    step.notify.map((audience) =>
      j.entity.notifyStaff('first-response/breach', {
        audience,
        staffId: j.s.owner,
        reason: `inquiry not answered within ${j.policy.firstResponse[j.s.channel]}`,
        window: FIRST_RESPONSE,
      }),
    ),
  );
}
