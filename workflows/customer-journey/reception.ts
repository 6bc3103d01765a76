/**
 * Reception (rules PS-1, PS-2, PS-10, PS-14, RT-3): every inquiry is recorded once (an inquiry id
 * delivered twice is one inquiry), with what the customer asked, and opens its own first-response
 * window on the same SLA clock as a case's windows: per channel, on business hours by default, so
 * it runs only while the desk is open. Outside opening hours, or while the desk is busy, an
 * automatic reply tells the customer when to expect the answer. The owner is warned before a
 * window runs out; a missed one escalates to the owner's lead. An answer names its inquiry (the
 * oldest unanswered by default). An inquiry from a customer already served is a cross-sell /
 * up-sell opportunity.
 *
 * Journeys started before reception-v3 keep what they did: the first inquiry alone is timed, on
 * calendar time, with the breach as the only rung.
 */
import { isWorkingTime, nextOpening } from '../kernel/business-hours';
import { recordInArchive } from './archive';
import type { Channel } from '../kernel/contract';
import { durationMs } from '../kernel/contract';
import * as metrics from '../kernel/metrics';
import type { DueStep, WindowSpec } from '../kernel/sla-clock';
import { addMs, formatInstant, nowIso } from '../kernel/time';
import type { InquiryResult, ParsedJourneyInput, ParsedNewInquiry } from './contract';
import { onCustomerContact } from './follow-up';
import type { InquiryAudience, Journey } from './model';
import { FIRST_RESPONSE, type JourneyState } from './state';

const HOUR = 3_600_000;

type Inquiry = JourneyState['inquiries'][number];

/** The window an inquiry on `channel` gets. */
function inquiryWindow(j: Journey, channel: Channel): WindowSpec {
  return {
    hours: durationMs(j.policy.firstResponse[channel]) / HOUR,
    basis: j.receptionV3 ? j.policy.inquiryBasis[channel] : 'calendar',
  };
}

/** Inquiries whose first-response window is still open, oldest first. */
export function unansweredInquiries(j: Journey): Inquiry[] {
  return j.s.inquiries.filter((inquiry) => j.windows.open(FIRST_RESPONSE, inquiry.inquiryId) !== undefined);
}

/**
 * The desk is busy for this customer: telephony says so, or the customer already waits on the
 * policy's number of unanswered inquiries.
 */
function deskBusy(j: Journey): boolean {
  return j.s.deskBusy === true || unansweredInquiries(j).length >= j.policy.busyAfterUnanswered;
}

/** Records an inquiry and opens its window; says whether an automatic reply is owed. */
function openInquiry(
  j: Journey,
  inquiry: { inquiryId: string; channel: Channel; summary?: string; specialRequests?: string[] },
): Inquiry {
  const now = nowIso();
  const open = isWorkingTime(now, j.policy.calendar);
  const busy = j.receptionV3 && open && deskBusy(j);
  const record: Inquiry = {
    inquiryId: inquiry.inquiryId,
    channel: inquiry.channel,
    at: now,
    autoReplied: !open,
    windowStartsAt: open ? now : nextOpening(now, j.policy.calendar),
    ...(j.receptionV3
      ? {
          summary: inquiry.summary,
          specialRequests: inquiry.specialRequests?.length ? inquiry.specialRequests : undefined,
          busyReplied: busy || undefined,
        }
      : {}),
  };
  j.s.inquiries.push(record);
  return record;
}

/** Starts the inquiry's first-response window and writes when it is due. */
function startWindow(j: Journey, record: Inquiry): void {
  const window = inquiryWindow(j, record.channel);
  const clock = j.windows.start(FIRST_RESPONSE, window, {
    runsFrom: record.windowStartsAt,
    subject: record.inquiryId,
  });
  const dueAt = j.windows.dueAt(clock);
  j.entity.record(
    'first-response-window',
    `first response due ${dueAt ? formatInstant(dueAt) : '—'} (${j.policy.firstResponse[record.channel]}` +
      `${window.basis === 'business' ? ' of business time' : ''} on ${record.channel})`,
    { data: { dueAt, inquiryId: record.inquiryId } },
  );
}

/** The first inquiry, synchronously (before any handler exists) so update-with-start finds it. */
export function receiveFirstInquiry(j: Journey, input: ParsedJourneyInput): void {
  const s = j.s;
  const inquiryId = input.inquiryId ?? `${s.journeyId}/inquiry-1`;
  const record = openInquiry(j, {
    inquiryId,
    channel: input.channel,
    summary: input.inquiry,
    specialRequests: input.specialRequests,
  });
  j.entity.record(
    'inquiry-received',
    `inquiry via ${input.channel}${s.specialRequests.length ? `; ${s.specialRequests.length} special request(s) flagged` : ''}`,
    { data: { inquiryId } },
  );
  startWindow(j, record);
  if (j.receptionV3) onCustomerContact(j, 'first inquiry');
}

