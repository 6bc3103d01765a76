/**
 * Handling the case between triage and resolution: the first reply (rules AS-4 … AS-6), waiting
 * on the customer with the clocks paused (AS-16), the person who takes the case, and the
 * carrier's news on a logistics claim (AS-7).
 */
import type { z } from 'zod';
import type {
  AgentAssigned,
  AgentResponded,
  AwaitingCustomer,
  CustomerReplied,
  HandOver,
  ReviewReply,
} from './contract';
import { nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import type { Case } from './model';
import { accountsPauses, pauseForCustomer, pauseReasonProblem, resumeFromPause } from './pauses';
import type { PauseReason } from './policy';
import { assign } from './triage';

export function onAgentResponded(c: Case, message: z.output<typeof AgentResponded>): void {
  const s = c.s;
  if (message.agentId) s.assignee ??= message.agentId;
  if (!c.windows.open('first-reply')) {
    c.entity.record('agent-responded', `agent ${message.agentId ?? 'unknown'} replied`, {
      data: { kind: message.kind },
    });
    return;
  }
  // Rule AS-6: an assisted (drafted) reply counts only for routine priorities.
  if (message.kind === 'assisted' && !s.policy.assistedReplyPriorities.includes(s.priority)) {
    c.entity.record(
      'assisted-reply-not-counted',
      `an assisted reply does not count as the first reply of a ${s.priority} case; a person must answer`,
    );
    return;
  }
  // Routine questions are the non-technical ones: a fault needs a person's first answer.
  if (
    message.kind === 'assisted' &&
    c.handlingV4 &&
    !s.policy.assistedReplyCategories.includes(s.input.category)
  ) {
    c.entity.record(
      'assisted-reply-not-counted',
      `an assisted reply does not count as the first reply of a ${s.input.category} case; a person must answer`,
    );
    return;
  }
  if (message.kind === 'assisted') {
    if (c.handlingV4) {
      // The draft's review is its own mark, apart from integration failures.
      (s.replyReviews ??= []).push({ agentId: message.agentId, at: nowIso(), status: 'awaiting-review' });
      c.entity.record('reply-review-required', 'assisted reply sent; awaiting a person’s review');
    } else {
      s.needsHumanReview = true;
      c.entity.record('human-review-required', 'assisted reply sent; marked for human review');
    }
  }
  c.windows.fulfil('first-reply', `${message.kind} reply by ${message.agentId ?? 'an agent'}`);
  if (s.stage === 'awaiting-reply') c.entity.moveTo('in-progress', 'first reply sent');
}

export function onCustomerReplied(c: Case, message: z.output<typeof CustomerReplied>): void {
  c.entity.record(
    'customer-replied',
    message.note ? `customer replied: ${message.note}` : 'customer replied',
  );
  if (c.s.stage === 'awaiting-customer' && !c.s.pendingOffer) {
    resumeFromPause(c, 'the customer answered');
    c.entity.moveTo('in-progress', 'the customer answered');
  }
}

export function onAwaitingCustomer(c: Case, message: z.output<typeof AwaitingCustomer>): void {
  const reason = message.pauseReason ?? 'customer-information';
  // Rule OU-3: a reason the policy does not list is refused before anything changes.
  const problem = accountsPauses(c) ? pauseReasonProblem(c, reason) : undefined;
  if (problem) return c.entity.rejectSignal('awaitingCustomer', [problem]);
  // Asking the customer for something is itself a reply.
  c.windows.fulfil('first-reply', 'the agent asked the customer for information');
  pauseForCustomer(c, message.reason, reason as PauseReason);
  c.entity.moveTo('awaiting-customer', message.reason);
}

export function onAgentAssigned(c: Case, message: z.output<typeof AgentAssigned>): void {
  c.s.assignee = message.agentId;
  if (message.team) c.s.team = message.team;
  c.entity.record('assigned', `taken by ${message.agentId}${message.team ? ` (${message.team})` : ''}`);
}

/** The oldest assisted reply still waiting for a person. */
function awaitingReview(c: Case) {
  return c.s.replyReviews?.find((review) => review.status === 'awaiting-review');
}

export function validateReviewReply(c: Case): void {
  if (!awaitingReview(c)) throw new RuleViolation('no assisted reply is awaiting review');
}

/** Rule AS-6: a person confirms or corrects an assisted reply; a correction reaches the customer. */
export async function reviewReply(c: Case, request: z.output<typeof ReviewReply>): Promise<void> {
  const review = awaitingReview(c)!;
  review.status = request.verdict;
  review.reviewer = request.reviewer;
  review.reviewedAt = nowIso();
  const index = c.s.replyReviews!.indexOf(review) + 1;
  c.entity.record('reply-reviewed', `assisted reply ${index} ${request.verdict} by ${request.reviewer}`, {
    data: { verdict: request.verdict, reviewer: request.reviewer },
  });
  if (request.verdict === 'corrected') {
    await c.entity.notifyCustomer(`customer/reply-corrected/${index}`, 'reply-corrected', {
      correction: request.correction ?? '',
    });
  }
  c.entity.touch();
}

/** Rule AS-3: technical faults start with senior engineers; only a routine one goes down. */
export function validateHandOver(c: Case, request: z.output<typeof HandOver>): void {
  const s = c.s;
  if (request.to === s.team) throw new RuleViolation(`the case is already with ${s.team}`);
  if (s.escalation === 'specialist-team' || s.escalation === 'management') {
    throw new RuleViolation(`the case is escalated to ${s.escalation}; it stays there`);
  }
  if (request.to === 'specialist-team' || request.to === 'management') {
    throw new RuleViolation(`use escalate to bring in ${request.to}`);
  }
  const grade = s.input.customerGrade;
  if (
    grade &&
    s.input.category === 'technical' &&
    s.team === 'senior-engineers' &&
    s.policy.gradeLanes?.[grade]?.keepWithSeniors
  ) {
    throw new RuleViolation(
      `a technical fault of ${grade === 'A' ? 'an' : 'a'} ${grade}-grade customer stays with senior engineers`,
    );
  }
  if (
    s.input.category === 'technical' &&
    s.team === 'senior-engineers' &&
    !s.policy.routinePriorities.includes(s.priority)
  ) {
    throw new RuleViolation(
      `a ${s.priority} technical fault stays with senior engineers; only ${s.policy.routinePriorities.join('/')} may be handed over`,
    );
  }
}

export async function handOver(c: Case, request: z.output<typeof HandOver>): Promise<void> {
  const s = c.s;
  const from = s.team;
  s.team = request.to;
  s.assignee = undefined;
  c.entity.record(
    'handed-over',
    `handed from ${from} to ${request.to}${request.by ? ` by ${request.by}` : ''}: ${request.reason}`,
    { data: { from, to: request.to, by: request.by } },
  );
  // Before triage has asked for an assignment (its terms are being looked up), triage assigns
  // the team the case has by then.
  if (c.triageAssigning) await assign(c, `hand-over/${s.timeline.length}`);
  c.entity.touch();
}
