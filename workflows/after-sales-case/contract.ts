/**
 * The `afterSalesCase` contract: its input, its message table (every signal, update and query,
 * with its schema, description and the stages that accept it), the views they return and the
 * final result. Clients, the worker, the ingress and tests all import this module.
 *
 * Signals are fire-and-forget events from backends (a malformed one is recorded in the timeline
 * and ignored). Updates are used where the caller must know the request was accepted; each is
 * validated before anything is written to history.
 */
import { z } from 'zod';
import {
  Channel,
  CustomerGrade,
  CustomerId,
  PromisedTerms,
  Region,
  Text,
  TimelineView,
} from '../kernel/contract';
import { IssueCategory, Scope, Severity, ShipmentProblem } from './policy';
import { CasePolicyOverrides } from './policy-overrides';
import {
  ProductRef,
  AgentResponded,
  CustomerReplied,
  AwaitingCustomer,
  CarrierUpdate,
  AgentAssigned,
  RepairCompleted,
  ReportBySignal,
  Resolve,
  ResolveResult,
  SubmitFeedback,
  FeedbackResult,
  Reclassify,
  Escalate,
  ExtendPause,
  RespondToOffer,
  CompleteComplaintStep,
  CloseCase,
  ProductDetails,
  HandOver,
  ReviewReply,
  InvolveTeam,
  CollaboratorAnswered,
  VisitCompleted,
} from './payloads';
import { CaseResult, CaseView } from './view-schemas';
import { query, signal, update } from '../kernel/messages';
import { type CaseStage, OPEN_STAGES, RESOLVABLE_STAGES, REVISIT_STAGES } from './stages';

export { CaseStage } from './stages';
export * from './payloads';
export * from './view-schemas';
export type { TimelineEntry, TimelineView } from '../kernel/contract';

export const AFTER_SALES_CASE_WORKFLOW = 'afterSalesCase';

/** The memo field a closed case writes its `CaseResult` into (the report reads it from listings). */
export const CASE_REPORT_MEMO = 'caseReport';

/** The memo field a closed case writes its `CaseSlaJournal` into (the what-if replay reads it). */
export const CASE_SLA_JOURNAL_MEMO = 'slaJournal';

/**
 * Input of `afterSalesCase`. Friendly defaults keep the JSON an ops person types in the Web UI
 * short: `{"customerId":"C-1001","description":"Router drops every hour","category":"technical"}`.
 */
export const AfterSalesCaseInput = z.strictObject({
  customerId: CustomerId,
  /** Workflow id of the customer's journey, when the case belongs to one. */
  journeyId: z.string().max(200).optional(),
  channel: Channel.default('phone'),
  description: Text(2000).min(1, 'must describe the issue'),
  category: IssueCategory.default('other'),
  severity: Severity.default('function-failure'),
  scope: Scope.default('single-customer'),
  product: ProductRef.optional(),
  /**
   * What caused the fault, as far as known (rule AS-18): a customer-caused fault is repaired free
   * with parts at cost; replace and refund are for faults of ours.
   */
  cause: z.enum(['quality', 'customer-caused', 'unknown']).default('unknown'),
  /**
   * The customer is complaining (rule AS-13, any category): the six complaint steps apply. A
   * serious complaint is reported to management at once (rule AS-19). A service case is a
   * complaint by default.
   */
  complaint: z.enum(['ordinary', 'serious']).optional(),
  /**
   * A logistics case's problem (rule AS-7): loss, damage or delay, each with its compensation
   * standard. Unknown at the start, the carrier's finding can name it.
   */
  shipmentProblem: ShipmentProblem.optional(),
  /** Flag a typical case for the knowledge base up front (agents can also flag it on resolve). */
  typical: z.boolean().optional(),
  /** Terms from the customer's contract; they override the default policy. */
  promisedTerms: PromisedTerms.optional(),
  /** The customer's grade from their journey: an A-grade customer's case takes the faster lane. */
  customerGrade: CustomerGrade.optional(),
  /**
   * The customer's journey found them at SLA risk (rule OU-2): the windows are shortened by the
   * policy's `atRiskWindowShare`.
   */
  slaAtRisk: z.boolean().optional(),
  /**
   * How the case tells its journey it closed. `result`: the journey run that started it awaits its
   * result (a child's completion is not a billed action, a signal is); the case signals only once
   * told the journey continued as new (`reportBySignal`). `signal` (the default): it signals.
   */
  reportBack: z.enum(['signal', 'result']).optional(),
  /** The customer's sales region (from their journey), for the report's comparison by region. */
  region: Region.optional(),
  /** The earlier case of the customer this one repeats (the journey finds it): marked for attention. */
  repeatOf: z.string().max(200).optional(),
  policy: CasePolicyOverrides.optional(),
});
export type AfterSalesCaseInput = z.input<typeof AfterSalesCaseInput>;
export type ParsedCaseInput = z.output<typeof AfterSalesCaseInput>;