/** The first inquiry's window: when it opens and runs out, whether it was answered or missed. */
export function firstResponse(j: Journey) {
  const first = j.s.inquiries[0];
  return first ? responseOf(j, first) : undefined;
}

/** An inquiry's window as the view shows it. */
export function responseOf(j: Journey, inquiry: Inquiry) {
  const clock = j.windows.latest(FIRST_RESPONSE, inquiry.inquiryId);
  if (!inquiry.windowStartsAt || !clock) return undefined;
  return {
    windowStartsAt: inquiry.windowStartsAt,
    dueAt: j.windows.dueAt(clock) ?? addMs(inquiry.windowStartsAt, clock.budgetMs),
    autoReplied: inquiry.autoReplied ?? false,
    respondedAt: clock.fulfilledAt,
    breached: clock.breachedAt !== undefined,
  };
}

/**
 * Rule PS-2: outside business hours (or, rule PS-10, while the desk is busy) an automatic reply
 * tells the customer when to expect the answer.
 */
async function autoReply(j: Journey, record: Inquiry, step: string): Promise<void> {
  if (!record.autoReplied && !record.busyReplied) return;
  const response = responseOf(j, record);
  if (!response) return;
  const reason = record.autoReplied ? 'closed' : 'busy';
  await j.entity.notifyCustomer(
    step,
    'auto-reply',
    { expectAnswerBy: response.dueAt, ...(j.receptionV3 ? { reason } : {}) },
    j.receptionV3 ? preferredChannel(j, record.channel) : undefined,
  );
  j.entity.record(
    'auto-reply-sent',
    `${reason === 'closed' ? 'outside business hours' : 'the desk is busy'}: automatic reply promises an answer by ${formatInstant(response.dueAt)}`,
    { data: { inquiryId: record.inquiryId, reason } },
  );
}

/** The automatic reply to the first inquiry, once the journey runs. */
export async function greet(j: Journey): Promise<void> {
  const first = j.s.inquiries[0];
  if (first) await autoReply(j, first, 'customer/auto-reply');
}

/** The channel a message to the customer goes by: theirs, if they named one. */
export function preferredChannel(j: Journey, fallback: Channel): Channel {
  return j.s.preferredChannel ?? j.policy.preferredChannel ?? fallback;
}

/** Another inquiry reaching this journey (CRM, telephony, update-with-start). */
export async function registerInquiry(j: Journey, inquiry: ParsedNewInquiry): Promise<InquiryResult> {
  const s = j.s;
  const inquiryId = inquiry.inquiryId ?? `${s.journeyId}/inquiry-${s.inquiries.length + 1}`;
  const known = s.inquiries.some((existing) => existing.inquiryId === inquiryId);
  // Update-with-start delivers the starting inquiry twice: as the input and as this update.
  const created = s.continuedAsNew === 0 && s.inquiries[0]?.inquiryId === inquiryId;
  if (!known) {
    const record = j.receptionV3
      ? openInquiry(j, {
          inquiryId,
          channel: inquiry.channel,
          summary: inquiry.summary,
          specialRequests: inquiry.specialRequests,
        })
      : undefined;
    if (!record) s.inquiries.push({ inquiryId, channel: inquiry.channel, at: nowIso() });
    for (const request of inquiry.specialRequests)
      if (!s.specialRequests.includes(request)) s.specialRequests.push(request);
    const opportunity = s.stage === 'onboarding' || s.stage === 'after-sales';
    j.entity.record(
      opportunity ? 'upsell-inquiry' : 'inquiry-received',
      `${opportunity ? 'new inquiry from a customer (cross-sell / up-sell opportunity)' : 'another inquiry'} via ${inquiry.channel}`,
      { data: { inquiryId } },
    );
    // Rule RT-3: a customer asking about something new is an opportunity for the owner.
    const tellOwner = () =>
      j.entity.notifyStaff(`upsell/${inquiryId}`, {
        audience: 'owner',
        staffId: s.owner,
        reason: 'a customer asked about something new: cross-sell / up-sell opportunity',
      });
    // A signed customer's archive hears of every inquiry (what they asked: payload only).
    const archive = () =>
      recordInArchive(j, 'inquiry', inquiryId, {
        channel: inquiry.channel,
        summary: inquiry.summary,
        specialRequests: inquiry.specialRequests,
      });
    if (record) {
      startWindow(j, record);
      onCustomerContact(j, 'new inquiry');
      await Promise.all([
        autoReply(j, record, `customer/auto-reply/${inquiryId}`),
        opportunity ? tellOwner() : undefined,
        opportunity ? archive() : undefined,
      ]);
    } else {
      s.followUp.lastContactAt = nowIso();
      if (opportunity) await Promise.all([tellOwner(), archive()]);
    }
  }
  return { journeyId: s.journeyId, stage: s.stage, recorded: !known, created, inquiries: s.inquiries.length };
}

