/**
 * What the journey's updates and queries answer, and its final result.
 */
import { z } from 'zod';
import { Channel, IsoTimestamp, Priority, PromisedTerms } from '../kernel/contract';
import {
  Alternative,
  CaseRecord,
  Consent,
  Contact,
  GradeRecord,
  PresalesFeedback,
  ProposalReviewRecord,
  LostReason,
  NeedsContext,
  ObjectionReason,
  PainPoint,
  QuoteRecord,
  Requirement,
} from './records';
import { JourneyStage } from './stages';

export const InquiryResult = z.object({
  journeyId: z.string(),
  stage: JourneyStage,
  /** False when the inquiry was already known (same inquiryId). */
  recorded: z.boolean(),
  /** True when this inquiry is the one that started the journey. */
  created: z.boolean(),
  inquiries: z.number(),
});
export type InquiryResult = z.infer<typeof InquiryResult>;

export const RankedNeeds = z.object({
  /** Each with the alternatives of the current proposal that address it. */
  requirements: z.array(Requirement.extend({ rank: z.number(), addressedBy: z.array(z.string()) })),
  /** Open until the proposal addresses it; accepted once the signed quote's alternative does. */
  painPoints: z.array(
    PainPoint.extend({
      rank: z.number(),
      score: z.number(),
      status: z.enum(['open', 'addressed', 'accepted']),
    }),
  ),
  ...NeedsContext.shape,
});
export type RankedNeeds = z.infer<typeof RankedNeeds>;

export const ProposalResult = z.object({ version: z.number(), stage: JourneyStage });
export type ProposalResult = z.infer<typeof ProposalResult>;

export const QuoteStarted = z.object({
  quoteId: z.string(),
  /** The `quoteApproval` child a manager decides in; none when the margin met the policy. */
  approvalWorkflowId: z.string().optional(),
  margin: z.number(),
  /** True when the margin meets the policy and no manager is needed. */
  autoApproved: z.boolean(),
});
export type QuoteStarted = z.infer<typeof QuoteStarted>;

export const StageResult = z.object({ stage: JourneyStage });

export const ContactUpdated = z.object({
  /** The contact fields corrected (names only: the values stay in encrypted payloads). */
  corrected: z.array(z.string()),
  preferredChannel: Channel,
  stage: JourneyStage,
});
export type ContactUpdated = z.infer<typeof ContactUpdated>;

export const ConsentRecorded = z.object({
  consent: z.object({ surveys: z.boolean(), marketing: z.boolean(), referrals: z.boolean() }),
  recordedAt: IsoTimestamp,
});
export type ConsentRecorded = z.infer<typeof ConsentRecorded>;
export type StageResult = z.infer<typeof StageResult>;

export const HandoffResult = z.object({
  contractId: z.string(),
  archiveVersion: z.string().optional(),
  stage: JourneyStage,
  handoff: z.object({
    requirements: z.number(),
    specialRequests: z.number(),
    terms: PromisedTerms,
  }),
});
export type HandoffResult = z.infer<typeof HandoffResult>;

export const IssueReported = z.object({ caseWorkflowId: z.string(), priority: Priority });
export type IssueReported = z.infer<typeof IssueReported>;

