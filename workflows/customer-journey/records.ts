/**
 * The records a journey keeps and shows: the customer's contact (personal data, only ever in
 * encrypted payloads), requirements and pain points, the proposal's alternatives, quotes, cases,
 * and the reasons a deal is lost or objected to.
 */
import { z } from 'zod';
import { CustomerGrade, IsoTimestamp, Priority, StaffId, Text } from '../kernel/contract';

/** Personal data: only ever inside this (encrypted) payload. */
export const Contact = z.strictObject({
  name: Text(100).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ()-]{5,20}$/, 'must be a phone number')
    .optional(),
  email: z.email({ error: 'must be an e-mail address' }).optional(),
  company: Text(200).optional(),
});
export type Contact = z.infer<typeof Contact>;

/** What the customer agreed their data may be used for (rule PS-12). */
export const Consent = z.strictObject({
  /** Satisfaction surveys and revisits. */
  surveys: z.boolean(),
  /** Offers and news. */
  marketing: z.boolean(),
  /** Being asked to recommend us. */
  referrals: z.boolean(),
});
export type Consent = z.infer<typeof Consent>;

/** The customer's answer to the pre-sales survey (rule PS-13), 1–5 each. */
export const PresalesFeedback = z.strictObject({
  csat: z.number().int().min(1, 'must be 1–5').max(5, 'must be 1–5'),
  /** How quickly we answered. */
  speed: z.number().int().min(1, 'must be 1–5').max(5, 'must be 1–5').optional(),
  /** How well we understood what they needed. */
  understanding: z.number().int().min(1, 'must be 1–5').max(5, 'must be 1–5').optional(),
  /** The service attitude and how useful the answers were (rule X7). */
  attitude: z.number().int().min(1, 'must be 1–5').max(5, 'must be 1–5').optional(),
  effectiveness: z.number().int().min(1, 'must be 1–5').max(5, 'must be 1–5').optional(),
  comment: Text(1000).optional(),
});
export type PresalesFeedback = z.infer<typeof PresalesFeedback>;

const Score = z.number().int().min(1, 'must be 1–5').max(5, 'must be 1–5');

/** Must / should / could ("必須滿足 / 優先考慮 / 可選優化"), ranked by urgency and business value. */
export const Requirement = z.strictObject({
  title: Text(200).min(1, 'must name the requirement'),
  priority: z.enum(['must', 'should', 'could']),
  urgency: Score,
  businessValue: Score,
});
export type Requirement = z.infer<typeof Requirement>;

/** Pain points are ranked by impact, urgency and difficulty. */
export const PainPoint = z.strictObject({
  title: Text(200).min(1, 'must name the pain point'),
  impact: Score,
  urgency: Score,
  difficulty: Score,
});
export type PainPoint = z.infer<typeof PainPoint>;

const Feasibility = z.enum(['ok', 'concern', 'blocker']);

/** One alternative solution: configuration, service terms, cost/benefit, ROI, feasibility. */
export const Alternative = z.strictObject({
  id: z.string().min(1).max(64),
  title: Text(200).min(1, 'must name the alternative'),
  configuration: Text(2000).optional(),
  serviceTerms: Text(2000).optional(),
  estimatedCost: z.number().min(0).optional(),
  expectedBenefit: z.number().min(0).optional(),
  feasibility: z
    .strictObject({ function: Feasibility, process: Feasibility, resources: Feasibility, risk: Feasibility })
    .optional(),
  /** The requirements and pain points (by title) this alternative addresses (rule PS-4). */
  addresses: z.array(Text(200).min(1)).max(50).optional(),
});
export type Alternative = z.infer<typeof Alternative>;

/** Where and how the customer will use the solution, and what they can spend (rule PS-3). */
export const NeedsContext = z.strictObject({
  scenario: Text(1000).min(1).optional(),
  budget: z
    .strictObject({
      min: z.number().min(0, 'must not be negative'),
      max: z.number().min(0, 'must not be negative'),
      currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO currency code such as CNY'),
    })
    .refine((budget) => budget.min <= budget.max, { message: 'min must not exceed max', path: ['min'] })
    .optional(),
});
export type NeedsContext = z.infer<typeof NeedsContext>;

export const ObjectionReason = z.enum([
  'price',
  'competitor',
  'unclear-need',
  'product-understanding',
  'delivery-lead-time',
]);
export type ObjectionReason = z.infer<typeof ObjectionReason>;
export const LostReason = z.enum([
  'price',
  'competitor',
  'no-budget',
  'no-response',
  'unclear-need',
  'other',
]);
export type LostReason = z.infer<typeof LostReason>;
/** What a quote explains to the customer (rule PS-7): what it includes, how the price is made up, how long it holds. */
export const QuoteExplanation = z.strictObject({
  included: z.array(Text(200).min(1)).max(30).default([]),
  breakdown: z
    .array(z.strictObject({ item: Text(100).min(1), amount: z.number().min(0, 'must not be negative') }))
    .max(30)
    .default([]),
  /** Days the offer holds from the day it is sent. */
  validDays: z.number().int().min(1).max(365).optional(),
});
export type QuoteExplanation = z.infer<typeof QuoteExplanation>;

