/**
 * The `qaReview` contract (rules LE-2, X16): one review of a case or an answered inquiry the weekly
 * QA report drew, by the quality team within a window on business time, scored for the solution's
 * reasonableness, the communication's compliance and the customer's satisfaction, with findings;
 * the next weekly report collects them.
 */
import { z } from 'zod';
import { BusinessCalendar, DEFAULT_BUSINESS_CALENDAR } from '../kernel/business-hours';
import { CustomerId, DurationText, IsoTimestamp, StaffId, Text } from '../kernel/contract';
import { query, update } from '../kernel/messages';
import type { TrackedStage } from '../kernel/tracked-work';

export const QA_REVIEW_WORKFLOW = 'qaReview';
/** The memo field a finished review keeps its scores in (the report reads them from listings). */
export const QA_REVIEW_MEMO = 'qaReview';

export const QaSubject = z.strictObject({
  kind: z.enum(['case', 'inquiry']),
  /** The case's workflow id, or the inquiry's id. */
  id: z.string().min(1).max(300),
  customerId: CustomerId.optional(),
});
export type QaSubject = z.infer<typeof QaSubject>;

/** One review per subject: its workflow id. */
export function qaReviewWorkflowId(subject: Pick<QaSubject, 'kind' | 'id'>): string {
  return `qa-review-${subject.kind}-${subject.id}`;
}

export const QaReviewInput = z.strictObject({
  subject: QaSubject,
  /** The weekly draw it came from: its range and seed. */
  draw: z.strictObject({ from: IsoTimestamp, to: IsoTimestamp, seed: z.number().int() }),
  reviewer: StaffId.default('quality-team'),
  lead: StaffId.default('quality-lead'),
  /** Business time for the review (27 h: three working days of the default calendar; ours). */
  dueWithin: DurationText.default('27h'),
  calendar: BusinessCalendar.default(DEFAULT_BUSINESS_CALENDAR),
});
export type QaReviewInput = z.input<typeof QaReviewInput>;

const Score = z.number().int().min(1, 'must be 1–5').max(5, 'must be 1–5');

export const SubmitQaReview = z.strictObject({
  reviewer: StaffId,
  /** How reasonable the solution was, how compliant the communication, how satisfied the customer (1–5). */
  scores: z.strictObject({ solution: Score, communication: Score, satisfaction: Score }),
  findings: Text(2000).min(1, 'must say what was found'),
});
export type SubmitQaReview = z.input<typeof SubmitQaReview>;

export const QaReviewView = z.object({
  workflowId: z.string(),
  subject: QaSubject,
  stage: z.enum(['open', 'overdue', 'closed']) satisfies z.ZodType<TrackedStage>,
  reviewer: z.string(),
  openedAt: IsoTimestamp,
  dueAt: IsoTimestamp,
  overdue: z.boolean(),
  closedAt: IsoTimestamp.optional(),
  scores: SubmitQaReview.shape.scores.optional(),
  findings: z.string().optional(),
  reviewedBy: z.string().optional(),
});
export type QaReviewView = z.infer<typeof QaReviewView>;

export const QA_REVIEW_MESSAGES = {
  submitQaReview: update(
    'submitQaReview',
    SubmitQaReview,
    QaReviewView,
    'The reviewer’s scores (solution, communication, satisfaction: 1–5) and findings; closes the review. JSON: {"reviewer":"qa-1","scores":{"solution":4,"communication":5,"satisfaction":4},"findings":"Clear answer"}',
    { stages: ['open', 'overdue'], refusal: () => 'the review is already submitted' },
  ),
  getQaReview: query('getQaReview', QaReviewView, 'The review: its subject, reviewer, due date and scores.'),
} as const;

export const submitQaReviewUpdate = QA_REVIEW_MESSAGES.submitQaReview.definition;
export const getQaReviewQuery = QA_REVIEW_MESSAGES.getQaReview.definition;
