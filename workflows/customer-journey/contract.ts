/**
 * The `customerJourney` contract: its input, its message table (every signal, update and query
 * with its schema, description and the stages that accept it) and, re-exported, the records and
 * views it answers with. Clients, the worker, the ingress and tests import this module.
 *
 * One journey per customer, with the workflow id `journey-<customerId>` (see
 * {@link journeyWorkflowId}): starting it twice for the same customer reaches the same journey.
 * Names, phone numbers and e-mail addresses live only in the `contact` field of the input
 * (an encrypted payload), never in ids, search attributes or logs.
 */
import { z } from 'zod';
import { AfterSalesCaseInput, CASE_CLOSED_MESSAGE } from '../after-sales-case/contract';
import {
  Channel,
  CustomerGrade,
  CustomerId,
  PromisedTerms,
  Region,
  StaffId,
  Text,
  TimelineView,
} from '../kernel/contract';
import { query, signal, update } from '../kernel/messages';
import { QUOTE_DECIDED_MESSAGE } from '../quote-approval/contract';
import { JourneyPolicyOverrides } from './policy';
import {
  Alternative,
  Consent,
  Contact,
  ContractValue,
  LostReason,
  Milestone,
  NeedsContext,
  ObjectionReason,
  QuoteExplanation,
  PainPoint,
  PresalesFeedback,
  ProposalFeedback,
  ProposalReviewRecord,
  Requirement,
  ReviewProposal,
  WinReason,
} from './records';
import { type JourneyStage, LIVE_STAGES, PRE_CONTRACT } from './stages';
import {
  ConsentRecorded,
  ContactUpdated,
  DeliveryView,
  HandoffResult,
  InquiryResult,
  IssueReported,
  JourneyView,
  ProposalResult,
  QuoteStarted,
  RankedNeeds,
  StageResult,
} from './view-schemas';

export * from './records';
export * from './view-schemas';
export { JourneyStage } from './stages';
export type { TimelineEntry, TimelineView } from '../kernel/contract';

export const CUSTOMER_JOURNEY_WORKFLOW = 'customerJourney';

/** The workflow id of a customer's journey: one per customer. */
export function journeyWorkflowId(customerId: string): string {
  return `journey-${customerId}`;
}

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
  /** The customer's sales region, carried into every case (the report compares regions). */
  region: Region.optional(),
  policy: JourneyPolicyOverrides.optional(),
  /**
   * Internal: the state a run carries to the next when it continues as new (the journey checks
   * it against its state schema). Never set it by hand: a start with it is refused.
   */
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

export const InquiryAnswered = z.strictObject({
  agentId: StaffId.optional(),
  /** Which inquiry was answered; the oldest unanswered one when absent. */
  inquiryId: z.string().max(64).optional(),
  note: Text(500).optional(),
});
export type InquiryAnswered = z.input<typeof InquiryAnswered>;

export const RecordNeeds = z
  .strictObject({
    requirements: z.array(Requirement).max(50).default([]),
    painPoints: z.array(PainPoint).max(50).default([]),
    ...NeedsContext.shape,
  })
  .refine((value) => value.requirements.length + value.painPoints.length > 0, {
    message: 'must record at least one requirement or pain point',
    path: ['requirements'],
  });
export type RecordNeeds = z.input<typeof RecordNeeds>;
export type ParsedRecordNeeds = z.output<typeof RecordNeeds>;

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
  /** Sent to the customer with the quote: what is included, the breakdown, how long it holds. */
  explanation: QuoteExplanation.optional(),
});
export type SubmitQuote = z.input<typeof SubmitQuote>;
export type ParsedSubmitQuote = z.output<typeof SubmitQuote>;

export const RecordObjection = z.strictObject({
  reason: ObjectionReason,
  detail: Text(1000).min(1, 'must describe the objection'),
  response: Text(1000).optional(),
  /**
   * Where the journey goes back to; by default price and delivery lead time → quote, unclear need
   * → needs analysis, else proposal.
   */
  loopBackTo: z.enum(['needs-analysis', 'proposal', 'quote']).optional(),
});
export type RecordObjection = z.input<typeof RecordObjection>;

export const CustomerResponded = z.strictObject({ note: Text(500).optional() });
export type CustomerResponded = z.input<typeof CustomerResponded>;

