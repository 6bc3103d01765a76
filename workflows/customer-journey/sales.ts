/**
 * The sale (rules PS-3 … PS-7): needs ranked must / should / could by urgency and business value,
 * pain points by impact, urgency and ease; a proposal of alternatives; a quote approved by policy
 * at a high enough margin (in the journey), else in a `quoteApproval` child by a manager, then a
 * deputy; an approved quote sent to the customer with the follow-up plan; objections that loop
 * back.
 */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { addMs, nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import { QUOTE_AUTO_APPROVAL_INLINE } from '../kernel/versions';
import {
  marginOf,
  QUOTE_APPROVAL_WORKFLOW,
  type QuoteApprovalInput,
  type QuoteDecision,
} from '../quote-approval/contract';
import type {
  ParsedRecordNeeds,
  ParsedSubmitProposal,
  ProposalResult,
  QuoteStarted,
  RankedNeeds,
  RecordObjection,
  StageResult,
  ParsedSubmitQuote,
} from './contract';
import { onCustomerContact, startFollowUps, stopFollowUps } from './follow-up';
import type { Journey } from './model';
import { assertQuotable, openReview } from './proposal';
import type { QuoteRecord } from './records';
import { answerInquiry } from './reception';
import { trackChild } from './relationship';

const DAY_MS = 86_400_000;

export function recordNeeds(j: Journey, needs: ParsedRecordNeeds): RankedNeeds {
  const s = j.s;
  // A needs interview is itself the answer to the inquiry.
  answerInquiry(j, s.owner ?? 'the needs interview');
  const merge = <T extends { title: string }>(existing: T[], incoming: T[]) => [
    ...existing.filter((item) => !incoming.some((update) => update.title === item.title)),
    ...incoming,
  ];
  s.requirements = merge(s.requirements, needs.requirements);
  s.painPoints = merge(s.painPoints, needs.painPoints);
  if (needs.scenario !== undefined || needs.budget !== undefined) {
    s.needsContext = {
      ...s.needsContext,
      ...(needs.scenario !== undefined ? { scenario: needs.scenario } : {}),
      ...(needs.budget !== undefined ? { budget: needs.budget } : {}),
    };
  }
  if (s.stage === 'inquiry') j.entity.moveTo('needs-analysis', 'needs interview');
  j.entity.record(
    'needs-recorded',
    `${needs.requirements.length} requirement(s), ${needs.painPoints.length} pain point(s) recorded`,
  );
  return rankedNeeds(j);
}

/** Alternatives of the current proposal that address a need (by its title). */
function addressing(j: Journey, title: string): string[] {
  return j.s.alternatives.filter((alternative) => alternative.addresses?.includes(title)).map((a) => a.id);
}

/**
 * A pain point is open until an alternative of the proposal addresses it, and accepted once the
 * quote the customer signed for is for an alternative that addresses it.
 */
function painPointStatus(j: Journey, title: string): 'open' | 'addressed' | 'accepted' {
  const by = addressing(j, title);
  if (by.length === 0) return 'open';
  const signed = j.s.contract
    ? j.s.quotes.find((quote) => quote.status === 'approved' && quote.sentAt)
    : undefined;
  return signed && by.includes(signed.alternativeId) ? 'accepted' : 'addressed';
}

/** Requirements by must/should/could, then urgency × business value; pain points by impact × urgency × ease. */
export function rankedNeeds(j: Journey): RankedNeeds {
  const order = { must: 0, should: 1, could: 2 } as const;
  const requirements = [...j.s.requirements]
    .sort(
      (a, b) =>
        order[a.priority] - order[b.priority] || b.urgency * b.businessValue - a.urgency * a.businessValue,
    )
    .map((requirement, index) => ({
      ...requirement,
      rank: index + 1,
      addressedBy: addressing(j, requirement.title),
    }));
  // Ease is 6 − difficulty, so a high-impact, urgent, easy pain point comes first.
  const painPoints = j.s.painPoints
    .map((point) => ({ ...point, score: point.impact * point.urgency * (6 - point.difficulty) }))
    .sort((a, b) => b.score - a.score)
    .map((point, index) => ({ ...point, rank: index + 1, status: painPointStatus(j, point.title) }));
  return { requirements, painPoints, ...j.s.needsContext };
}

export function validateProposal(j: Journey, proposal: ParsedSubmitProposal): void {
  const s = j.s;
  if (s.requirements.length === 0) {
    throw new RuleViolation('record the customer’s requirements (recordNeeds) before proposing');
  }
  // Rule PS-4: the proposal answers the needs. Held to it when it says what it addresses (or when
  // the policy asks every proposal to).
  const declared = proposal.alternatives.some((alternative) => alternative.addresses !== undefined);
  if (!declared && !j.policy.requireCoverage) return;
  const known = new Set([...s.requirements, ...s.painPoints].map((need) => need.title));
  const problems: string[] = [];
  proposal.alternatives.forEach((alternative, index) => {
    for (const title of alternative.addresses ?? []) {
      if (!known.has(title))
        problems.push(`alternatives.${index}.addresses: no requirement or pain point "${title}"`);
    }
  });
  const covered = new Set(proposal.alternatives.flatMap((alternative) => alternative.addresses ?? []));
  const ranked = rankedNeeds(j);
  const mustHaves = ranked.requirements.filter((requirement) => requirement.priority === 'must');
  const unmet = mustHaves.filter((requirement) => !covered.has(requirement.title)).map((r) => `"${r.title}"`);
  if (unmet.length > 0) problems.push(`no alternative addresses the must-have ${unmet.join(', ')}`);
  const top = ranked.painPoints[0];
  if (top && !covered.has(top.title))
    problems.push(`no alternative addresses the top pain point "${top.title}"`);
  if (problems.length > 0) throw new RuleViolation(problems.join('; '));
}

export function submitProposal(j: Journey, proposal: ParsedSubmitProposal): ProposalResult {
  const s = j.s;
  s.alternatives = proposal.alternatives;
  s.proposalVersion += 1;
  const blocked = proposal.alternatives.filter((alternative) =>
    Object.values(alternative.feasibility ?? {}).includes('blocker'),
  );
  j.entity.record(
    'proposal-submitted',
    `proposal v${s.proposalVersion}: ${proposal.alternatives.length} alternative(s)${blocked.length ? `, ${blocked.length} with a feasibility blocker` : ''}`,
  );
  j.entity.moveTo('proposal', `proposal v${s.proposalVersion}`);
  return { version: s.proposalVersion, stage: s.stage };
}

/** A proposal, then its review (proposals since proposal-review; before, nothing follows). */
export function proposeAndReview(
  j: Journey,
  proposal: ParsedSubmitProposal,
): ProposalResult | Promise<ProposalResult> {
  const result = submitProposal(j, proposal);
  const follows = openReview(j);
  return follows ? follows.then(() => result) : result;
}

export function validateQuote(j: Journey, quote: ParsedSubmitQuote): void {
  assertQuotable(j);
  const alternative = j.s.alternatives.find((candidate) => candidate.id === quote.alternativeId);
  const blockers = Object.entries(alternative?.feasibility ?? {})
    .filter(([, verdict]) => verdict === 'blocker')
    .map(([aspect]) => aspect);
  if (blockers.length > 0) {
    throw new RuleViolation(
      `alternativeId: "${quote.alternativeId}" has a feasibility blocker (${blockers.join(', ')}); propose it again without one first`,
    );
  }
  const breakdown = quote.explanation?.breakdown ?? [];
  if (breakdown.length > 0) {
    const total = breakdown.reduce((sum, line) => sum + line.amount, 0);
    // Cents: amounts are money, summed in floating point.
    if (Math.abs(total - quote.price) > 0.005) {
      throw new RuleViolation(`explanation.breakdown: adds up to ${total}, the price is ${quote.price}`);
    }
  }
  if (!j.s.alternatives.some((alternative) => alternative.id === quote.alternativeId)) {
    throw new RuleViolation(
      `alternativeId: no alternative "${quote.alternativeId}" in proposal v${j.s.proposalVersion}`,
    );
  }
}

/** Rule PS-6: a quote goes through its own approval workflow, which reports back by signal. */
export async function submitQuote(j: Journey, quote: ParsedSubmitQuote): Promise<QuoteStarted> {
  const s = j.s;
  const quoteId = `Q${s.quotes.length + 1}`;
  const approvalWorkflowId = `${s.journeyId}/quote-${s.quotes.length + 1}`;
  const margin = marginOf(quote.price, quote.cost);
  const autoApproved = margin >= j.policy.quote.autoApproveMargin;
  if (autoApproved && j.code.has(QUOTE_AUTO_APPROVAL_INLINE)) {
    const record: QuoteRecord = {
      quoteId,
      alternativeId: quote.alternativeId,
      price: quote.price,
      currency: quote.currency,
      margin,
      status: 'approved',
      decidedBy: 'policy',
      ...(quote.explanation ? { explanation: quote.explanation } : {}),
    };
    s.quotes.push(record);
    // Through the approval stage, as a manager's approval goes: the stage table stays the one truth.
    j.entity.moveTo('quote-approval', `quote ${quoteId} meets the margin policy`);
    j.entity.record(
      'quote-submitted',
      `quote ${quoteId}: ${quote.price} ${quote.currency}, margin ${(margin * 100).toFixed(1)} % (meets the policy)`,
    );
    j.entity.record(
      'quote-decided',
      `quote ${quoteId} approved by policy (margin ≥ ${(j.policy.quote.autoApproveMargin * 100).toFixed(0)} %)`,
    );
    await sendQuote(j, record);
    return { quoteId, margin, autoApproved };
  }
  s.quotes.push({
    quoteId,
    alternativeId: quote.alternativeId,
    price: quote.price,
    currency: quote.currency,
    margin,
    approvalWorkflowId,
    status: 'pending',
    ...(quote.explanation ? { explanation: quote.explanation } : {}),
  });
  j.entity.moveTo('quote-approval', `quote ${quoteId} in approval`);
  j.entity.record(
    'quote-submitted',
    `quote ${quoteId}: ${quote.price} ${quote.currency}, margin ${(margin * 100).toFixed(1)} %${autoApproved ? ' (meets the policy)' : ' (manager approval needed)'}`,
  );
  const args: QuoteApprovalInput = {
    quoteId,
    journeyId: s.journeyId,
    customerId: s.customerId,
    alternativeId: quote.alternativeId,
    price: quote.price,
    cost: quote.cost,
    currency: quote.currency,
    owner: s.owner,
    policy: j.policy.quote,
    calendar: j.policy.calendar,
  };
  // The approval reports back by signal, so the journey may continue-as-new meanwhile:
  // ABANDON keeps it running across that.
  const approval = await startChild(QUOTE_APPROVAL_WORKFLOW, {
    workflowId: approvalWorkflowId,
    args: [args],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `Quote ${quoteId} for ${s.customerId}: margin ${(margin * 100).toFixed(1)} %`,
  });
  trackChild(j, approval);
  return { quoteId, approvalWorkflowId, margin, autoApproved };
}

export async function onQuoteDecided(j: Journey, decision: QuoteDecision): Promise<void> {
  const s = j.s;
  const quote = s.quotes.find((candidate) => candidate.quoteId === decision.quoteId);
  if (!quote || quote.status !== 'pending') {
    return j.entity.rejectSignal('quoteDecided', [`no pending quote ${decision.quoteId}`]);
  }
  quote.status = decision.decision;
  quote.decidedBy = decision.decidedBy;
  quote.suggestedPrice = decision.suggestedPrice;
  if (decision.escalatedToDeputy) s.escalated = true;
  j.entity.record(
    'quote-decided',
    `quote ${quote.quoteId} ${decision.decision} by ${decision.decidedBy}${decision.escalatedToDeputy ? ' (after escalation to the deputy)' : ''}`,
  );
  if (decision.decision !== 'approved') {
    // "Adjusted and re-approved when needed": back to the proposal for a new quote.
    j.entity.moveTo(
      'proposal',
      `quote ${decision.decision}${decision.suggestedPrice ? `; suggested price ${decision.suggestedPrice}` : ''}`,
    );
    await j.entity.notifyStaff(`quote/${quote.quoteId}/${decision.decision}`, {
      audience: 'owner',
      staffId: s.owner,
      reason: `quote ${quote.quoteId} ${decision.decision}: prepare a new quote`,
    });
    return;
  }
  await sendQuote(j, quote);
}

/** An approved quote goes to the customer; the journey negotiates from here. */
async function sendQuote(j: Journey, quote: QuoteRecord): Promise<void> {
  quote.sentAt = nowIso();
  j.entity.moveTo('negotiation', `quote ${quote.quoteId} sent to the customer`);
  j.entity.record('quote-sent', `quote ${quote.quoteId} sent to the customer with its explanation`);
  // Reception-v3: the main loop's plan follows the stage (negotiation now), with its own cadence.
  if (!j.receptionV3) startFollowUps(j, quote.sentAt);
  const explanation = quote.explanation;
  if (explanation?.validDays)
    quote.validUntil = addMs(quote.sentAt, explanation.validDays * DAY_MS).slice(0, 10);
  await j.entity.notifyCustomer(`customer/quote/${quote.quoteId}`, 'quote-sent', {
    quoteId: quote.quoteId,
    price: quote.price,
    currency: quote.currency,
    // Rule PS-7: the quote goes out explained (template variables: flat text, no personal data).
    ...(explanation
      ? {
          included: explanation.included.join('; '),
          breakdown: explanation.breakdown
            .map(({ item, amount }) => `${item}: ${amount} ${quote.currency}`)
            .join('; '),
          ...(quote.validUntil ? { validUntil: quote.validUntil } : {}),
        }
      : {}),
  });
}

/** Rule PS-5: an objection loops back to the needs, the proposal or the quote. */
export function recordObjection(j: Journey, objection: RecordObjection): StageResult {
  const s = j.s;
  const loopBackTo =
    objection.loopBackTo ??
    (objection.reason === 'price' || objection.reason === 'delivery-lead-time'
      ? 'quote'
      : objection.reason === 'unclear-need'
        ? 'needs-analysis'
        : 'proposal');
  s.objections.push({ reason: objection.reason, detail: objection.detail, loopBackTo, at: nowIso() });
  if (j.receptionV3) {
    onCustomerContact(j, `objection (${objection.reason})`);
  } else {
    stopFollowUps(j);
    s.followUp.lastContactAt = nowIso();
  }
  const pending = s.quotes.find((quote) => quote.status === 'pending');
  // A quote still in approval keeps its stage; otherwise the journey loops back.
  if (!pending) {
    j.entity.moveTo(
      loopBackTo === 'needs-analysis' ? 'needs-analysis' : 'proposal',
      `objection (${objection.reason}) → back to ${loopBackTo}`,
    );
  }
  j.entity.record(
    'objection',
    `${objection.reason}: ${objection.detail}${objection.response ? ` — answered: ${objection.response}` : ''}`,
    { data: { reason: objection.reason, loopBackTo } },
  );
  return { stage: s.stage };
}
