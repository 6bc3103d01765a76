/**
 * The `afterSalesCase` contract: its input, every signal, update and query, the views they
 * return and the final result. Clients, the worker, the ingress and tests all import this module.
 *
 * Signals are fire-and-forget events from backends (a malformed one is recorded in the timeline
 * and ignored). Updates are used where the caller must know the request was accepted; each has a
 * zod validator that rejects bad input before anything is written to history.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { Channel, CustomerId, IsoTimestamp, Priority, PromisedTerms, StaffId, Team, Text } from './common';
import { CasePolicyOverrides, IssueCategory, Scope, Severity, WindowName } from './case-policy';

export const AFTER_SALES_CASE_WORKFLOW = 'afterSalesCase';

/** Where a case stands; also the `CaseStage` search attribute. */
export const CaseStage = z.enum([
  'triage',
  'awaiting-reply',
  'in-progress',
  'awaiting-customer',
  'repairing',
  'revisit',
  'revisit-overdue',
  'closed',
]);
export type CaseStage = z.infer<typeof CaseStage>;

export const ResolutionType = z.enum(['repair', 'replace', 'refund', 'advice']);
export type ResolutionType = z.infer<typeof ResolutionType>;

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
});
export type ProductRef = z.infer<typeof ProductRef>;

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
  /** Flag a typical case for the knowledge base up front (agents can also flag it on resolve). */
  typical: z.boolean().optional(),
  /** Terms from the customer's contract; they override the default policy. */
  promisedTerms: PromisedTerms.optional(),
  policy: CasePolicyOverrides.optional(),
});
export type AfterSalesCaseInput = z.input<typeof AfterSalesCaseInput>;
export type ParsedCaseInput = z.output<typeof AfterSalesCaseInput>;

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

export const AwaitingCustomer = z.strictObject({ reason: Text(200).min(1, 'must say what we wait for') });
export type AwaitingCustomer = z.input<typeof AwaitingCustomer>;

export const CarrierStatus = z.enum([
  'claim-opened',
  'solution-agreed',
  'in-transit',
  'delivered',
  'closed',
  'rejected',
]);
export const CarrierUpdate = z.strictObject({
  status: CarrierStatus,
  carrier: z.string().max(64).optional(),
  claimId: z.string().max(64).optional(),
  note: Text(500).optional(),
});
export type CarrierUpdate = z.input<typeof CarrierUpdate>;

export const AgentAssigned = z.strictObject({ agentId: StaffId, team: Team.optional() });
export type AgentAssigned = z.input<typeof AgentAssigned>;

export const RepairCompleted = z.strictObject({
  outcome: z.enum(['repaired', 'unrepairable']),
  repairOrderId: z.string().max(64).optional(),
  note: Text(500).optional(),
});
export type RepairCompleted = z.input<typeof RepairCompleted>;

export const agentRespondedSignal = defineSignal<[AgentResponded]>('agentResponded');
export const customerRepliedSignal = defineSignal<[CustomerReplied]>('customerReplied');
export const awaitingCustomerSignal = defineSignal<[AwaitingCustomer]>('awaitingCustomer');
export const carrierUpdateSignal = defineSignal<[CarrierUpdate]>('carrierUpdate');
export const agentAssignedSignal = defineSignal<[AgentAssigned]>('agentAssigned');
export const repairCompletedSignal = defineSignal<[RepairCompleted]>('repairCompleted');

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

/** Resolve under the three guarantees (包修 / 包換 / 包退: repair, replace, refund) or with advice. */
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
  ],
  { error: 'must be one of repair, replace, refund, advice' },
);
export type Resolve = z.input<typeof Resolve>;

export const ResolveResult = z.object({
  status: z.enum(['resolved', 'repair-scheduled', 'awaiting-customer-decision', 'failed']),
  stage: CaseStage,
  resolutionType: ResolutionType,
  reference: z.string().optional(),
  dueAt: IsoTimestamp.optional(),
  message: z.string(),
});
export type ResolveResult = z.infer<typeof ResolveResult>;