export const QuoteRecord = z.object({
  quoteId: z.string(),
  alternativeId: z.string(),
  price: z.number(),
  currency: z.string(),
  margin: z.number(),
  /** The `quoteApproval` child that decides it; none when the margin met the policy. */
  approvalWorkflowId: z.string().optional(),
  status: z.enum(['pending', 'approved', 'rejected', 'adjusted', 'expired']),
  decidedBy: z.string().optional(),
  suggestedPrice: z.number().optional(),
  sentAt: IsoTimestamp.optional(),
  explanation: QuoteExplanation.optional(),
  /** The last day the offer holds (from `explanation.validDays`, counted from the day it is sent). */
  validUntil: z.string().optional(),
});
export type QuoteRecord = z.infer<typeof QuoteRecord>;

export const CaseRecord = z.object({
  caseWorkflowId: z.string(),
  priority: Priority,
  openedAt: IsoTimestamp,
  status: z.enum(['open', 'closed']),
  outcome: z.string().optional(),
  csat: z.number().optional(),
  nps: z.number().optional(),
  /** The update that reported it: the same update delivered again finds this case. */
  requestId: z.string().optional(),
  /** What it was about (cases since repeat marking): a later case about the same repeats it. */
  category: z.string().optional(),
  product: z.string().optional(),
  /** The earlier case this one repeats. */
  repeatOf: z.string().optional(),
  /**
   * The run that started it hears of its close through its result (cases since
   * CASE_REPORTS_BY_RESULT); false once the case was told to signal, when the journey continued as new.
   */
  reportsByResult: z.boolean().optional(),
});
export type CaseRecord = z.infer<typeof CaseRecord>;

/**
 * A delivery milestone the contract promises (rule HO-5): what, by which day (local date), and who
 * answers for it. The name is a short slug: it names the milestone in messages and its window.
 */
export const Milestone = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a short name in lower case, such as site-survey'),
  dueDate: z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }),
  owner: StaffId.optional(),
});
export type Milestone = z.infer<typeof Milestone>;

/** How delivery stands: the promised date and each milestone, with when it was due and reached. */
export const DeliveryPlan = z.object({
  promisedDate: z.string().optional(),
  /** The end of the promised day in the calendar's time zone. */
  dueAt: IsoTimestamp.optional(),
  milestones: z.array(
    Milestone.extend({
      dueAt: IsoTimestamp,
      reachedAt: IsoTimestamp.optional(),
      note: z.string().optional(),
    }),
  ),
});
export type DeliveryPlan = z.infer<typeof DeliveryPlan>;

/** The contract's value, which grades the customer (rule HO-6). */
export const ContractValue = z.strictObject({
  amount: z.number().positive('must be above 0'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO currency code such as CNY'),
});
export type ContractValue = z.infer<typeof ContractValue>;

/** The customer's grade and what it came from. */
export const GradeRecord = z.object({
  grade: CustomerGrade,
  /** `ops`: named in the contract; `contract-value`: the policy's thresholds; `ungraded`: no value to grade by. */
  basis: z.enum(['ops', 'contract-value', 'ungraded']),
  value: ContractValue.optional(),
  at: IsoTimestamp,
});
export type GradeRecord = z.infer<typeof GradeRecord>;

/** Why the customer signed, as sales saw it (the report counts them beside the loss reasons). */
export const WinReason = z.enum([
  'product-fit',
  'price',
  'service',
  'delivery-lead-time',
  'relationship',
  'other',
]);
export type WinReason = z.infer<typeof WinReason>;

/** The internal review of a proposal version before the customer sees it (rule PS-15). */
export const ReviewProposal = z
  .strictObject({
    decision: z.enum(['approve', 'revise']),
    reviewer: StaffId,
    comments: Text(1000).optional(),
  })
  .refine((review) => review.decision === 'approve' || review.comments !== undefined, {
    error: 'say what to revise',
    path: ['comments'],
  });
export type ReviewProposal = z.input<typeof ReviewProposal>;

/** The customer's feedback on the proposal they were sent (rule PS-15). */
export const ProposalFeedback = z
  .strictObject({
    verdict: z.enum(['accept', 'revise']),
    comments: Text(1000).optional(),
  })
  .refine((feedback) => feedback.verdict === 'accept' || feedback.comments !== undefined, {
    error: 'say what the customer wants changed',
    path: ['comments'],
  });
export type ProposalFeedback = z.input<typeof ProposalFeedback>;

/** Where a proposal version stands: in review, sent back, sent to the customer, their answer. */
export const ProposalReviewRecord = z.object({
  version: z.number(),
  reviewer: z.string(),
  status: z.enum(['pending', 'revise', 'sent', 'customer-revise', 'accepted']),
  requestedAt: IsoTimestamp,
  reviewedAt: IsoTimestamp.optional(),
  sentAt: IsoTimestamp.optional(),
  comments: z.string().optional(),
  /** The customer's comments when they asked for changes. */
  customerComments: z.string().optional(),
  answeredAt: IsoTimestamp.optional(),
});
export type ProposalReviewRecord = z.infer<typeof ProposalReviewRecord>;
