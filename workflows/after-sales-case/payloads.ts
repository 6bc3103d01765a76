/**
 * What the case's messages carry: the payload of every signal and update, and the domain terms
 * they are written in. The message table (contract.ts) says which message carries which.
 */
import { z } from 'zod';
import { IsoTimestamp, ResolutionType, StaffId, Team, Text } from '../kernel/contract';
import { IssueCategory, Scope, Severity, ShipmentProblem } from './policy';
import { CaseStage } from './stages';

export { ResolutionType };

/** The six steps of a service complaint, in order (rule AS-13). */
export const ComplaintStep = z.enum([
  'listen',
  'apologise',
  'collect-facts',
  'propose-solution',
  'ask-opinion',
  'follow-up',
]);
export type ComplaintStep = z.infer<typeof ComplaintStep>;

/** Product facts needed for carrier claims and recall traceability (no personal data). */
export const ProductRef = z.strictObject({
  sku: z.string().max(64).optional(),
  batch: z.string().max(64).optional(),
  orderId: z.string().max(64).optional(),
  carrier: z.string().max(64).optional(),
  /** The day it was bought (YYYY-MM-DD): within the guarantee's month, replace or refund. */
  purchasedAt: z.iso.date({ error: 'must be a date such as 2026-11-01' }).optional(),
});
export type ProductRef = z.infer<typeof ProductRef>;

// ---------------------------------------------------------------------------------------------
// Signals

export const AgentResponded = z.strictObject({
  agentId: StaffId.optional(),
  /** `assisted`: an AI-drafted reply, marked for human review (routine questions only). */
  kind: z.enum(['human', 'assisted']).default('human'),
  note: Text(500).optional(),
});
export type AgentResponded = z.input<typeof AgentResponded>;

export const CustomerReplied = z.strictObject({ note: Text(500).optional() });
export type CustomerReplied = z.input<typeof CustomerReplied>;

export const AwaitingCustomer = z.strictObject({
  reason: Text(200).min(1, 'must say what we wait for'),
  /** What the pause waits on, from the policy's `pauseReasons`; default customer-information. */
  pauseReason: z.string().max(40).optional(),
});
export type AwaitingCustomer = z.input<typeof AwaitingCustomer>;

/**
 * The carrier's news. The claim's own states are `claim-opened` → `carrier-answered` →
 * `compensation-agreed` (also sent as `solution-agreed`) → `settled` (also `closed`);
 * `rejected` hands it to the team lead; `in-transit` and `delivered` are shipment news.
 */
export const CarrierStatus = z.enum([
  'claim-opened',
  'carrier-answered',
  'solution-agreed',
  'compensation-agreed',
  'in-transit',
  'delivered',
  'settled',
  'closed',
  'rejected',
]);
export const CarrierUpdate = z.strictObject({
  status: CarrierStatus,
  /** What went wrong, when the carrier's finding names it (or corrects the report). */
  problem: ShipmentProblem.optional(),
  carrier: z.string().max(64).optional(),
  claimId: z.string().max(64).optional(),
  note: Text(500).optional(),
});
export type CarrierUpdate = z.input<typeof CarrierUpdate>;

export const AgentAssigned = z.strictObject({ agentId: StaffId, team: Team.optional() });
/** Nothing to say but the news itself: the journey continued as new. */
export const ReportBySignal = z.strictObject({});
export type ReportBySignal = z.input<typeof ReportBySignal>;
export type AgentAssigned = z.input<typeof AgentAssigned>;

export const RepairCompleted = z.strictObject({
  outcome: z.enum(['repaired', 'unrepairable']),
  repairOrderId: z.string().max(64).optional(),
  note: Text(500).optional(),
});
export type RepairCompleted = z.input<typeof RepairCompleted>;

/** The technician reports back from an on-site visit. */
export const VisitCompleted = z.strictObject({
  outcome: z.enum(['done', 'not-done']),
  note: Text(500).optional(),
});
export type VisitCompleted = z.input<typeof VisitCompleted>;

/** A team brought into the case answers. */
export const CollaboratorAnswered = z.strictObject({
  team: Team,
  note: Text(1000).optional(),
});
export type CollaboratorAnswered = z.input<typeof CollaboratorAnswered>;

/** The batch or order a recall needs, sent when the customer gives them. */
export const ProductDetails = z
  .strictObject({
    sku: z.string().max(64).optional(),
    batch: z.string().max(64).optional(),
    orderId: z.string().max(64).optional(),
  })
  .refine((value) => value.batch || value.orderId, {
    message: 'must give the batch or the order',
    path: ['batch'],
  });
export type ProductDetails = z.input<typeof ProductDetails>;

// ---------------------------------------------------------------------------------------------
// Updates

