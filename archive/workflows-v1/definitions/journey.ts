/**
 * The `customerJourney` contract: input, signals, updates, queries, views and result.
 *
 * One journey per customer, with the workflow id `journey-<customerId>` (see
 * {@link journeyWorkflowId}): starting it twice for the same customer reaches the same journey.
 * Names, phone numbers and e-mail addresses live only in the `contact` field of the input
 * (an encrypted payload), never in ids, search attributes or logs.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { AfterSalesCaseInput, type CaseResult, type TimelineEntry } from './case';
import { Channel, CustomerId, IsoTimestamp, Priority, PromisedTerms, StaffId, Text } from './common';
import { JourneyPolicyOverrides } from './journey-policy';
import { type QuoteDecision } from './quote';

export const CUSTOMER_JOURNEY_WORKFLOW = 'customerJourney';

/** The workflow id of a customer's journey: one per customer. */
export function journeyWorkflowId(customerId: string): string {
  return `journey-${customerId}`;
}

/** Where a journey stands; also the `JourneyStage` search attribute. */
export const JourneyStage = z.enum([
  'inquiry',
  'needs-analysis',
  'proposal',
  'quote-approval',
  'negotiation',
  'onboarding',
  'after-sales',
  'lost',
  'closed',
]);
export type JourneyStage = z.infer<typeof JourneyStage>;

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

export const JourneyInput = z.strictObject({
  customerId: CustomerId,
  channel: Channel.default('phone'),
  inquiry: Text(2000).min(1, 'must summarise what the customer asked'),
  /** The CRM's id of the inquiry; the same inquiry delivered twice is recorded once. */
  inquiryId: z.string().max(64).optional(),
  contact: Contact.optional(),
  /** Special requests flagged at reception; handed to after-sales with the contract. */
  specialRequests: z.array(Text(300).min(1)).max(20).default([]),
  /** The sales owner; their lead is told when a window is missed. */
  owner: StaffId.optional(),
  policy: JourneyPolicyOverrides.optional(),
  /** Internal: the state carried across continue-as-new. Never set it by hand. */
  carried: z.record(z.string(), z.unknown()).optional(),
});
export type JourneyInput = z.input<typeof JourneyInput>;
export type ParsedJourneyInput = z.output<typeof JourneyInput>;

// ---------------------------------------------------------------------------------------------
// Messages

/** A new inquiry for this customer (from the CRM, telephony, a form…). */
export const NewInquiry = z.strictObject({
  inquiryId: z.string().max(64).optional(),
  channel: Channel.default('phone'),
  summary: Text(2000).min(1, 'must summarise what the customer asked'),
  specialRequests: z.array(Text(300).min(1)).max(20).default([]),
});
export type NewInquiry = z.input<typeof NewInquiry>;
export type ParsedNewInquiry = z.output<typeof NewInquiry>;

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

export const InquiryAnswered = z.strictObject({ agentId: StaffId.optional(), note: Text(500).optional() });
export type InquiryAnswered = z.input<typeof InquiryAnswered>;

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

export const RecordNeeds = z
  .strictObject({
    requirements: z.array(Requirement).max(50).default([]),
    painPoints: z.array(PainPoint).max(50).default([]),
  })
  .refine((value) => value.requirements.length + value.painPoints.length > 0, {
    message: 'must record at least one requirement or pain point',
    path: ['requirements'],
  });
export type RecordNeeds = z.input<typeof RecordNeeds>;
export type ParsedRecordNeeds = z.output<typeof RecordNeeds>;

export const RankedNeeds = z.object({
  requirements: z.array(Requirement.extend({ rank: z.number() })),
  painPoints: z.array(PainPoint.extend({ rank: z.number(), score: z.number() })),
});
export type RankedNeeds = z.infer<typeof RankedNeeds>;

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
});
export type Alternative = z.infer<typeof Alternative>;

export const SubmitProposal = z.strictObject({
  alternatives: z.array(Alternative).min(1, 'must offer at least one alternative').max(10),
});
export type SubmitProposal = z.input<typeof SubmitProposal>;
export type ParsedSubmitProposal = z.output<typeof SubmitProposal>;

