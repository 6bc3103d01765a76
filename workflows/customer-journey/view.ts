/**
 * How a journey is seen: its search attributes (never personal data), the current details the Web
 * UI shows, the `getJourney` view and the final result.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  BreachedWindowsKey,
  ChannelKey,
  CustomerGradeKey,
  CustomerIdKey,
  EndedAtKey,
  EscalatedKey,
  JourneyStageKey,
  NeedsAttentionKey,
  NextDeadlineAtKey,
  SlaBreachedKey,
} from '../kernel/search-attributes';
import { formatInstant, nowIso } from '../kernel/time';
import type { JourneyResult, JourneyView } from './contract';
import { nextFollowUpAt } from './follow-up';
import { RENEWAL } from './handoff';
import { hasEnded, type Journey } from './model';
import { breachedCasesNow, CUSTOMER_AT_RISK, isAtRisk } from './health';
import { awaitingPresalesSurvey, consentOf } from './customer';
import { DELIVERY, deliveryView, MILESTONE } from './delivery';
import { customerChannel } from './model';
import { reviewView } from './proposal';
import { firstResponse, responseOf } from './reception';
import { nextRevisitAt } from './relationship';
import { rankedNeeds } from './sales';

export function searchAttributes(j: Journey): SearchAttributeUpdatePair[] {
  const s = j.s;
  // What ops sort by is when a promise to the customer breaks (an inquiry's first response);
  // follow-up, revisit and renewal dates are in the current details.
  const next = j.indexSlaDeadlinesOnly
    ? (() => {
        const due = j.windows.nextDeadline();
        return due === undefined ? undefined : { dueAt: due };
      })()
    : j.agenda.next();
  const pairs: SearchAttributeUpdatePair[] = [
    { key: CustomerIdKey, value: s.customerId },
    { key: JourneyStageKey, value: s.stage },
    { key: ChannelKey, value: s.channel },
    { key: SlaBreachedKey, value: j.windows.breachedWindows().length > 0 },
    { key: EscalatedKey, value: s.escalated },
    { key: NextDeadlineAtKey, value: next && !hasEnded(j) ? new Date(next.dueAt) : null },
  ];
  if (s.grade) pairs.push({ key: CustomerGradeKey, value: s.grade.grade });
  if (j.surveyWhenLost && s.endedAt) pairs.push({ key: EndedAtKey, value: new Date(s.endedAt) });
  // A late delivery or milestone is what ops search for; inquiry breaches stay in SlaBreached.
  const late = s.delivery
    ? j.windows.breachedWindows().filter((window) => window === DELIVERY || window === MILESTONE)
    : [];
  if (late.length > 0) pairs.push({ key: BreachedWindowsKey, value: late });
  // Rule OU-2: ops find customers at risk; a journey never flagged leaves the attribute alone.
  if (s.slaHealth?.flagged) {
    pairs.push({ key: NeedsAttentionKey, value: isAtRisk(j) ? [CUSTOMER_AT_RISK] : [] });
  }
  return pairs;
}

/** Markdown for the Web UI's current details: one paragraph per fact (the UI joins single lines). */
export function currentDetails(j: Journey): string {
  const s = j.s;
  const paragraphs = [
    `**Customer journey** · ${s.customerId} · ${s.channel}${s.owner ? ` · owner ${s.owner}` : ''}`,
    `**Stage:** ${s.stage}`,
  ];
  const last = s.timeline[s.timeline.length - 1];
  if (last) paragraphs.push(`_Last event:_ ${last.summary}`);
  const response = firstResponse(j);
  if (response && !response.respondedAt) {
    paragraphs.push(
      `**First response due:** ${formatInstant(response.dueAt)}` +
        (response.autoReplied ? ' (auto-reply sent: outside business hours)' : '') +
        (response.breached ? ' · **breached**' : ''),
    );
  }
  if (s.requirements.length) {
    const must = s.requirements.filter((requirement) => requirement.priority === 'must').length;
    paragraphs.push(`**Needs:** ${must} must, ${s.requirements.length} in all`);
  }
  const review = reviewView(j);
  if (review && review.status !== 'accepted') {
    paragraphs.push(
      `**Proposal v${review.version}:** ` +
        (review.status === 'pending'
          ? `in review by ${review.reviewer}${review.dueAt ? ` until ${formatInstant(review.dueAt)}` : ''}`
          : review.status === 'sent'
            ? 'sent to the customer, waiting for their answer'
            : review.status === 'revise'
              ? `sent back by ${review.reviewer} for revision`
              : 'the customer asked for changes'),
    );
  }
  const quote = s.quotes[s.quotes.length - 1];
  if (quote) {
    paragraphs.push(
      `**Latest quote:** ${quote.price} ${quote.currency}, margin ${(quote.margin * 100).toFixed(1)} %, ${quote.status}`,
    );
  }
  if (s.contract)
    paragraphs.push(
      `**Contract:** ${s.contract.contractId} signed ${formatInstant(s.contract.signedAt)}` +
        (s.grade ? ` · **Grade ${s.grade.grade}**${s.grade.basis === 'ops' ? ' (set by ops)' : ''}` : ''),
    );
  const open = s.cases.filter((record) => record.status === 'open');
  if (s.cases.length) paragraphs.push(`**Cases:** ${open.length} open, ${s.cases.length} in all`);
  const next = j.agenda.next();
  if (next && !hasEnded(j)) paragraphs.push(`**Next:** ${next.summary} at ${formatInstant(next.dueAt)}`);
  if (awaitingPresalesSurvey(j))
    paragraphs.push(
      `**Lost; waiting for the pre-sales survey** until ${formatInstant(s.presalesSurvey!.answerBy!)}` +
        (s.presalesSurvey?.sentAt ? ` (sent ${formatInstant(s.presalesSurvey.sentAt)})` : ''),
    );
  return paragraphs.join('\n\n');
}