const Money = z.strictObject({
  amount: z.number().positive('must be more than 0'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO currency code such as CNY'),
});

const resolutionCommon = Object.freeze({
  note: Text(1000).optional(),
  typical: z.boolean().optional(),
  agentId: StaffId.optional(),
});

const visit = (type: 'on-site-service' | 'installation') =>
  z.strictObject({
    type: z.literal(type),
    /** When the technician is expected (the slot runs from here). */
    appointmentAt: IsoTimestamp,
    ...resolutionCommon,
  });

/**
 * Resolve under the three guarantees (包修 / 包換 / 包退: repair, replace, refund), with advice,
 * or by a visit: on-site service or installation at an agreed appointment.
 */
export const Resolve = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('repair'), mode: z.enum(['in-store', 'factory']), ...resolutionCommon }),
    z.strictObject({ type: z.literal('replace'), refundValue: Money.optional(), ...resolutionCommon }),
    z.strictObject({ type: z.literal('refund'), refund: Money.optional(), ...resolutionCommon }),
    z.strictObject({
      type: z.literal('advice'),
      ...resolutionCommon,
      note: Text(1000).min(1, 'must say what was advised'),
    }),
    visit('on-site-service'),
    visit('installation'),
  ],
  { error: 'must be one of repair, replace, refund, advice, on-site-service, installation' },
);
export type Resolve = z.input<typeof Resolve>;

export const ResolveResult = z.object({
  status: z.enum(['resolved', 'repair-scheduled', 'visit-scheduled', 'awaiting-customer-decision', 'failed']),
  stage: CaseStage,
  resolutionType: ResolutionType,
  reference: z.string().optional(),
  dueAt: IsoTimestamp.optional(),
  message: z.string(),
});
export type ResolveResult = z.infer<typeof ResolveResult>;

const Rating = z.number().int().min(1, 'must be 1–5').max(5, 'must be 1–5');

export const SubmitFeedback = z.strictObject({
  csat: Rating,
  nps: z.number().int().min(0, 'must be 0–10').max(10, 'must be 0–10').optional(),
  resolved: z.boolean(),
  /** Satisfaction in dimensions (rule X7): the service attitude, the response speed, how well it worked. */
  attitude: Rating.optional(),
  speed: Rating.optional(),
  effectiveness: Rating.optional(),
  comment: Text(1000).optional(),
});
export type SubmitFeedback = z.input<typeof SubmitFeedback>;

export const FeedbackResult = z.object({
  outcome: z.enum(['closed', 'reopened', 'escalated-to-management']),
  satisfied: z.boolean(),
  reopenCount: z.number(),
});
export type FeedbackResult = z.infer<typeof FeedbackResult>;

export const Reclassify = z
  .strictObject({
    severity: Severity.optional(),
    scope: Scope.optional(),
    category: IssueCategory.optional(),
    reason: Text(200).min(1, 'must say why'),
  })
  .refine((value) => value.severity || value.scope || value.category, {
    message: 'must change at least one of severity, scope, category',
    path: ['severity'],
  });
export type Reclassify = z.input<typeof Reclassify>;

export const EscalationLevel = z.enum(['team-lead', 'specialist-team', 'management']);
export type EscalationLevel = z.infer<typeof EscalationLevel>;

export const Escalate = z.strictObject({ level: EscalationLevel, reason: Text(200).min(1, 'must say why') });
export type Escalate = z.input<typeof Escalate>;

/** The team lead approves a pause past the policy's cap, for `hours` more. */
export const ExtendPause = z.strictObject({
  hours: z
    .number()
    .positive('must be more than 0 hours')
    .max(24 * 30, 'must be at most 720 hours'),
  approvedBy: Text(100).min(1, 'must name who approves'),
  note: Text(500).optional(),
});
export type ExtendPause = z.input<typeof ExtendPause>;

export const RespondToOffer = z.strictObject({ accepted: z.boolean(), note: Text(500).optional() });
export type RespondToOffer = z.input<typeof RespondToOffer>;

export const CompleteComplaintStep = z.strictObject({
  step: ComplaintStep,
  note: Text(500).optional(),
  managerInvolved: z.boolean().optional(),
});
export type CompleteComplaintStep = z.input<typeof CompleteComplaintStep>;

export const CloseReason = z.enum(['duplicate', 'resolved-elsewhere', 'customer-withdrew', 'other']);
export const CloseCase = z.strictObject({ reason: CloseReason, note: Text(500).optional() });
export type CloseCase = z.input<typeof CloseCase>;

/** A senior engineer hands a routine technical case to technical support (rule AS-3). */
export const HandOver = z.strictObject({
  to: Team,
  reason: Text(200).min(1, 'must say why'),
  by: StaffId.optional(),
});
export type HandOver = z.input<typeof HandOver>;

/** A person's verdict on an assisted reply (rule AS-6). */
export const ReviewReply = z
  .strictObject({
    reviewer: StaffId,
    verdict: z.enum(['confirmed', 'corrected']),
    /** What the customer is told instead; required for `corrected`. */
    correction: Text(1000).optional(),
  })
  .refine((value) => value.verdict === 'confirmed' || (value.correction ?? '').length > 0, {
    message: 'must say what the customer is told instead',
    path: ['correction'],
  });
export type ReviewReply = z.input<typeof ReviewReply>;

/** Bring another team into a complex case (rule AS-22). */
export const InvolveTeam = z.strictObject({
  team: Team,
  reason: Text(300).min(1, 'must say what the team is asked'),
  by: StaffId.optional(),
});
export type InvolveTeam = z.input<typeof InvolveTeam>;
