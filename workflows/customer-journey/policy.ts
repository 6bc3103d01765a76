/**
 * The customer-journey policy: response windows per channel, quote approval rules, the
 * follow-up cadence, the long-tail cadences (revisits, renewal, referrals). Data, with each
 * default next to the rule it comes from (rule ids of docs/rules.md).
 */
import { z } from 'zod';
import { BusinessCalendar, DEFAULT_BUSINESS_CALENDAR } from '../kernel/business-hours';
import { CasePolicyOverrides } from '../after-sales-case/policy-overrides';
import { Channel, CustomerGrade, DurationText, Priority, StaffId } from '../kernel/contract';
import { ladderStepSchema } from '../kernel/sla-clock';
import { Consent } from './records';
import { QuotePolicy } from '../quote-approval/policy';

const StageFollowUp = z.strictObject({
  cadence: z.array(DurationText).min(1),
  content: z.string().min(1).max(300),
});

/** The stages before the contract, where a prospect is followed up until won or lost. */
export type UndecidedStage = 'inquiry' | 'needs-analysis' | 'proposal' | 'quote-approval' | 'negotiation';

const PresalesSurveyPolicy = z.strictObject({
  enabled: z.boolean(),
  after: DurationText,
  answerWithin: DurationText,
});

/** Contract values from which a customer is graded A or B, in one currency. */
const GradeThresholds = z
  .strictObject({ A: z.number().positive(), B: z.number().positive() })
  .refine((value) => value.A > value.B, { error: 'A must start above B' });

const GradingPolicy = z.strictObject({
  /** Per currency (ISO code): contract value from which the customer is A, and B (else C). */
  thresholds: z.record(z.string().regex(/^[A-Z]{3}$/, 'must be an ISO currency code'), GradeThresholds),
  /** The grade of a contract whose value is unknown or in a currency without thresholds. */
  ungraded: CustomerGrade,
  /** Priorities at which an A-grade customer's case is answered by sales and after-sales together. */
  jointResponse: z.array(Priority),
});

/** When a customer's cases breach too often (rule OU-2, ours). */
const SlaHealthPolicy = z.strictObject({
  /** The rolling window breached cases are counted in, by when the case closed. */
  window: DurationText,
  /** More breached cases than this in the window mark the customer at risk. */
  maxBreachedCases: z.number().int().min(0).max(100),
  /** Grades whose next cases run on shortened windows while the customer is at risk. */
  shortenFor: z.array(CustomerGrade),
});

const ProposalReviewPolicy = z.strictObject({
  /** Off: a proposal goes to the customer as soon as it is submitted. */
  required: z.boolean(),
  reviewer: StaffId,
  /** The reviewer answers within this window, on the journey's business hours. */
  window: DurationText,
});

export const JourneyPolicy = z.strictObject({
  calendar: BusinessCalendar,
  /** First response to an inquiry, per channel, counted from the inquiry (or the next opening). */
  firstResponse: z.strictObject({
    phone: DurationText,
    email: DurationText,
    'online-chat': DurationText,
    social: DurationText,
    'walk-in': DurationText,
  }),
  /**
   * Whether an inquiry's window counts business hours (only while the desk is open) or calendar
   * time, per channel. Journeys started before reception-v3 count calendar time.
   */
  inquiryBasis: z.strictObject({
    phone: z.enum(['calendar', 'business']),
    email: z.enum(['calendar', 'business']),
    'online-chat': z.enum(['calendar', 'business']),
    social: z.enum(['calendar', 'business']),
    'walk-in': z.enum(['calendar', 'business']),
  }),
  /** An inquiry window's warning ladder: whom to tell at which share of the window (100 = breach). */
  inquiryLadder: z.array(ladderStepSchema(z.enum(['owner', 'owner-lead']))).min(1),
  /** The ladder of the promised delivery date and of each milestone (rule HO-5). */
  deliveryLadder: z.array(ladderStepSchema(z.enum(['owner', 'owner-lead']))).min(1),
  /**
   * The desk counts as busy when this many inquiries of the journey's owner are unanswered: a new
   * one then gets the automatic "we will answer by …" reply too (as does any while telephony
   * reports the desk busy).
   */
  busyAfterUnanswered: z.number().int().min(1),
  /**
   * A proposal must say which needs each alternative addresses, and cover every must-have and the
   * top pain point. Off, a proposal that says nothing of it is taken as it is; one that does is
   * held to it either way.
   */
  requireCoverage: z.boolean(),
  /** Who follows up a prospect without an owner. */
  defaultOwner: StaffId,
  /** What the customer has agreed to until they say otherwise (rule PS-12). */
  consent: Consent,
  /**
   * The pre-sales survey once the contract is signed or the prospect is lost (rule PS-13): on or
   * off, how long after, and how long a lost journey stays open for the answer.
   */
  presalesSurvey: PresalesSurveyPolicy,
  /** The channel messages use when the customer has named none (the channel they first used otherwise). */
  preferredChannel: Channel.optional(),
  quote: QuotePolicy,
  /** Follow-up tasks after a quote is sent, counted from the customer's last contact. */
  followUpCadence: z.array(DurationText).min(1),
  /**
   * Follow-ups in the undecided stages before a quote is sent (reception-v3): a cadence counted from
   * the stage's start or the customer's last contact, and what the owner covers.
   */
  followUpByStage: z.strictObject({
    inquiry: StageFollowUp,
    'needs-analysis': StageFollowUp,
    proposal: StageFollowUp,
    'quote-approval': StageFollowUp,
  }),
  /** Without any contact for this long after the quote, the prospect is lost ("no-response"). */
  loseAfter: DurationText,
  /** Periodic revisits after delivery (rule RT-2: "periodic revisits at a cadence per customer"). */
  revisitEvery: DurationText,
  /** How long before the contract ends after-sales is reminded to prepare the renewal. */
  renewalReminderBefore: DurationText,
  /** At most one referral request per customer in this period. */
  referralMinInterval: DurationText,
  /** Continue-as-new once history reaches this many events (the SDK's suggestion otherwise). */
  continueAsNewAfterEvents: z.number().int().min(20).optional(),
  /** The internal review of a proposal before the customer sees it (rule PS-15). */
  proposalReview: ProposalReviewPolicy,
  /** The customer's grade at the contract (rule HO-6), and what an A grade brings to their cases. */
  grading: GradingPolicy,
  /** Customer-level SLA health: breached cases counted, the customer flagged past the threshold. */
  slaHealth: SlaHealthPolicy,
  /** A case about the same product (else category) within this long of an earlier one repeats it. */
  repeatWithin: DurationText,
  /** Policy overrides for the journey's cases (the contract's promised terms still win). */
  case: CasePolicyOverrides.optional(),
});
export type JourneyPolicy = z.infer<typeof JourneyPolicy>;