export function journeyView(j: Journey): JourneyView {
  const s = j.s;
  const ranked = rankedNeeds(j);
  return {
    journeyId: s.journeyId,
    customerId: s.customerId,
    channel: s.channel,
    stage: s.stage,
    owner: s.owner,
    region: s.region,
    inquiries: s.inquiries.map((inquiry) => {
      const response = responseOf(j, inquiry);
      return {
        inquiryId: inquiry.inquiryId,
        channel: inquiry.channel,
        at: inquiry.at,
        summary: inquiry.summary,
        specialRequests: inquiry.specialRequests,
        dueAt: response?.dueAt,
        answeredAt: inquiry.answeredAt ?? response?.respondedAt,
        answeredBy: inquiry.answeredBy,
        breached: response?.breached,
        autoReply: inquiry.autoReplied ? 'closed' : inquiry.busyReplied ? 'busy' : undefined,
      };
    }),
    firstResponse: firstResponse(j),
    requirements: ranked.requirements,
    painPoints: ranked.painPoints,
    proposalVersion: s.proposalVersion,
    proposalReview: reviewView(j),
    alternatives: s.alternatives.map((alternative) => ({
      ...alternative,
      ...(alternative.estimatedCost && alternative.expectedBenefit !== undefined
        ? {
            roi:
              Math.round(
                ((alternative.expectedBenefit - alternative.estimatedCost) / alternative.estimatedCost) *
                  1000,
              ) / 1000,
          }
        : {}),
    })),
    quotes: s.quotes,
    objections: s.objections,
    followUp: {
      lastContactAt: s.followUp.lastContactAt,
      tasksCreated: s.followUp.tasksCreated,
      nextAt: nextFollowUpAt(j),
      stage: s.followUp.plannedFor,
      owner: j.receptionV3 ? (s.owner ?? j.policy.defaultOwner) : s.owner,
    },
    preferredChannel: j.receptionV3 ? customerChannel(j) : undefined,
    contact: s.contact,
    consent: j.receptionV3 ? consentOf(j) : undefined,
    presalesFeedback: s.presalesSurvey?.answer,
    presalesSurvey: s.presalesSurvey && {
      sentAt: s.presalesSurvey.sentAt,
      answerBy: s.presalesSurvey.answerBy,
      unanswered: s.presalesSurvey.unanswered,
    },
    contract: s.contract,
    specialRequests: s.specialRequests,
    grade: s.grade,
    deliveredAt: s.deliveredAt,
    delivery: deliveryView(j),
    cases: s.cases,
    referralsRequested: s.referralsRequested,
    nextRevisitAt: nextRevisitAt(j),
    renewalReminderAt: j.agenda.get(RENEWAL)?.dueAt,
    lostReason: s.lostReason,
    escalated: s.escalated,
    continuedAsNew: s.continuedAsNew,
    slaHealth: s.slaHealth && {
      breachedCases: breachedCasesNow(j),
      atRiskSince: s.slaHealth.atRiskSince,
      flagged: s.slaHealth.flagged,
    },
    asOf: nowIso(),
  };
}

export function journeyResult(j: Journey): JourneyResult {
  const s = j.s;
  return {
    journeyId: s.journeyId,
    customerId: s.customerId,
    outcome: s.stage === 'lost' ? 'lost' : 'closed',
    stage: s.stage,
    channel: s.channel,
    lostReason: s.lostReason,
    contractId: s.contract?.contractId,
    casesOpened: s.caseCount,
    firstResponseBreached: firstResponse(j)?.breached ?? false,
    quotes: s.quotes.length,
    objections: s.objections.length,
    startedAt: s.startedAt,
    endedAt: s.endedAt ?? nowIso(),
  };
}
