/**
 * What the case shows and returns: its view (the `getCase` query, the Web UI), one SLA clock as
 * people read it, and the final result analysts aggregate.
 */
import { z } from 'zod';
import { BusinessCalendar } from '../kernel/business-hours';
import { Channel, CustomerGrade, IsoTimestamp, Priority, PromisedTerms, Team } from '../kernel/contract';
import { SlaJournalEntry } from '../kernel/sla-journal';
import {
  IssueCategory,
  LadderStep,
  PauseReason,
  Scope,
  Severity,
  ShipmentProblem,
  WindowName,
} from './policy';
import { CasePolicyOverrides } from './policy-overrides';
import { CaseStage } from './stages';
import { ResolutionType, ComplaintStep, SubmitFeedback } from './payloads';

// ---------------------------------------------------------------------------------------------
// Views and queries

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
  /** The customer's grade; an A-grade customer's windows are its lane's share of the ordinary ones. */
  customerGrade: CustomerGrade.optional(),
  team: Team,
  assignee: z.string().optional(),
  escalationLevel: z.enum(['none', 'team-lead', 'specialist-team', 'management']),
  clocks: z.array(ClockView),
  slaBreached: z.boolean(),
  inWarranty: z.boolean(),
  /** Where the promised terms came from: the input, the journey, the customer archive, or the defaults. */
  termsSource: z.enum(['input', 'journey', 'archive', 'default']).optional(),
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
  /** What a person must do apart from the windows (the `NeedsAttention` search attribute). */
  needsAttention: z.array(z.string()).optional(),
  /** Assisted replies and their review (rule AS-6). */
  replyReviews: z
    .array(
      z.object({
        at: IsoTimestamp,
        agentId: z.string().optional(),
        status: z.enum(['awaiting-review', 'confirmed', 'corrected']),
        reviewer: z.string().optional(),
        reviewedAt: IsoTimestamp.optional(),
      }),
    )
    .optional(),
  /** The carrier claim followed to closure (rule AS-7). */
  carrierClaim: z
    .object({
      id: z.string().optional(),
      problem: ShipmentProblem.optional(),
      state: z.enum(['opened', 'carrier-answered', 'compensation-agreed', 'settled', 'rejected']),
      offered: z.object({ offer: z.string(), refundPercent: z.number() }).optional(),
    })
    .optional(),
  /** Teams brought into the case and whether they answered (rule AS-22). */
  collaborators: z
    .array(
      z.object({
        team: Team,
        reason: z.string(),
        askedAt: IsoTimestamp,
        answeredAt: IsoTimestamp.optional(),
        note: z.string().optional(),
      }),
    )
    .optional(),
  /** A close decided while the claim was open, carried out at its settlement. */
  closeHeld: z.object({ outcome: z.string(), reason: z.string() }).optional(),
  /** Every pause and what it waited on (cases since pause-reasons, rule OU-3). */
  pauses: z
    .array(
      z.object({
        reason: PauseReason,
        from: IsoTimestamp,
        to: IsoTimestamp.optional(),
        why: z.string(),
        capAt: IsoTimestamp.optional(),
        capped: z.boolean().optional(),
        approvedBy: z.string().optional(),
      }),
    )
    .optional(),
  /** Wall-clock milliseconds paused per reason, up to now. */
  pausedByReason: z.partialRecord(PauseReason, z.number()).optional(),
  openedAt: IsoTimestamp,
  closedAt: IsoTimestamp.optional(),
  asOf: IsoTimestamp,
});
export type CaseView = z.infer<typeof CaseView>;

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
  /** The customer's last answer to "resolved?". */
  resolved: z.boolean().optional(),
  /** The last answer's ratings in dimensions (1–5), where given. */
  ratings: z
    .object({
      attitude: z.number().optional(),
      speed: z.number().optional(),
      effectiveness: z.number().optional(),
    })
    .optional(),
  /** Who handled the case last (a staff id or `queue:<team>`), for per-person figures. */
  assignee: z.string().optional(),
  /** The product's SKU, when the case named one (repeat issues are per product). */
  product: z.string().optional(),
  /** The customer's sales region, when known. */
  region: z.string().optional(),
  /** The earlier case this one repeats, when its journey found one. */
  repeatOf: z.string().optional(),
  /** What caused the fault, as far as known (the monthly summary's causes). */
  cause: z.enum(['quality', 'customer-caused', 'unknown']).optional(),
  promoter: z.boolean(),
  reopenCount: z.number(),
  slaBreached: z.boolean(),
  breachedWindows: z.array(WindowName),
  escalated: z.boolean(),
  qaSampled: z.boolean(),
  openedAt: IsoTimestamp,
  closedAt: IsoTimestamp,
  /** Wall-clock milliseconds paused per reason (cases since pause-reasons, rule OU-3). */
  pausedByReason: z.partialRecord(PauseReason, z.number()).optional(),
});
export type CaseResult = z.infer<typeof CaseResult>;

/**
 * What a closed case writes into its memo for the what-if replay (executions since the
 * `sla-journal` patch): every change to its clocks and the policy they ran under. No personal
 * data: the policy, the contract's windows and calendar, window names and instants.
 */
export const CaseSlaJournal = z.object({
  version: z.literal(1),
  /** The policy overrides of the case's input (a journey passes its `policy.case`). */
  overrides: CasePolicyOverrides.optional(),
  /** The contract's terms the case's windows came from, when any. */
  promisedTerms: PromisedTerms.optional(),
  grade: CustomerGrade.optional(),
  /** The customer was at SLA risk when the case started (its windows were shortened). */
  atRisk: z.boolean().optional(),
  /** The calendar and ladder the clocks ran on. */
  calendar: BusinessCalendar,
  ladder: z.array(LadderStep),
  entries: z.array(SlaJournalEntry),
});
export type CaseSlaJournal = z.infer<typeof CaseSlaJournal>;