export const SignContract = z.strictObject({
  contractId: z.string().min(1).max(64),
  /** The promises after-sales must honour: response windows, warranty, delivery, contract end. */
  terms: PromisedTerms,
  /** The delivery milestones, each on the SLA clock until reached (rule HO-5). */
  milestones: z.array(Milestone).max(20).optional(),
  /** The contract's value; without it, the accepted quote's price grades the customer (rule HO-6). */
  value: ContractValue.optional(),
  /** The grade ops decided, which wins over the one the value gives. */
  grade: CustomerGrade.optional(),
  /** Why the customer signed, as sales saw it (for the pre-sales report). */
  winReason: WinReason.optional(),
});
export type SignContract = z.input<typeof SignContract>;
export type ParsedSignContract = z.output<typeof SignContract>;

export const DeliveryConfirmed = z.strictObject({ note: Text(500).optional() });

/** Delivery staff: a milestone of the contract is reached. */
export const MilestoneReached = z.strictObject({
  name: Milestone.shape.name,
  note: Text(500).optional(),
});
export type MilestoneReached = z.input<typeof MilestoneReached>;

/** Telephony or the CRM: the desk is busy (new inquiries get the "we will answer by …" reply) or free. */
export const DeskBusy = z.strictObject({ busy: z.boolean() });
export type DeskBusy = z.input<typeof DeskBusy>;

/** Checked and corrected contact details, or the channel the customer wants to be reached on. */
export const UpdateContact = z
  .strictObject({
    /** The fields to correct (only these change). Personal data: never in ids, attributes or logs. */
    contact: Contact.optional(),
    preferredChannel: Channel.optional(),
    /** Who checked them with the customer. */
    by: StaffId,
  })
  .refine((value) => value.contact !== undefined || value.preferredChannel !== undefined, {
    message: 'must correct the contact or set the preferred channel',
    path: ['contact'],
  });
export type UpdateContact = z.input<typeof UpdateContact>;
export type ParsedUpdateContact = z.output<typeof UpdateContact>;

/** What the customer agreed to (any field left out keeps its value). */
export const RecordConsent = Consent.partial()
  .extend({ by: StaffId.optional() })
  .refine(
    (value) => value.surveys !== undefined || value.marketing !== undefined || value.referrals !== undefined,
    { message: 'must say at least one of surveys, marketing, referrals', path: ['surveys'] },
  );
export type RecordConsent = z.input<typeof RecordConsent>;
export type ParsedRecordConsent = z.output<typeof RecordConsent>;

export { PresalesFeedback };
export type DeliveryConfirmed = z.input<typeof DeliveryConfirmed>;

/**
 * A reported issue: the case input without what the journey knows itself. Without a channel the
 * case uses the one the customer wants to be reached on.
 */
export const ReportIssue = AfterSalesCaseInput.omit({
  customerId: true,
  journeyId: true,
  promisedTerms: true,
  policy: true,
}).extend({ channel: Channel.optional() });
export type ReportIssue = z.input<typeof ReportIssue>;
export type ParsedReportIssue = z.output<typeof ReportIssue>;

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

// ---------------------------------------------------------------------------------------------
// The message table: the only place a message of the journey is declared

const ended = (stage: JourneyStage) => `the journey is ${stage}`;
const before = (what: string) => (stage: JourneyStage) => `${what} (stage ${stage})`;

