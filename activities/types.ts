/**
 * The activity contract: one request object in, one result object out, for every side effect.
 *
 * Workflows import these types only (lint enforces it) and call the activities through
 * `proxyActivities`. Every request carries an `idempotencyKey` the workflow derives from its id
 * and the step, so a retried or replayed call never has a second effect downstream.
 *
 * No request carries personal data: customers are named by their opaque id and the messaging
 * system looks their contact details up itself.
 */
import type { Channel, Priority, PromisedTerms, ResolutionType, Team } from '../workflows/kernel/contract';
import type { Audience, IssueCategory, Severity } from '../workflows/after-sales-case/policy';
import type { MonthlyIssueSummary } from '../workflows/monthly-issue-summary/contract';
import type { QaPopulation, WeeklyQaReportSummary } from '../workflows/weekly-qa-report/contract';

interface Keyed {
  /** Stable across retries and replays: `<workflow id>/<step>`. */
  idempotencyKey: string;
}

/** Messages to customers; the text lives in the messaging system's templates. */
export type CustomerTemplate =
  | 'case-received'
  | 'auto-reply'
  | 'recall-notice'
  | 'repair-scheduled'
  | 'replacement-shipped'
  | 'refund-offer'
  | 'refund-issued'
  | 'advice-given'
  | 'case-closed'
  | 'quote-sent'
  | 'contract-confirmation'
  | 'training-schedule'
  | 'follow-up'
  | 'revisit'
  | 'renewal-reminder'
  | 'carrier-compensation'
  | 'reply-corrected'
  | 'recall-details-needed'
  | 'visit-booked'
  | 'delivery-progress'
  | 'proposal-sent';

export interface NotifyCustomerRequest extends Keyed {
  customerId: string;
  channel: Channel;
  template: CustomerTemplate;
  /** The case or journey the message is about. */
  subjectId: string;
  /** Template variables (no personal data). */
  data?: Record<string, string | number | boolean>;
}

/** Staff audiences: the case ladder's, plus the journey's owner chain. */
export type StaffAudience = Audience | 'owner' | 'owner-lead' | 'approver' | 'deputy-approver' | 'ops';

export interface NotifyStaffRequest extends Keyed {
  subjectId: string;
  audience: StaffAudience;
  team?: Team;
  /** Staff id of the person addressed, when known. */
  staffId?: string;
  priority?: Priority;
  /** The SLA window or deadline the message is about (`first-reply`, `first-response`, `quote-approval`…). */
  window?: string;
  percent?: number;
  reason: string;
}

export interface AssignCaseRequest extends Keyed {
  caseId: string;
  team: Team;
  priority: Priority;
  category: IssueCategory;
}

/** Whose signed contract terms a case started without them should honour. */
export interface TermsLookupRequest extends Keyed {
  customerId: string;
  journeyId?: string;
}

/** Where the terms came from: the customer's journey, the customer archive, or nowhere. */
export interface TermsLookupResult {
  source: 'journey' | 'archive' | 'none';
  terms?: PromisedTerms;
}

/** On-site service or installation at an agreed time (rule AS-23). */
export interface VisitRequest extends Keyed {
  caseId: string;
  service: 'on-site-service' | 'installation';
  appointmentAt: string;
}

export interface CarrierClaimRequest extends Keyed {
  caseId: string;
  orderId?: string;
  carrier?: string;
  /** Loss, damage or delay, when known at the start (handling-v4). */
  problem?: 'loss' | 'damage' | 'delay';
}

export interface RecallRequest extends Keyed {
  caseId: string;
  sku?: string;
  batch?: string;
}

export interface RepairRequest extends Keyed {
  caseId: string;
  mode: 'in-store' | 'factory';
  /** Out of warranty repairs are still done; parts are charged at cost (rule AS-12). */
  inWarranty: boolean;
  /** Labour is free, the parts are charged at cost (out of warranty, past the guarantee, or customer-caused). */
  partsAtCost?: boolean;
  dueAt: string;
}

export interface ReplacementRequest extends Keyed {
  caseId: string;
  sku?: string;
  orderId?: string;
}

export type ReplacementResult = { shipped: true; shipmentId: string } | { shipped: false; reason: string };

export interface RefundRequest extends Keyed {
  caseId: string;
  /** Absent: the full purchase price, as the order system knows it. */
  amount?: number;
  currency?: string;
}

export interface RevisitTaskRequest extends Keyed {
  caseId: string;
  team: Team;
  assignee?: string;
  dueAt: string;
}

export interface SurveyRequest extends Keyed {
  /** The case (revisit survey) or the journey (pre-sales survey) the survey is about. */
  caseId: string;
  customerId: string;
  channel: Channel;
  /**
   * Where the survey tool posts the answer back: a case's `submitFeedback` update, or a journey's
   * `submitPresalesFeedback`.
   */
  replyTo: { workflowId: string; update: 'submitFeedback' | 'submitPresalesFeedback' };
}