/** Delivery against the contract's promises: the date, each milestone, what is late. */
export const DeliveryView = z.object({
  promisedDate: z.string().optional(),
  dueAt: IsoTimestamp.optional(),
  /** Past the promised date without delivery (a breach of the `delivery` window). */
  late: z.boolean(),
  milestones: z.array(
    z.object({
      name: z.string(),
      dueDate: z.string(),
      owner: z.string().optional(),
      dueAt: IsoTimestamp,
      reachedAt: IsoTimestamp.optional(),
      late: z.boolean(),
    }),
  ),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

export const JourneyView = z.object({
  journeyId: z.string(),
  customerId: z.string(),
  channel: Channel,
  stage: JourneyStage,
  owner: z.string().optional(),
  region: z.string().optional(),
  inquiries: z.array(
    z.object({
      inquiryId: z.string(),
      channel: Channel,
      at: IsoTimestamp,
      /** What the customer asked (personal data may be in it: encrypted payloads only). */
      summary: z.string().optional(),
      specialRequests: z.array(z.string()).optional(),
      dueAt: IsoTimestamp.optional(),
      answeredAt: IsoTimestamp.optional(),
      answeredBy: z.string().optional(),
      breached: z.boolean().optional(),
      /** An automatic reply went out: the desk was closed or busy. */
      autoReply: z.enum(['closed', 'busy']).optional(),
    }),
  ),
  firstResponse: z
    .object({
      windowStartsAt: IsoTimestamp,
      dueAt: IsoTimestamp,
      autoReplied: z.boolean(),
      respondedAt: IsoTimestamp.optional(),
      breached: z.boolean(),
    })
    .optional(),
  requirements: RankedNeeds.shape.requirements,
  painPoints: RankedNeeds.shape.painPoints,
  proposalVersion: z.number(),
  /** The latest proposal's internal review and the customer's answer to it. */
  proposalReview: ProposalReviewRecord.extend({ dueAt: IsoTimestamp.optional() }).optional(),
  /** With the return on investment where cost and benefit are given: (benefit − cost) ÷ cost. */
  alternatives: z.array(Alternative.extend({ roi: z.number().optional() })),
  quotes: z.array(QuoteRecord),
  objections: z.array(
    z.object({ reason: ObjectionReason, detail: z.string(), loopBackTo: z.string(), at: IsoTimestamp }),
  ),
  followUp: z.object({
    lastContactAt: IsoTimestamp.optional(),
    tasksCreated: z.number(),
    nextAt: IsoTimestamp.optional(),
    /** The stage whose cadence runs. */
    stage: JourneyStage.optional(),
    /** Who follows up: the journey's owner, or the policy's default owner. */
    owner: z.string().optional(),
  }),
  preferredChannel: Channel.optional(),
  contact: Contact.optional(),
  consent: Consent.optional(),
  presalesFeedback: PresalesFeedback.extend({ at: IsoTimestamp }).optional(),
  /** The pre-sales survey: when it went out; for a lost journey, the answer window and its end. */
  presalesSurvey: z
    .object({
      sentAt: IsoTimestamp.optional(),
      answerBy: IsoTimestamp.optional(),
      unanswered: z.boolean().optional(),
    })
    .optional(),
  contract: z
    .object({
      contractId: z.string(),
      terms: PromisedTerms,
      signedAt: IsoTimestamp,
      archiveVersion: z.string().optional(),
    })
    .optional(),
  specialRequests: z.array(z.string()),
  /** The customer's grade from the contract; an A grade puts their cases in the faster lane. */
  grade: GradeRecord.optional(),
  deliveredAt: IsoTimestamp.optional(),
  /** Delivery tracking (contracts signed since the delivery-milestones patch). */
  delivery: DeliveryView.optional(),
  cases: z.array(CaseRecord),
  referralsRequested: z.number(),
  nextRevisitAt: IsoTimestamp.optional(),
  renewalReminderAt: IsoTimestamp.optional(),
  lostReason: LostReason.optional(),
  escalated: z.boolean(),
  continuedAsNew: z.number(),
  /** Cases closed with a breach in the policy's window, and since when the customer is at risk (rule OU-2). */
  slaHealth: z
    .object({
      breachedCases: z.number(),
      atRiskSince: IsoTimestamp.optional(),
      flagged: z.number(),
    })
    .optional(),
  asOf: IsoTimestamp,
});
export type JourneyView = z.infer<typeof JourneyView>;

export const JourneyResult = z.object({
  journeyId: z.string(),
  customerId: z.string(),
  outcome: z.enum(['lost', 'closed']),
  stage: JourneyStage,
  channel: Channel,
  lostReason: LostReason.optional(),
  contractId: z.string().optional(),
  casesOpened: z.number(),
  firstResponseBreached: z.boolean(),
  quotes: z.number(),
  objections: z.number(),
  startedAt: IsoTimestamp,
  endedAt: IsoTimestamp,
});
export type JourneyResult = z.infer<typeof JourneyResult>;