export const JOURNEY_MESSAGES = {
  newInquiry: signal(
    'newInquiry',
    NewInquiry,
    'Another inquiry from this customer (fire-and-forget). JSON: {"channel":"email","summary":"Asks about pricing"}',
    { stages: LIVE_STAGES, refusal: ended },
  ),
  inquiryAnswered: signal(
    'inquiryAnswered',
    InquiryAnswered,
    'A person answered an inquiry (the oldest unanswered unless inquiryId names one); fulfils its first-response window. JSON: {"agentId":"sales-3"}',
  ),
  deskBusy: signal(
    'deskBusy',
    DeskBusy,
    'Telephony or the CRM: the desk is busy (new inquiries get an automatic "we will answer by …" reply) or free again. JSON: {"busy":true}',
    { stages: LIVE_STAGES, refusal: ended },
  ),
  customerResponded: signal(
    'customerResponded',
    CustomerResponded,
    'The prospect got back to us; restarts the follow-up cadence. JSON: {"note":"…"}',
  ),
  deliveryConfirmed: signal(
    'deliveryConfirmed',
    DeliveryConfirmed,
    'Delivery done; pushes the training schedule and starts the after-sales relationship. JSON: {}',
    { stages: ['onboarding'], refusal: (stage) => `no delivery expected in stage ${stage}` },
  ),
  caseClosed: CASE_CLOSED_MESSAGE,
  quoteDecided: QUOTE_DECIDED_MESSAGE,
  registerInquiry: update(
    'registerInquiry',
    NewInquiry,
    InquiryResult,
    'Another inquiry from this customer; answers with the journey’s stage. Used with update-with-start. JSON: {"channel":"email","summary":"…","inquiryId":"crm-77"}',
    { stages: LIVE_STAGES, refusal: ended },
  ),
  recordNeeds: update(
    'recordNeeds',
    RecordNeeds,
    RankedNeeds,
    'Requirements (must/should/could, urgency and business value 1–5) and pain points (impact, urgency, difficulty 1–5). JSON: {"requirements":[{"title":"SSO","priority":"must","urgency":5,"businessValue":4}]}',
    {
      stages: ['inquiry', 'needs-analysis', 'proposal'],
      refusal: before('needs are analysed before the quote'),
    },
  ),
  submitProposal: update(
    'submitProposal',
    SubmitProposal,
    ProposalResult,
    'One or more alternative solutions with configuration, terms, cost/benefit and feasibility. JSON: {"alternatives":[{"id":"A","title":"Cloud plan"}]}',
    { stages: ['needs-analysis', 'proposal'], refusal: before('a proposal follows the needs analysis') },
  ),
  reviewProposal: update(
    'reviewProposal',
    ReviewProposal,
    ProposalReviewRecord,
    'The internal review of the proposal waiting for it: approve (it goes to the customer) or revise (say what). JSON: {"decision":"approve","reviewer":"sales-lead"}',
    { stages: ['proposal'], refusal: (stage) => `no proposal is in review in stage ${stage}` },
  ),
  proposalFeedback: update(
    'proposalFeedback',
    ProposalFeedback,
    ProposalReviewRecord,
    'The customer’s answer to the proposal they were sent: accept, or revise (say what they want changed). JSON: {"verdict":"revise","comments":"Add on-site training"}',
    { stages: ['proposal'], refusal: (stage) => `no proposal is waiting for the customer in stage ${stage}` },
  ),
  submitQuote: update(
    'submitQuote',
    SubmitQuote,
    QuoteStarted,
    'A quote for one alternative; approved by policy at ≥ 25 % margin, else by a manager (then a deputy). JSON: {"alternativeId":"A","price":12000,"cost":8000,"currency":"CNY"}',
    { stages: ['proposal'], refusal: before('a quote follows a proposal') },
  ),
  recordObjection: update(
    'recordObjection',
    RecordObjection,
    StageResult,
    'An objection (price, competitor, unclear-need, product-understanding); loops back to needs, proposal or quote. JSON: {"reason":"price","detail":"Too expensive"}',
    {
      stages: ['needs-analysis', 'proposal', 'quote-approval', 'negotiation'],
      refusal: before('objections are handled before the contract'),
    },
  ),
  signContract: update(
    'signContract',
    SignContract,
    HandoffResult,
    'The signed agreement with the promises after-sales must honour; runs the handoff. JSON: {"contractId":"K-1","terms":{"warrantyUntil":"2027-12-31","contractEnd":"2027-12-31"}}',
    { stages: ['negotiation'], refusal: before('a contract follows an approved quote') },
  ),
  milestoneReached: update(
    'milestoneReached',
    MilestoneReached,
    DeliveryView,
    'Delivery staff: a milestone of the contract is reached; the customer is told of the progress. JSON: {"name":"site-survey"}',
    { stages: ['onboarding'], refusal: (stage) => `no delivery in progress in stage ${stage}` },
  ),
  reportIssue: update(
    'reportIssue',
    ReportIssue,
    IssueReported,
    'Report an after-sales issue: starts an afterSalesCase child with the contract’s promised terms and returns its id. JSON: {"description":"Screen flickers","category":"technical"}',
    {
      stages: ['onboarding', 'after-sales'],
      refusal: (stage) =>
        `issues are reported after the contract (stage ${stage}); start an afterSalesCase directly otherwise`,
    },
  ),
  updateContact: update(
    'updateContact',
    UpdateContact,
    ContactUpdated,
    'Checked contact details corrected, or the channel the customer wants to be reached on. JSON: {"preferredChannel":"email","by":"sales-7"}',
    { stages: LIVE_STAGES, refusal: ended },
  ),
  recordConsent: update(
    'recordConsent',
    RecordConsent,
    ConsentRecorded,
    'What the customer agreed their data may be used for: surveys, marketing, referral requests. JSON: {"marketing":false,"referrals":true}',
    { stages: LIVE_STAGES, refusal: ended },
  ),
  submitPresalesFeedback: update(
    'submitPresalesFeedback',
    PresalesFeedback,
    StageResult,
    'The customer’s answer to the pre-sales survey (1–5 each: CSAT, speed, understanding, attitude, effectiveness), after the contract or once lost. JSON: {"csat":5,"speed":4,"understanding":5}',
    {
      stages: ['onboarding', 'after-sales', 'lost'],
      refusal: (stage) => `the pre-sales survey follows the contract or the loss (stage ${stage})`,
    },
  ),
  markLost: update(
    'markLost',
    MarkLost,
    JourneyView,
    'The prospect is lost. JSON: {"reason":"competitor","note":"chose another vendor"}',
    { stages: PRE_CONTRACT, refusal: before('a journey is lost before the contract') },
  ),
  closeJourney: update(
    'closeJourney',
    CloseJourney,
    JourneyView,
    'End the journey (ops). JSON: {"reason":"customer left"}; "force":true closes it with cases still open.',
    { stages: LIVE_STAGES, refusal: (stage) => `the journey is already ${stage}` },
  ),
  getJourney: query(
    'getJourney',
    JourneyView,
    'Stage, owner, first-response window, needs, proposal, quotes, contract, cases and cadences.',
  ),
  getTimeline: query('getTimeline', TimelineView, 'Every event of the journey in order.'),
} as const;

