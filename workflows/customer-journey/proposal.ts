/**
 * The proposal's review and the customer's answer (rule PS-15; X1, X12): a submitted version is
 * reviewed internally within a window on the SLA clock (the reviewer warned, the owner's lead told
 * when it runs out); approved, it goes to the customer with a progress message; sent back, the
 * owner revises it. The customer's feedback is its own message: accepted, or back for revision.
 * A quote is for the reviewed version the customer was sent. Proposals submitted before the
 * proposal-review patch go straight on.
 */
import { durationMs } from '../kernel/contract';
import type { DueStep } from '../kernel/sla-clock';
import { formatInstant, nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import { PROPOSAL_REVIEW } from '../kernel/versions';
import { onCustomerContact } from './follow-up';
import { createTask, type InquiryAudience, type Journey } from './model';
import type { ProposalFeedback, ProposalReviewRecord, ReviewProposal } from './records';

/** The reviewer's window (its subject is the version, `v2`). */
export const REVIEW_WINDOW = 'proposal-review';

type ParsedReview = ReviewProposal & { comments?: string };
type ParsedFeedback = ProposalFeedback & { comments?: string };

const subject = (version: number) => `v${version}`;

/**
 * At a new version (proposals since the patch): its review opens, replacing one still pending.
 * Returns the work that follows (the reviewer's task, or the proposal sent when no review is
 * required); proposals before the patch return nothing and run as they did.
 */
export function openReview(j: Journey): Promise<void> | undefined {
  if (!j.code.has(PROPOSAL_REVIEW)) return undefined;
  const s = j.s;
  const policy = j.policy.proposalReview;
  const previous = s.proposalReview;
  if (previous?.status === 'pending') {
    j.windows.cancel(REVIEW_WINDOW, `replaced by proposal v${s.proposalVersion}`, subject(previous.version));
  }
  const record: ProposalReviewRecord = {
    version: s.proposalVersion,
    reviewer: policy.reviewer,
    status: 'pending',
    requestedAt: nowIso(),
  };
  s.proposalReview = record;
  if (!policy.required) {
    record.reviewer = 'not required';
    return sendProposal(j, record);
  }
  j.windows.start(
    REVIEW_WINDOW,
    { hours: durationMs(policy.window) / 3_600_000, basis: 'business' },
    { subject: subject(record.version), because: `proposal v${record.version} submitted for review` },
  );
  j.entity.record(
    'proposal-in-review',
    `proposal v${record.version} waiting for review by ${policy.reviewer}`,
  );
  const dueAt = j.windows.dueAt(j.windows.latest(REVIEW_WINDOW, subject(record.version))!) ?? nowIso();
  return createTask(
    j,
    `proposal-review/v${record.version}`,
    'proposal-review',
    dueAt,
    `review proposal v${record.version} before it goes to the customer`,
    policy.reviewer,
  ).then(() => undefined);
}

async function sendProposal(j: Journey, record: ProposalReviewRecord): Promise<void> {
  record.status = 'sent';
  record.sentAt = nowIso();
  j.entity.record('proposal-sent', `proposal v${record.version} sent to the customer`);
  j.entity.touch();
  // X1: the customer hears whenever the proposal changes.
  await j.entity.notifyCustomer(`customer/proposal/v${record.version}`, 'proposal-sent', {
    version: record.version,
    alternatives: j.s.alternatives.map((alternative) => alternative.title).join('; '),
  });
}

export function validateReview(j: Journey): void {
  const review = j.s.proposalReview;
  if (review?.status !== 'pending') {
    throw new RuleViolation(
      review
        ? `proposal v${review.version} is not waiting for review (${review.status})`
        : 'no proposal is waiting for review',
    );
  }
}

export async function reviewProposal(j: Journey, request: ParsedReview): Promise<ProposalReviewRecord> {
  const review = j.s.proposalReview!;
  review.reviewedAt = nowIso();
  review.reviewer = request.reviewer;
  review.comments = request.comments;
  j.windows.fulfil(REVIEW_WINDOW, `reviewed by ${request.reviewer}`, subject(review.version));
  if (request.decision === 'approve') {
    j.entity.record('proposal-approved', `proposal v${review.version} approved by ${request.reviewer}`);
    await sendProposal(j, review);
    return review;
  }
  review.status = 'revise';
  j.entity.record(
    'proposal-revision-requested',
    `proposal v${review.version} sent back by ${request.reviewer}: ${request.comments}`,
  );
  j.entity.touch();
  await createTask(
    j,
    `proposal-revision/v${review.version}/review`,
    'proposal-revision',
    nowIso(),
    `revise proposal v${review.version}: ${request.comments}`,
  );
  return review;
}

export function validateProposalFeedback(j: Journey): void {
  const review = j.s.proposalReview;
  if (review?.status !== 'sent') {
    throw new RuleViolation(
      review
        ? `proposal v${review.version} has not been sent to the customer (${review.status})`
        : 'no proposal has been sent to the customer',
    );
  }
}

export async function onProposalFeedback(
  j: Journey,
  feedback: ParsedFeedback,
): Promise<ProposalReviewRecord> {
  const review = j.s.proposalReview!;
  review.answeredAt = nowIso();
  review.customerComments = feedback.comments;
  onCustomerContact(j, `feedback on proposal v${review.version}`);
  if (feedback.verdict === 'accept') {
    review.status = 'accepted';
    j.entity.record('proposal-accepted', `the customer accepted proposal v${review.version}`);
    j.entity.touch();
    return review;
  }
  review.status = 'customer-revise';
  j.entity.record(
    'proposal-feedback',
    `the customer asked for changes to proposal v${review.version}: ${feedback.comments}`,
  );
  j.entity.touch();
  await createTask(
    j,
    `proposal-revision/v${review.version}/customer`,
    'proposal-revision',
    nowIso(),
    `revise proposal v${review.version} as the customer asked: ${feedback.comments}`,
  );
  return review;
}

/** A quote is for a reviewed proposal the customer was sent (proposals since the patch). */
export function assertQuotable(j: Journey): void {
  const review = j.s.proposalReview;
  if (!review || review.version !== j.s.proposalVersion) return;
  if (review.status === 'sent' || review.status === 'accepted') return;
  const why =
    review.status === 'pending'
      ? `is waiting for review by ${review.reviewer}`
      : review.status === 'revise'
        ? 'was sent back by its reviewer; submit a revised proposal'
        : 'was sent back by the customer; submit a revised proposal';
  throw new RuleViolation(`proposal v${review.version} ${why}`);
}

/** The review window's ladder: the reviewer warned, the owner's lead told when it runs out. */
export async function onReviewStep(
  j: Journey,
  { clock, step, breach }: DueStep<InquiryAudience>,
): Promise<void> {
  const review = j.s.proposalReview;
  const dueAt = j.windows.dueAt(clock);
  if (breach) {
    j.s.escalated = true;
    j.entity.touch();
  }
  await Promise.all(
    step.notify.map((audience) =>
      j.entity.notifyStaff(
        `${REVIEW_WINDOW}/${clock.subject}/${breach ? 'late' : step.percent}/${audience}`,
        {
          audience,
          staffId: audience === 'owner' ? (review?.reviewer ?? j.policy.proposalReview.reviewer) : j.s.owner,
          window: REVIEW_WINDOW,
          percent: step.percent,
          reason: breach
            ? `proposal ${clock.subject} not reviewed within ${j.policy.proposalReview.window}`
            : `proposal ${clock.subject} review due ${dueAt ? formatInstant(dueAt) : 'soon'} (${step.percent} % used)`,
        },
      ),
    ),
  );
}

export function reviewView(j: Journey) {
  const review = j.s.proposalReview;
  if (!review) return undefined;
  const clock = j.windows.latest(REVIEW_WINDOW, subject(review.version));
  return { ...review, dueAt: review.status === 'pending' && clock ? j.windows.dueAt(clock) : undefined };
}