export const SubmitQuote = z.strictObject({
  alternativeId: z.string().min(1),
  price: z.number().positive('must be more than 0'),
  cost: z.number().min(0, 'must not be negative'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO currency code such as CNY'),
  approver: StaffId.optional(),
});
export type SubmitQuote = z.input<typeof SubmitQuote>;

export const QuoteStarted = z.object({
  quoteId: z.string(),
  approvalWorkflowId: z.string(),
  margin: z.number(),
  /** True when the margin meets the policy and no manager is needed. */
  autoApproved: z.boolean(),
});
export type QuoteStarted = z.infer<typeof QuoteStarted>;

export const ObjectionReason = z.enum(['price', 'competitor', 'unclear-need', 'product-understanding']);
export type ObjectionReason = z.infer<typeof ObjectionReason>;
export const RecordObjection = z.strictObject({
  reason: ObjectionReason,
  detail: Text(1000).min(1, 'must describe the objection'),
  response: Text(1000).optional(),
  /** Where the journey goes back to; by default price → quote, unclear need → needs analysis, else proposal. */
  loopBackTo: z.enum(['needs-analysis', 'proposal', 'quote']).optional(),
});
export type RecordObjection = z.input<typeof RecordObjection>;

export const CustomerResponded = z.strictObject({ note: Text(500).optional() });
export type CustomerResponded = z.input<typeof CustomerResponded>;

export const SignContract = z.strictObject({
  contractId: z.string().min(1).max(64),
  /** The promises after-sales must honour: response windows, warranty, delivery, contract end. */
  terms: PromisedTerms,
});
export type SignContract = z.input<typeof SignContract>;
export type ParsedSignContract = z.output<typeof SignContract>;

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

export const DeliveryConfirmed = z.strictObject({ note: Text(500).optional() });
export type DeliveryConfirmed = z.input<typeof DeliveryConfirmed>;

/** A reported issue: the case input without what the journey knows itself. */
export const ReportIssue = AfterSalesCaseInput.omit({
  customerId: true,
  journeyId: true,
  promisedTerms: true,
  policy: true,
});
export type ReportIssue = z.input<typeof ReportIssue>;
export type ParsedReportIssue = z.output<typeof ReportIssue>;

export const IssueReported = z.object({ caseWorkflowId: z.string(), priority: Priority });
export type IssueReported = z.infer<typeof IssueReported>;

export const LostReason = z.enum([
  'price',
  'competitor',
  'no-budget',
  'no-response',
  'unclear-need',
  'other',
]);
export type LostReason = z.infer<typeof LostReason>;
export const MarkLost = z.strictObject({ reason: LostReason, note: Text(500).optional() });
export type MarkLost = z.input<typeof MarkLost>;
export type ParsedMarkLost = z.output<typeof MarkLost>;

export const CloseJourney = z.strictObject({
  reason: Text(300).min(1, 'must say why'),
  /** Close even with cases still open (they carry on alone). */
  force: z.boolean().default(false),
});
export type CloseJourney = z.input<typeof CloseJourney>;
export type ParsedCloseJourney = z.output<typeof CloseJourney>;

export const newInquirySignal = defineSignal<[NewInquiry]>('newInquiry');
export const inquiryAnsweredSignal = defineSignal<[InquiryAnswered]>('inquiryAnswered');
export const customerRespondedSignal = defineSignal<[CustomerResponded]>('customerResponded');
export const deliveryConfirmedSignal = defineSignal<[DeliveryConfirmed]>('deliveryConfirmed');
/**
 * Sent by a case to its journey when it closes. Cases report back by signal rather than by
 * child result so a journey that continued-as-new still hears from cases its earlier run started.
 */
export const caseClosedSignal = defineSignal<[CaseResult]>('caseClosed');
/** Sent by a quote approval to its journey with the decision (same reason as caseClosed). */
export const quoteDecidedSignal = defineSignal<[QuoteDecision]>('quoteDecided');

export const registerInquiryUpdate = defineUpdate<InquiryResult, [NewInquiry]>('registerInquiry');
export const recordNeedsUpdate = defineUpdate<RankedNeeds, [RecordNeeds]>('recordNeeds');
export const submitProposalUpdate = defineUpdate<{ version: number; stage: JourneyStage }, [SubmitProposal]>(
  'submitProposal',
);
export const submitQuoteUpdate = defineUpdate<QuoteStarted, [SubmitQuote]>('submitQuote');
export const recordObjectionUpdate = defineUpdate<{ stage: JourneyStage }, [RecordObjection]>(
  'recordObjection',
);
export const signContractUpdate = defineUpdate<HandoffResult, [SignContract]>('signContract');
export const reportIssueUpdate = defineUpdate<IssueReported, [ReportIssue]>('reportIssue');
export const markLostUpdate = defineUpdate<JourneyView, [MarkLost]>('markLost');
export const closeJourneyUpdate = defineUpdate<JourneyView, [CloseJourney]>('closeJourney');

// ---------------------------------------------------------------------------------------------
// Views

export const QuoteRecord = z.object({
  quoteId: z.string(),
  alternativeId: z.string(),
  price: z.number(),
  currency: z.string(),
  margin: z.number(),
  approvalWorkflowId: z.string(),
  status: z.enum(['pending', 'approved', 'rejected', 'adjusted', 'expired']),
  decidedBy: z.string().optional(),
  suggestedPrice: z.number().optional(),
  sentAt: IsoTimestamp.optional(),
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
});
export type CaseRecord = z.infer<typeof CaseRecord>;

export const JourneyView = z.object({
  journeyId: z.string(),
  customerId: z.string(),
  channel: Channel,
  stage: JourneyStage,
  owner: z.string().optional(),
  inquiries: z.array(z.object({ inquiryId: z.string(), channel: Channel, at: IsoTimestamp })),
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
  alternatives: z.array(Alternative),
  quotes: z.array(QuoteRecord),
  objections: z.array(
    z.object({ reason: ObjectionReason, detail: z.string(), loopBackTo: z.string(), at: IsoTimestamp }),
  ),
  followUp: z.object({
    lastContactAt: IsoTimestamp.optional(),
    tasksCreated: z.number(),
    nextAt: IsoTimestamp.optional(),
  }),
  contract: z
    .object({
      contractId: z.string(),
      terms: PromisedTerms,
      signedAt: IsoTimestamp,
      archiveVersion: z.string().optional(),
    })
    .optional(),
  specialRequests: z.array(z.string()),
  deliveredAt: IsoTimestamp.optional(),
  cases: z.array(CaseRecord),
  referralsRequested: z.number(),
  nextRevisitAt: IsoTimestamp.optional(),
  renewalReminderAt: IsoTimestamp.optional(),
  lostReason: LostReason.optional(),
  escalated: z.boolean(),
  continuedAsNew: z.number(),
  asOf: IsoTimestamp,
});
export type JourneyView = z.infer<typeof JourneyView>;

export const getJourneyQuery = defineQuery<JourneyView>('getJourney');
export const getJourneyTimelineQuery = defineQuery<{ entries: TimelineEntry[]; rejectedSignals: number }>(
  'getTimeline',
);

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

export const JOURNEY_HANDLER_DESCRIPTIONS = {
  newInquiry:
    'Another inquiry from this customer (fire-and-forget). JSON: {"channel":"email","summary":"Asks about pricing"}',
  registerInquiry:
    'Another inquiry from this customer; answers with the journey’s stage. Used with update-with-start. JSON: {"channel":"email","summary":"…","inquiryId":"crm-77"}',
  inquiryAnswered:
    'A person answered the inquiry; fulfils the first-response window. JSON: {"agentId":"sales-3"}',
  recordNeeds:
    'Requirements (must/should/could, urgency and business value 1–5) and pain points (impact, urgency, difficulty 1–5). JSON: {"requirements":[{"title":"SSO","priority":"must","urgency":5,"businessValue":4}]}',
  submitProposal:
    'One or more alternative solutions with configuration, terms, cost/benefit and feasibility. JSON: {"alternatives":[{"id":"A","title":"Cloud plan"}]}',
  submitQuote:
    'A quote for one alternative; approved by policy at ≥ 25 % margin, else by a manager (then a deputy). JSON: {"alternativeId":"A","price":12000,"cost":8000,"currency":"CNY"}',
  recordObjection:
    'An objection (price, competitor, unclear-need, product-understanding); loops back to needs, proposal or quote. JSON: {"reason":"price","detail":"Too expensive"}',
  customerResponded: 'The prospect got back to us; restarts the follow-up cadence. JSON: {"note":"…"}',
  signContract:
    'The signed agreement with the promises after-sales must honour; runs the handoff. JSON: {"contractId":"K-1","terms":{"warrantyUntil":"2027-12-31","contractEnd":"2027-12-31"}}',
  deliveryConfirmed:
    'Delivery done; pushes the training schedule and starts the after-sales relationship. JSON: {}',
  reportIssue:
    'Report an after-sales issue: starts an afterSalesCase child with the contract’s promised terms and returns its id. JSON: {"description":"Screen flickers","category":"technical"}',
  caseClosed: 'Sent by a case of this journey when it closes (not for people).',
  quoteDecided: 'Sent by a quote approval of this journey with its decision (not for people).',
  markLost: 'The prospect is lost. JSON: {"reason":"competitor","note":"chose another vendor"}',
  closeJourney:
    'End the journey (ops). JSON: {"reason":"customer left"}; "force":true closes it with cases still open.',
  getJourney: 'Stage, owner, first-response window, needs, proposal, quotes, contract, cases and cadences.',
  getTimeline: 'Every event of the journey in order.',
} as const;

export const JOURNEY_SIGNAL_SCHEMAS = {
  newInquiry: NewInquiry,
  inquiryAnswered: InquiryAnswered,
  customerResponded: CustomerResponded,
  deliveryConfirmed: DeliveryConfirmed,
} as const;

export const JOURNEY_UPDATE_SCHEMAS = {
  registerInquiry: NewInquiry,
  recordNeeds: RecordNeeds,
  submitProposal: SubmitProposal,
  submitQuote: SubmitQuote,
  recordObjection: RecordObjection,
  signContract: SignContract,
  reportIssue: ReportIssue,
  markLost: MarkLost,
  closeJourney: CloseJourney,
} as const;