export const newInquirySignal = JOURNEY_MESSAGES.newInquiry.definition;
export const inquiryAnsweredSignal = JOURNEY_MESSAGES.inquiryAnswered.definition;
export const customerRespondedSignal = JOURNEY_MESSAGES.customerResponded.definition;
export const deliveryConfirmedSignal = JOURNEY_MESSAGES.deliveryConfirmed.definition;
export const registerInquiryUpdate = JOURNEY_MESSAGES.registerInquiry.definition;
export const recordNeedsUpdate = JOURNEY_MESSAGES.recordNeeds.definition;
export const submitProposalUpdate = JOURNEY_MESSAGES.submitProposal.definition;
export const submitQuoteUpdate = JOURNEY_MESSAGES.submitQuote.definition;
export const recordObjectionUpdate = JOURNEY_MESSAGES.recordObjection.definition;
export const signContractUpdate = JOURNEY_MESSAGES.signContract.definition;
export const milestoneReachedUpdate = JOURNEY_MESSAGES.milestoneReached.definition;
export const reportIssueUpdate = JOURNEY_MESSAGES.reportIssue.definition;
export const markLostUpdate = JOURNEY_MESSAGES.markLost.definition;
export const closeJourneyUpdate = JOURNEY_MESSAGES.closeJourney.definition;
export const getJourneyQuery = JOURNEY_MESSAGES.getJourney.definition;
export const getJourneyTimelineQuery = JOURNEY_MESSAGES.getTimeline.definition;
export const deskBusySignal = JOURNEY_MESSAGES.deskBusy.definition;
export const updateContactUpdate = JOURNEY_MESSAGES.updateContact.definition;
export const recordConsentUpdate = JOURNEY_MESSAGES.recordConsent.definition;
export const submitPresalesFeedbackUpdate = JOURNEY_MESSAGES.submitPresalesFeedback.definition;

/** The memo field a journey keeps its pre-sales figures in (the report reads them from listings). */
export const JOURNEY_REPORT_MEMO = 'journeyReport';

/**
 * A journey's pre-sales figures, no personal data: its inquiries' first responses, the decision
 * (won at the signature, lost with its reason), the pre-sales survey. Kept current in the memo.
 */
export const JourneyReport = z.object({
  customerId: z.string().optional(),
  channel: Channel,
  owner: z.string().optional(),
  startedAt: z.string(),
  /** The latest inquiries (at most 50), each with its first-response window. */
  inquiries: z.array(
    z.object({
      inquiryId: z.string().optional(),
      channel: Channel,
      at: z.string(),
      dueAt: z.string().optional(),
      respondedAt: z.string().optional(),
      breached: z.boolean(),
    }),
  ),
  outcome: z.enum(['won', 'lost']).optional(),
  decidedAt: z.string().optional(),
  lostReason: LostReason.optional(),
  winReason: WinReason.optional(),
  contractValue: ContractValue.optional(),
  grade: CustomerGrade.optional(),
  survey: z
    .object({
      csat: z.number(),
      speed: z.number().optional(),
      understanding: z.number().optional(),
      attitude: z.number().optional(),
      effectiveness: z.number().optional(),
      at: z.string(),
    })
    .optional(),
});
export type JourneyReport = z.infer<typeof JourneyReport>;

export const reviewProposalUpdate = JOURNEY_MESSAGES.reviewProposal.definition;
export const proposalFeedbackUpdate = JOURNEY_MESSAGES.proposalFeedback.definition;