// ---------------------------------------------------------------------------------------------
// The message table: the only place a message of the case is declared

const closed = (stage: CaseStage) =>
  stage === 'closed' ? 'the case is closed' : `not possible in stage ${stage}`;

/**
 * What a case tells its journey when it closes: its result. The case owns the message it sends;
 * the journey's message table handles it. A case started with `reportBack: 'result'` is heard
 * through its result by the run that started it, and signals only once that run has continued as
 * new (the next run has no handle on it); every other case signals.
 */
export const CASE_CLOSED_MESSAGE = signal(
  'caseClosed',
  CaseResult,
  'Sent by a case of this journey when it closes (not for people).',
);
export const caseClosedSignal = CASE_CLOSED_MESSAGE.definition;

export const CASE_MESSAGES = {
  agentResponded: signal(
    'agentResponded',
    AgentResponded,
    'An agent replied to the customer. Fulfils the first-reply window. JSON: {"agentId":"agent-7","kind":"human"}; "assisted" replies count only for routine (P3/P4) cases and are flagged for human review.',
    { stages: OPEN_STAGES, refusal: closed },
  ),
  customerReplied: signal(
    'customerReplied',
    CustomerReplied,
    'The customer answered. Resumes the SLA clocks paused while we waited on them. JSON: {"note":"…"}',
    { stages: OPEN_STAGES, refusal: closed },
  ),
  awaitingCustomer: signal(
    'awaitingCustomer',
    AwaitingCustomer,
    'We are waiting (photos, a visit slot, parts…). Pauses the resolution clocks until customerReplied, at most for the policy\'s pause cap. pauseReason is one of the policy\'s pauseReasons (default customer-information). JSON: {"reason":"waiting for photos","pauseReason":"customer-information"}',
    { stages: ['awaiting-reply', 'in-progress'] },
  ),
  carrierUpdate: signal(
    'carrierUpdate',
    CarrierUpdate,
    'News from the carrier on a logistics claim: claim-opened, carrier-answered, compensation-agreed (fulfils the 24-hour carrier window; also "solution-agreed"), settled (also "closed"; the case can close), rejected. JSON: {"status":"compensation-agreed","claimId":"CL-1","problem":"damage"}',
  ),
  agentAssigned: signal(
    'agentAssigned',
    AgentAssigned,
    'A person took the case. JSON: {"agentId":"agent-7"}',
    {
      stages: OPEN_STAGES,
      refusal: closed,
    },
  ),
  reportBySignal: signal(
    'reportBySignal',
    ReportBySignal,
    'Sent by the journey when it continues as new: tell its next run by signal when the case closes (not for people). JSON: {}',
  ),
  repairCompleted: signal(
    'repairCompleted',
    RepairCompleted,
    'The repair shop finished. "repaired" resolves the case and starts the 48-hour revisit. JSON: {"outcome":"repaired"}',
    { stages: ['repairing'], refusal: (stage) => `no repair in progress (stage ${stage})` },
  ),
  productDetails: signal(
    'productDetails',
    ProductDetails,
    'The customer gave the batch or order of a product under recall; the recall is opened with them. JSON: {"batch":"B-2026-11"}',
    { stages: OPEN_STAGES, refusal: closed },
  ),
  visitCompleted: signal(
    'visitCompleted',
    VisitCompleted,
    'The technician reports back from the on-site visit. "done" resolves the case and starts the revisit. JSON: {"outcome":"done"}',
    { stages: ['on-site'], refusal: (stage) => `no visit booked (stage ${stage})` },
  ),
  collaboratorAnswered: signal(
    'collaboratorAnswered',
    CollaboratorAnswered,
    'A team brought into the case answered; fulfils its response window. JSON: {"team":"supply-chain","note":"parts arrive Friday"}',
    { stages: OPEN_STAGES, refusal: closed },
  ),
  resolve: update(
    'resolve',
    Resolve,
    ResolveResult,
    'Resolve under the three guarantees: repair (in-store 1–3 days / factory ~30 days), replace, refund; advice; or a visit: on-site-service or installation at an appointment. JSON: {"type":"repair","mode":"in-store"}',
    { stages: RESOLVABLE_STAGES, refusal: (stage) => `cannot resolve in stage ${stage}` },
  ),
  submitFeedback: update(
    'submitFeedback',
    SubmitFeedback,
    FeedbackResult,
    'The customer’s revisit answer, with attitude, speed and effectiveness (1–5) where given. Satisfied closes the case; not satisfied reopens it with the specialist team. JSON: {"csat":5,"nps":9,"resolved":true,"attitude":5,"speed":4,"effectiveness":5}',
    { stages: REVISIT_STAGES, refusal: (stage) => `the case is not waiting for feedback (stage ${stage})` },
  ),
  reclassify: update(
    'reclassify',
    Reclassify,
    CaseView,
    'Change severity, scope or category; priority, team and deadlines are recomputed. JSON: {"severity":"service-outage","reason":"affects the whole site"}',
    { stages: OPEN_STAGES, refusal: closed },
  ),
  escalate: update(
    'escalate',
    Escalate,
    CaseView,
    'Escalate by hand to team-lead, specialist-team or management. JSON: {"level":"specialist-team","reason":"VIP"}',
    { stages: OPEN_STAGES, refusal: closed },
  ),
  extendPause: update(
    'extendPause',
    ExtendPause,
    CaseView,
    'The team lead approves a pause past its cap (the clocks ran again there): they stop again for the hours given, with the same reason. JSON: {"hours":18,"approvedBy":"lead-3","note":"parts ship Monday"}',
    { stages: ['awaiting-customer'] },
  ),
  respondToOffer: update(
    'respondToOffer',
    RespondToOffer,
    ResolveResult,
    'The customer’s answer to a refund offered because a replacement could not ship. JSON: {"accepted":true}',
  ),
  completeComplaintStep: update(
    'completeComplaintStep',
    CompleteComplaintStep,
    CaseView,
    'Record the next of the six complaint steps: listen, apologise, collect-facts, propose-solution, ask-opinion, follow-up. JSON: {"step":"listen"}',
    { stages: OPEN_STAGES, refusal: closed },
  ),
  handOver: update(
    'handOver',
    HandOver,
    CaseView,
    'Hand the case to another team with a reason; a senior engineer hands routine (P3/P4) technical cases to technical support. JSON: {"to":"technical-support","reason":"known configuration question"}',
    { stages: OPEN_STAGES, refusal: closed },
  ),
  involveTeam: update(
    'involveTeam',
    InvolveTeam,
    CaseView,
    'Bring another team (technical, supply chain, logistics…) into a complex case; it answers within its own window (collaboratorAnswered). JSON: {"team":"supply-chain","reason":"when do the parts arrive?"}',
    { stages: OPEN_STAGES, refusal: closed },
  ),
  reviewReply: update(
    'reviewReply',
    ReviewReply,
    CaseView,
    'A person confirms or corrects the oldest assisted reply awaiting review; a correction is sent to the customer. JSON: {"reviewer":"agent-7","verdict":"confirmed"}',
    { stages: OPEN_STAGES, refusal: closed },
  ),
  closeCase: update(
    'closeCase',
    CloseCase,
    CaseView,
    'Close the case by hand (duplicate, resolved elsewhere…). JSON: {"reason":"duplicate"}',
    { stages: OPEN_STAGES, refusal: () => 'the case is already closed' },
  ),
  getCase: query(
    'getCase',
    CaseView,
    'Stage, priority, team and every SLA clock with its due time, remaining time, pause and breach.',
  ),
  getTimeline: query(
    'getTimeline',
    TimelineView,
    'Every event of the case in order: SLA events, messages, activities, rejected signals.',
  ),
} as const;