export const SubmitFeedback = z.strictObject({
  csat: z.number().int().min(1, 'must be 1–5').max(5, 'must be 1–5'),
  nps: z.number().int().min(0, 'must be 0–10').max(10, 'must be 0–10').optional(),
  resolved: z.boolean(),
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

export const resolveUpdate = defineUpdate<ResolveResult, [Resolve]>('resolve');
export const submitFeedbackUpdate = defineUpdate<FeedbackResult, [SubmitFeedback]>('submitFeedback');
export const reclassifyUpdate = defineUpdate<CaseView, [Reclassify]>('reclassify');
export const escalateUpdate = defineUpdate<CaseView, [Escalate]>('escalate');
export const respondToOfferUpdate = defineUpdate<ResolveResult, [RespondToOffer]>('respondToOffer');
export const completeComplaintStepUpdate = defineUpdate<CaseView, [CompleteComplaintStep]>(
  'completeComplaintStep',
);
export const closeCaseUpdate = defineUpdate<CaseView, [CloseCase]>('closeCase');

// ---------------------------------------------------------------------------------------------
// Views and queries

export const TimelineEntry = z.object({
  at: IsoTimestamp,
  type: z.string(),
  summary: z.string(),
  window: WindowName.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/** One SLA clock as the UI and analysts see it. */
export const ClockView = z.object({
  window: WindowName,
  label: z.string(),
  basis: z.enum(['calendar', 'business']),
  budgetHours: z.number(),
  startedAt: IsoTimestamp,
  /** When it runs out if nothing changes (absent while paused or finished). */
  dueAt: IsoTimestamp.optional(),
  /** Budget left, in ms, as of `asOf`; negative once breached. */
  remainingMs: z.number(),
  state: z.enum(['running', 'paused', 'fulfilled', 'cancelled']),
  paused: z.boolean(),
  /** Since when the clock is paused; queries answer as of the case's last event, so a UI adds the time since. */
  pausedSince: IsoTimestamp.optional(),
  /** Time spent paused, as of `asOf`. */
  pausedMs: z.number(),
  breached: z.boolean(),
  breachedAt: IsoTimestamp.optional(),
  fulfilledAt: IsoTimestamp.optional(),
  warnings: z.array(z.number()),
});
export type ClockView = z.infer<typeof ClockView>;

export const CaseView = z.object({
  caseId: z.string(),
  customerId: z.string(),
  journeyId: z.string().optional(),
  stage: CaseStage,
  channel: Channel,
  category: IssueCategory,
  severity: Severity,
  scope: Scope,
  priority: Priority,
  team: Team,
  assignee: z.string().optional(),
  escalationLevel: z.enum(['none', 'team-lead', 'specialist-team', 'management']),
  clocks: z.array(ClockView),
  slaBreached: z.boolean(),
  inWarranty: z.boolean(),
  resolution: z
    .object({ type: ResolutionType, status: z.string(), reference: z.string().optional(), at: IsoTimestamp })
    .optional(),
  pendingOffer: z.object({ kind: z.literal('refund'), reason: z.string() }).optional(),
  complaintSteps: z
    .array(z.object({ step: ComplaintStep, at: IsoTimestamp, managerInvolved: z.boolean() }))
    .optional(),
  feedback: SubmitFeedback.optional(),
  reopenCount: z.number(),
  qaSampled: z.boolean().optional(),
  needsHumanReview: z.boolean(),
  openedAt: IsoTimestamp,
  closedAt: IsoTimestamp.optional(),
  asOf: IsoTimestamp,
});
export type CaseView = z.infer<typeof CaseView>;

export const getCaseQuery = defineQuery<CaseView>('getCase');
export const getTimelineQuery = defineQuery<{ entries: TimelineEntry[]; rejectedSignals: number }>(
  'getTimeline',
);

// ---------------------------------------------------------------------------------------------
// Result

export const CaseOutcome = z.enum([
  'closed-satisfied',
  'closed-unsatisfied',
  'closed-no-feedback',
  'closed-by-ops',
]);
export type CaseOutcome = z.infer<typeof CaseOutcome>;

/** How one SLA window ended, for analysts' compliance figures. */
export const WindowOutcome = z.object({
  window: WindowName,
  basis: z.enum(['calendar', 'business']),
  budgetMs: z.number(),
  /** Budget consumed (calendar or business time, pauses excluded). */
  consumedMs: z.number(),
  pausedMs: z.number(),
  breached: z.boolean(),
  state: z.enum(['running', 'paused', 'fulfilled', 'cancelled']),
});
export type WindowOutcome = z.infer<typeof WindowOutcome>;

export const CaseResult = z.object({
  caseId: z.string(),
  customerId: z.string(),
  journeyId: z.string().optional(),
  outcome: CaseOutcome,
  priority: Priority,
  channel: Channel,
  category: IssueCategory,
  severity: Severity,
  team: Team,
  /** Wall-clock time from opening to the first reply. */
  firstResponseMs: z.number().optional(),
  /** Wall-clock time from opening to the last resolution. */
  resolutionMs: z.number().optional(),
  windows: z.array(WindowOutcome),
  resolutionType: ResolutionType.optional(),
  csat: z.number().optional(),
  nps: z.number().optional(),
  promoter: z.boolean(),
  reopenCount: z.number(),
  slaBreached: z.boolean(),
  breachedWindows: z.array(WindowName),
  escalated: z.boolean(),
  qaSampled: z.boolean(),
  openedAt: IsoTimestamp,
  closedAt: IsoTimestamp,
});
export type CaseResult = z.infer<typeof CaseResult>;

/** Descriptions shown next to each handler in the Web UI's signal, update and query forms. */
export const CASE_HANDLER_DESCRIPTIONS = {
  agentResponded:
    'An agent replied to the customer. Fulfils the first-reply window. JSON: {"agentId":"agent-7","kind":"human"}; "assisted" replies count only for routine (P3/P4) cases and are flagged for human review.',
  customerReplied:
    'The customer answered. Resumes the SLA clocks paused while we waited on them. JSON: {"note":"…"}',
  awaitingCustomer:
    'We are waiting on the customer (photos, a visit slot…). Pauses the resolution clocks until customerReplied. JSON: {"reason":"waiting for photos"}',
  carrierUpdate:
    'News from the carrier on a logistics claim. "solution-agreed" fulfils the 24-hour carrier window. JSON: {"status":"solution-agreed","claimId":"CL-1"}',
  agentAssigned: 'A person took the case. JSON: {"agentId":"agent-7"}',
  repairCompleted:
    'The repair shop finished. "repaired" resolves the case and starts the 48-hour revisit. JSON: {"outcome":"repaired"}',
  resolve:
    'Resolve under the three guarantees: repair (in-store 1–3 days / factory ~30 days), replace, refund, or advice. JSON: {"type":"repair","mode":"in-store"}',
  submitFeedback:
    'The customer’s revisit answer. Satisfied closes the case; not satisfied reopens it with the specialist team. JSON: {"csat":5,"nps":9,"resolved":true}',
  reclassify:
    'Change severity, scope or category; priority, team and deadlines are recomputed. JSON: {"severity":"service-outage","reason":"affects the whole site"}',
  escalate:
    'Escalate by hand to team-lead, specialist-team or management. JSON: {"level":"specialist-team","reason":"VIP"}',
  respondToOffer:
    'The customer’s answer to a refund offered because a replacement could not ship. JSON: {"accepted":true}',
  completeComplaintStep:
    'Record the next of the six complaint steps: listen, apologise, collect-facts, propose-solution, ask-opinion, follow-up. JSON: {"step":"listen"}',
  closeCase: 'Close the case by hand (duplicate, resolved elsewhere…). JSON: {"reason":"duplicate"}',
  getCase: 'Stage, priority, team and every SLA clock with its due time, remaining time, pause and breach.',
  getTimeline: 'Every event of the case in order: SLA events, messages, activities, rejected signals.',
} as const;

/** Message tables for the ingress, fuzz tests and docs: name → schema. */
export const CASE_SIGNAL_SCHEMAS = {
  agentResponded: AgentResponded,
  customerReplied: CustomerReplied,
  awaitingCustomer: AwaitingCustomer,
  carrierUpdate: CarrierUpdate,
  agentAssigned: AgentAssigned,
  repairCompleted: RepairCompleted,
} as const;

export const CASE_UPDATE_SCHEMAS = {
  resolve: Resolve,
  submitFeedback: SubmitFeedback,
  reclassify: Reclassify,
  escalate: Escalate,
  respondToOffer: RespondToOffer,
  completeComplaintStep: CompleteComplaintStep,
  closeCase: CloseCase,
} as const;