export const DEFAULT_JOURNEY_POLICY: JourneyPolicy = {
  calendar: DEFAULT_BUSINESS_CALENDAR,
  // "Phone answered within N seconds, online inquiries replied within N minutes" (rule PS-1; N is
  // ours): phone 20 s, online chat 2 min, walk-in 5 min, social 30 min, e-mail 4 h.
  firstResponse: { phone: '20s', 'online-chat': '2m', 'walk-in': '5m', social: '30m', email: '4h' },
  // Rule PS-1 and our decision (DESIGN): inquiry windows run on business hours like a case's, so an
  // e-mail at 16:00 is due at 11:00 the next working day, not at 20:00.
  inquiryBasis: {
    phone: 'business',
    email: 'business',
    'online-chat': 'business',
    social: 'business',
    'walk-in': 'business',
  },
  // Ours: the owner at 75 % of the window, the owner's lead at the breach.
  inquiryLadder: [
    { percent: 75, notify: ['owner'] },
    { percent: 100, notify: ['owner-lead'] },
  ],
  // Ours: the milestone's owner (else the journey's) when 90 % of the time to it has gone, the
  // owner's lead when it is late.
  deliveryLadder: [
    { percent: 90, notify: ['owner'] },
    { percent: 100, notify: ['owner-lead'] },
  ],
  // Ours: three unanswered inquiries of one owner is "busy" (rule PS-2: "when busy, an automatic reply").
  busyAfterUnanswered: 3,
  // Ours: off, so integrations written before coverage existed keep working; on, every proposal
  // must show it covers the must-haves and the top pain point.
  requireCoverage: false,
  defaultOwner: 'sales-desk',
  // Ours: surveys and referral requests are part of the service the contract describes; marketing
  // needs the customer's explicit yes. `recordConsent` changes any of them.
  consent: { surveys: true, marketing: false, referrals: true },
  // Ours: a day after the signature or the loss, while the reception is still fresh; a lost
  // prospect has a week to answer before the journey ends.
  presalesSurvey: { enabled: true, after: '1d', answerWithin: '7d' },
  // "Draft quote → internal approval (margin rules)" (rule PS-6): 25 % margin passes on its own; a
  // manager has 4 business hours, then the deputy 4 more.
  quote: { autoApproveMargin: 0.25, approverWindow: '4h', deputyWindow: '4h' },
  // "Undecided prospects are followed up on a cadence until won or lost" (rule PS-9).
  followUpCadence: ['2d', '5d', '10d'],
  // Ours: what each earlier stage asks of the owner, and how often.
  followUpByStage: {
    inquiry: { cadence: ['1d', '3d'], content: 'answer the inquiry and book the needs interview' },
    'needs-analysis': {
      cadence: ['2d', '5d', '10d'],
      content: 'confirm the requirements and pain points, and when the proposal comes',
    },
    proposal: {
      cadence: ['2d', '5d', '10d'],
      content: 'walk the customer through the proposal and collect their feedback',
    },
    'quote-approval': {
      cadence: ['2d'],
      content: 'tell the customer the quote is in approval and confirm their budget',
    },
  },
  loseAfter: '21d',
  revisitEvery: '90d',
  // "Before the contract expires, after-sales is reminded to prepare the renewal" (rule HO-4).
  renewalReminderBefore: '60d',
  referralMinInterval: '180d',
  // "The proposal is reviewed internally, then sent to the customer" (rule PS-15): the sales lead
  // reviews within 4 business hours (ours).
  proposalReview: { required: true, reviewer: 'sales-lead', window: '4h' },
  // "Customers are graded by importance" (rule HO-6); the figures are ours: A from 1,000,000 CNY
  // of contract value (150,000 USD, 140,000 EUR), B from a fifth of that. A contract in another
  // currency or without a value is B until ops grade it. An urgent (P1) issue of an A-grade
  // customer is answered by the account owner together with after-sales.
  // "Repeat-issue rate" (rule LE-7): the same issue again within 30 days (ours, as the report's).
  repeatWithin: '30d',
  // "A customer with more than 2 breached cases in 30 days is at risk" (rule OU-2, ours); an A-grade
  // customer's next cases then run on shortened windows (the case policy's atRiskWindowShare).
  slaHealth: { window: '30d', maxBreachedCases: 2, shortenFor: ['A'] },
  grading: {
    thresholds: {
      CNY: { A: 1_000_000, B: 200_000 },
      USD: { A: 150_000, B: 30_000 },
      EUR: { A: 140_000, B: 28_000 },
    },
    ungraded: 'B',
    jointResponse: ['P1'],
  },
};