export const agentRespondedSignal = CASE_MESSAGES.agentResponded.definition;
export const customerRepliedSignal = CASE_MESSAGES.customerReplied.definition;
export const awaitingCustomerSignal = CASE_MESSAGES.awaitingCustomer.definition;
export const carrierUpdateSignal = CASE_MESSAGES.carrierUpdate.definition;
export const agentAssignedSignal = CASE_MESSAGES.agentAssigned.definition;
export const repairCompletedSignal = CASE_MESSAGES.repairCompleted.definition;
export const reportBySignalSignal = CASE_MESSAGES.reportBySignal.definition;
export const resolveUpdate = CASE_MESSAGES.resolve.definition;
export const submitFeedbackUpdate = CASE_MESSAGES.submitFeedback.definition;
export const reclassifyUpdate = CASE_MESSAGES.reclassify.definition;
export const escalateUpdate = CASE_MESSAGES.escalate.definition;
export const extendPauseUpdate = CASE_MESSAGES.extendPause.definition;
export const respondToOfferUpdate = CASE_MESSAGES.respondToOffer.definition;
export const completeComplaintStepUpdate = CASE_MESSAGES.completeComplaintStep.definition;
export const closeCaseUpdate = CASE_MESSAGES.closeCase.definition;
export const productDetailsSignal = CASE_MESSAGES.productDetails.definition;
export const handOverUpdate = CASE_MESSAGES.handOver.definition;
export const reviewReplyUpdate = CASE_MESSAGES.reviewReply.definition;
export const involveTeamUpdate = CASE_MESSAGES.involveTeam.definition;
export const collaboratorAnsweredSignal = CASE_MESSAGES.collaboratorAnswered.definition;
export const visitCompletedSignal = CASE_MESSAGES.visitCompleted.definition;
export const getCaseQuery = CASE_MESSAGES.getCase.definition;
export const getCaseTimelineQuery = CASE_MESSAGES.getTimeline.definition;
/** @deprecated The same query as `getCaseTimelineQuery`, whose name tells it from the journey's. */
export const getTimelineQuery = getCaseTimelineQuery;