export interface QaReviewRequest extends Keyed {
  caseId: string;
  team: Team;
  priority: Priority;
  category: IssueCategory;
  outcome: string;
}

export interface KnowledgeBaseRequest extends Keyed {
  caseId: string;
  category: IssueCategory;
  severity: Severity;
  resolutionType?: ResolutionType;
  summary: string;
  /** The problem as the case describes it (encrypted payloads only; agents keep names out of it). */
  problem?: string;
  /** The solution: the resolution carried out and the agent's note on it. */
  solution?: string;
  /** The product's SKU, when the case named one. */
  product?: string;
  /** What caused the fault, as far as known. */
  cause?: string;
}

export interface ReferralRequest extends Keyed {
  customerId: string;
  channel: Channel;
  subjectId: string;
}

export interface ArchiveSyncRequest extends Keyed {
  customerId: string;
  journeyId: string;
  /** The handoff package: requirements, promised terms, special requests (see journey.ts). */
  record: Record<string, unknown>;
}

/**
 * One event of a signed customer's relationship, kept in the customer archive as it happens: an
 * inquiry, a case opened, a case closed (with the revisit's answer and whether a referral was
 * asked). Personal data only in `data` (encrypted payloads), never in the ids or `kind`.
 */
export interface ArchiveEventRequest extends Keyed {
  customerId: string;
  journeyId: string;
  kind: 'inquiry' | 'case-opened' | 'case-closed';
  at: string;
  /** The case or inquiry the event is about. */
  subjectId: string;
  data: Record<string, unknown>;
}

export interface TrainingRequest extends Keyed {
  customerId: string;
  journeyId: string;
  deliveredAt: string;
}

export interface TaskRequest extends Keyed {
  subjectId: string;
  owner?: string;
  kind:
    | 'follow-up'
    | 'revisit'
    | 'renewal'
    | 'handoff'
    | 'joint-response'
    | 'proposal-review'
    | 'proposal-revision';
  dueAt: string;
  summary: string;
}

export interface MonthlySummaryRequest extends Keyed {
  month: string;
  from: string;
  to: string;
  /** Start of the month before, for the trend. */
  previousFrom: string;
  /** An extra visibility filter on the cases. */
  query?: string;
}

export interface WeeklyReportRequest extends Keyed {
  /** Start of the period (inclusive). */
  from: string;
  /** End of the period (exclusive). */
  to: string;
  /** The weekly draw's cases (since qa-weekly-draw): the report's QA sample. */
  sample?: { seed: number; caseIds: string[] };
}

/** Every activity, as workflows see it. `createActivities` returns exactly this. */
export interface Activities {
  notifyCustomer(request: NotifyCustomerRequest): Promise<{ messageId: string }>;
  notifyStaff(request: NotifyStaffRequest): Promise<{ notificationId: string }>;
  assignCase(request: AssignCaseRequest): Promise<{ assignee: string }>;
  lookupPromisedTerms(request: TermsLookupRequest): Promise<TermsLookupResult>;
  openCarrierClaim(request: CarrierClaimRequest): Promise<{ claimId: string }>;
  openRecall(request: RecallRequest): Promise<{ recallId: string }>;
  scheduleRepair(request: RepairRequest): Promise<{ repairOrderId: string }>;
  scheduleVisit(request: VisitRequest): Promise<{ visitId: string }>;
  shipReplacement(request: ReplacementRequest): Promise<ReplacementResult>;
  issueRefund(request: RefundRequest): Promise<{ refundId: string }>;
  scheduleRevisit(request: RevisitTaskRequest): Promise<{ taskId: string }>;
  sendSurvey(request: SurveyRequest): Promise<{ surveyId: string }>;
  requestQaReview(request: QaReviewRequest): Promise<{ reviewId: string }>;
  recordKnowledgeBaseEntry(request: KnowledgeBaseRequest): Promise<{ entryId: string }>;
  requestReferral(request: ReferralRequest): Promise<{ requestId: string }>;
  syncCustomerArchive(request: ArchiveSyncRequest): Promise<{ archiveVersion: string }>;
  /** Idempotent: the archive records an event once per idempotency key, answering with the same version. */
  recordArchiveEvent(request: ArchiveEventRequest): Promise<{ archiveVersion: string }>;
  pushTrainingSchedule(request: TrainingRequest): Promise<{ scheduleId: string }>;
  createTask(request: TaskRequest): Promise<{ taskId: string }>;
  buildWeeklyQaReport(request: WeeklyReportRequest): Promise<WeeklyQaReportSummary>;
  /** Only reads: the closed cases and answered inquiries of a period, for the QA draw. */
  listQaPopulation(request: WeeklyReportRequest): Promise<QaPopulation>;
  /** Safe to run twice: it only reads, and every delivery and entry carries an idempotency key. */
  buildMonthlyIssueSummary(request: MonthlySummaryRequest): Promise<MonthlyIssueSummary>;
}