export const JourneyPolicyOverrides = z.strictObject({
  calendar: BusinessCalendar.optional(),
  firstResponse: z
    .partialRecord(z.enum(['phone', 'email', 'online-chat', 'social', 'walk-in']), DurationText)
    .optional(),
  inquiryBasis: z.partialRecord(Channel, z.enum(['calendar', 'business'])).optional(),
  inquiryLadder: z
    .array(ladderStepSchema(z.enum(['owner', 'owner-lead'])))
    .min(1)
    .optional(),
  deliveryLadder: z
    .array(ladderStepSchema(z.enum(['owner', 'owner-lead'])))
    .min(1)
    .optional(),
  busyAfterUnanswered: z.number().int().min(1).optional(),
  defaultOwner: StaffId.optional(),
  requireCoverage: z.boolean().optional(),
  preferredChannel: Channel.optional(),
  consent: Consent.optional(),
  presalesSurvey: PresalesSurveyPolicy.partial().optional(),
  quote: QuotePolicy.partial().optional(),
  followUpCadence: z.array(DurationText).min(1).optional(),
  followUpByStage: z
    .strictObject({
      inquiry: StageFollowUp.optional(),
      'needs-analysis': StageFollowUp.optional(),
      proposal: StageFollowUp.optional(),
      'quote-approval': StageFollowUp.optional(),
    })
    .optional(),
  loseAfter: DurationText.optional(),
  revisitEvery: DurationText.optional(),
  renewalReminderBefore: DurationText.optional(),
  referralMinInterval: DurationText.optional(),
  continueAsNewAfterEvents: z.number().int().min(20).optional(),
  proposalReview: ProposalReviewPolicy.partial().optional(),
  grading: GradingPolicy.partial().optional(),
  slaHealth: SlaHealthPolicy.partial().optional(),
  repeatWithin: DurationText.optional(),
  case: CasePolicyOverrides.optional(),
});
export type JourneyPolicyOverrides = z.infer<typeof JourneyPolicyOverrides>;

/** The journey's effective policy: defaults with the input's overrides on top. */
export function resolveJourneyPolicy(overrides?: JourneyPolicyOverrides): JourneyPolicy {
  const o = overrides ?? {};
  const defined = Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined));
  return {
    ...DEFAULT_JOURNEY_POLICY,
    ...defined,
    firstResponse: { ...DEFAULT_JOURNEY_POLICY.firstResponse, ...(o.firstResponse ?? {}) },
    inquiryBasis: { ...DEFAULT_JOURNEY_POLICY.inquiryBasis, ...(o.inquiryBasis ?? {}) },
    presalesSurvey: {
      ...DEFAULT_JOURNEY_POLICY.presalesSurvey,
      ...Object.fromEntries(
        Object.entries(o.presalesSurvey ?? {}).filter(([, value]) => value !== undefined),
      ),
    },
    followUpByStage: {
      ...DEFAULT_JOURNEY_POLICY.followUpByStage,
      ...Object.fromEntries(
        Object.entries(o.followUpByStage ?? {}).filter(([, value]) => value !== undefined),
      ),
    },
    proposalReview: {
      ...DEFAULT_JOURNEY_POLICY.proposalReview,
      ...Object.fromEntries(Object.entries(o.proposalReview ?? {}).filter(([, v]) => v !== undefined)),
    },
    grading: {
      ...DEFAULT_JOURNEY_POLICY.grading,
      ...Object.fromEntries(Object.entries(o.grading ?? {}).filter(([, v]) => v !== undefined)),
    },
    slaHealth: {
      ...DEFAULT_JOURNEY_POLICY.slaHealth,
      ...Object.fromEntries(Object.entries(o.slaHealth ?? {}).filter(([, v]) => v !== undefined)),
    },
    quote: {
      ...DEFAULT_JOURNEY_POLICY.quote,
      ...Object.fromEntries(Object.entries(o.quote ?? {}).filter(([, v]) => v !== undefined)),
    },
  };
}
