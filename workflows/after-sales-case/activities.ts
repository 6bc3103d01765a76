/**
 * The activities an after-sales case calls besides the kernel's: assignment, the signed terms,
 * carrier claims, recalls, repairs, visits, replacements, refunds, revisits, QA requests and the
 * knowledge base. `activities/` implements them; see `../kernel/activities.ts` for the rules
 * every request follows (idempotency key, no personal data).
 */
import { proxyActivities } from '@temporalio/workflow';
import { ACTIVITY_OPTIONS } from '../kernel/activity-calls';
import type { KernelActivities, Keyed } from '../kernel/activities';
import type { Priority, PromisedTerms, ResolutionType, Team } from '../kernel/contract';
import type { IssueCategory, Severity } from './policy';

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

/** The case's own activities, as the workflow sees them. */
export interface CaseActivities {
  assignCase(request: AssignCaseRequest): Promise<{ assignee: string }>;
  lookupPromisedTerms(request: TermsLookupRequest): Promise<TermsLookupResult>;
  openCarrierClaim(request: CarrierClaimRequest): Promise<{ claimId: string }>;
  openRecall(request: RecallRequest): Promise<{ recallId: string }>;
  scheduleRepair(request: RepairRequest): Promise<{ repairOrderId: string }>;
  scheduleVisit(request: VisitRequest): Promise<{ visitId: string }>;
  shipReplacement(request: ReplacementRequest): Promise<ReplacementResult>;
  issueRefund(request: RefundRequest): Promise<{ refundId: string }>;
  scheduleRevisit(request: RevisitTaskRequest): Promise<{ taskId: string }>;
  requestQaReview(request: QaReviewRequest): Promise<{ reviewId: string }>;
  recordKnowledgeBaseEntry(request: KnowledgeBaseRequest): Promise<{ entryId: string }>;
}

/** The proxy the case's rules call activities through: its own and the kernel's. */
export const caseActivities = proxyActivities<CaseActivities & KernelActivities>(ACTIVITY_OPTIONS);