/** Telephony or the CRM reports the desk busy (or free again). */
export function onDeskBusy(j: Journey, busy: boolean): void {
  if ((j.s.deskBusy ?? false) === busy) return;
  j.s.deskBusy = busy || undefined;
  j.entity.record('desk-busy', busy ? 'the desk reports it is busy' : 'the desk is free again');
}

export function onInquiryAnswered(j: Journey, message: { agentId?: string; inquiryId?: string }): void {
  const by = message.agentId ?? 'an agent';
  if (!j.receptionV3) {
    const first = j.s.inquiries[0];
    if (j.s.stage !== 'inquiry' || !first || !j.windows.open(FIRST_RESPONSE, first.inquiryId)) {
      j.entity.record('inquiry-answered', `answered by ${by}`);
      return;
    }
    answerInquiry(j, by);
    return;
  }
  const target = message.inquiryId ?? unansweredInquiries(j)[0]?.inquiryId;
  if (!target || !answerInquiry(j, by, target)) {
    j.entity.record(
      'inquiry-answered',
      `answered by ${by}${message.inquiryId ? ` (inquiry ${message.inquiryId} was not waiting for an answer)` : ''}`,
    );
  }
}

/**
 * An inquiry's first response (the first inquiry by default): its window is fulfilled and a
 * journey still at the inquiry moves on to the needs. False when it was not waiting.
 */
export function answerInquiry(j: Journey, by: string, inquiryId?: string): boolean {
  const inquiry = inquiryId
    ? j.s.inquiries.find((candidate) => candidate.inquiryId === inquiryId)
    : j.receptionV3
      ? (unansweredInquiries(j)[0] ?? j.s.inquiries[0])
      : j.s.inquiries[0];
  if (!inquiry) return false;
  const done = j.windows.fulfil(FIRST_RESPONSE, `answered by ${by}`, inquiry.inquiryId);
  if (!done) return false;
  const late = done.breachedAt !== undefined;
  if (j.receptionV3) {
    inquiry.answeredAt = nowIso();
    inquiry.answeredBy = by;
  }
  metrics.inquiryAnswered({ channel: inquiry.channel });
  j.entity.record('first-response', `first response by ${by}${late ? ' (late)' : ' within the window'}`, {
    data: { late, inquiryId: inquiry.inquiryId },
  });
  if (j.s.stage === 'inquiry') j.entity.moveTo('needs-analysis', 'inquiry answered');
  return true;
}

/** Rule PS-1: the owner is warned before an inquiry's window runs out; a missed one escalates to the lead. */
export async function onInquiryStep(
  j: Journey,
  { clock, step, breach }: DueStep<InquiryAudience>,
): Promise<void> {
  const inquiry = j.s.inquiries.find((candidate) => candidate.inquiryId === clock.subject);
  const channel = inquiry?.channel ?? j.s.channel;
  if (!breach && !j.receptionV3) return;
  if (breach) {
    metrics.inquiryBreached({ channel: j.receptionV3 ? channel : j.s.channel });
    j.s.escalated = true;
    j.entity.touch();
  }
  const dueAt = j.windows.dueAt(clock);
  const window = j.policy.firstResponse[channel];
  // The first inquiry keeps its step name; later ones are told apart by their id.
  const first = clock.subject === j.s.inquiries[0]?.inquiryId;
  await Promise.all(
    step.notify.map((audience) =>
      j.entity.notifyStaff(
        breach
          ? first
            ? 'first-response/breach'
            : `first-response/breach/${clock.subject}`
          : `first-response/${step.percent}/${clock.subject}`,
        {
          audience,
          staffId: j.receptionV3 ? (j.s.owner ?? j.policy.defaultOwner) : j.s.owner,
          reason: breach
            ? `inquiry not answered within ${window}`
            : `inquiry via ${channel} due ${dueAt ? formatInstant(dueAt) : 'soon'} (${step.percent} % of ${window} used)`,
          window: FIRST_RESPONSE,
        },
      ),
    ),
  );
}
