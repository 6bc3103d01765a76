/**
 * The after-sales case policy: triage matrix, routing, every response window and the escalation
 * ladder, as data. The workflow reads this table; nothing about a window is a code path.
 *
 * Each default names the rule it comes from (rule ids of docs/rules.md); numbers that are ours,
 * not the business's, say so. A case's effective policy is these defaults, then the
 * input's `policy` overrides, then the customer's promised terms on top: what pre-sales promised
 * must be honoured.
 */
import { z } from 'zod';
import { BusinessCalendar, DEFAULT_BUSINESS_CALENDAR } from '../kernel/business-hours';
import { ladderStepSchema, WindowSpec } from '../kernel/sla-clock';
import { Audience, CustomerGrade, Priority, Team } from '../kernel/contract';

export const Severity = z.enum(['cosmetic', 'function-failure', 'service-outage', 'safety-hazard']);
export type Severity = z.infer<typeof Severity>;

export const Scope = z.enum(['single-customer', 'many-customers']);
export type Scope = z.infer<typeof Scope>;

/** Technical (hardware/software fault) vs non-technical issues (rule AS-2). */
export const IssueCategory = z.enum(['technical', 'logistics', 'quality', 'service', 'other']);
export type IssueCategory = z.infer<typeof IssueCategory>;

/** Every window a case can have a clock for. */
export const WindowName = z.enum([
  'first-reply',
  'resolution',
  'carrier-solution',
  'exchange',
  'recall',
  'recall-details',
  'defect-decision',
  'defect-completion',
  'claim-settlement',
  'collaboration',
  'appointment',
  'repair',
  'revisit',
]);
export type WindowName = z.infer<typeof WindowName>;

/** Human names of the windows, for the UI and notifications. */
export const WINDOW_LABELS: Record<WindowName, string> = {
  'first-reply': 'first reply',
  resolution: 'resolution',
  'carrier-solution': 'carrier solution',
  exchange: 'cosmetic exchange',
  recall: 'recall opened',
  'recall-details': 'batch or order for the recall',
  'defect-decision': 'defect remedy decided',
  'defect-completion': 'defect remedy completed',
  'claim-settlement': 'carrier claim settled',
  collaboration: 'collaborating team’s answer',
  appointment: 'on-site appointment',
  repair: 'repair',
  revisit: '48-hour revisit',
};

export { Audience };

/** Hours as policy JSON writes them: more than 0, at most a year. */
export const Hours = z
  .number()
  .positive('must be more than 0 hours')
  .max(24 * 366, 'must be at most a year');

/** One rung of the escalation ladder: at `percent` of a window, notify `notify`. 100 is the breach. */
export const LadderStep = ladderStepSchema(Audience);
export type LadderStep = z.infer<typeof LadderStep>;

/** What went wrong with a shipment (rule AS-7): each has its own compensation standard. */
export const ShipmentProblem = z.enum(['loss', 'damage', 'delay']);
export type ShipmentProblem = z.infer<typeof ShipmentProblem>;

/** What the customer is offered for a shipment problem, whatever the carrier pays us. */
export const Compensation = z.strictObject({
  /** The offer in words, as the customer reads it. */
  offer: z.string().min(1).max(300),
  /** Share of the order value refunded or credited. */
  refundPercent: z.number().min(0).max(100),
});
export type Compensation = z.infer<typeof Compensation>;

const PerPriority = <T extends z.ZodType>(value: T) =>
  z.strictObject({ P1: value, P2: value, P3: value, P4: value });

/** The lane of a customer grade: its cases' reply and resolution windows shortened, kept with seniors. */
export const GradeLane = z.strictObject({
  /** Share of the ordinary first-reply and resolution windows (0.5 = half the time). */
  windowShare: z.number().min(0.1).max(1),
  /** A technical case of this grade is not handed down to technical support. */
  keepWithSeniors: z.boolean(),
});
export type GradeLane = z.infer<typeof GradeLane>;

/**
 * What a paused case waits on (ours): information from the customer, the customer's decision
 * (an offer), parts on order, the carrier, another company.
 */
export const PauseReason = z.enum([
  'customer-information',
  'customer-decision',
  'parts',
  'carrier',
  'third-party',
]);
export type PauseReason = z.infer<typeof PauseReason>;

export const CasePolicy = z.strictObject({
  /** Working hours for windows counted in business hours. */
  calendar: BusinessCalendar,
  /** Priority from severity (function failure, outage, cosmetic flaw…) × scope (one or many customers). */
  priorityMatrix: z.strictObject({
    cosmetic: z.strictObject({ 'single-customer': Priority, 'many-customers': Priority }),
    'function-failure': z.strictObject({ 'single-customer': Priority, 'many-customers': Priority }),
    'service-outage': z.strictObject({ 'single-customer': Priority, 'many-customers': Priority }),
    'safety-hazard': z.strictObject({ 'single-customer': Priority, 'many-customers': Priority }),
  }),
  /** The team that owns a new case, by category and priority. */
  routing: z.strictObject({
    technical: PerPriority(Team),
    logistics: PerPriority(Team),
    quality: PerPriority(Team),
    service: PerPriority(Team),
    other: PerPriority(Team),
  }),
  firstReply: PerPriority(WindowSpec),
  resolution: PerPriority(WindowSpec),
  carrierSolution: WindowSpec,
  cosmeticExchange: WindowSpec,
  recallOpening: WindowSpec,
  /** A recall reported without batch or order: the customer is asked for them within this window. */
  recallDetails: WindowSpec,
  /** A functional quality defect: remedy decided, then completed (handling-v4). */
  functionalDefect: z.strictObject({ decision: WindowSpec, completion: WindowSpec }),
  /** From the compensation agreed with the carrier to the claim settled. */
  claimSettlement: WindowSpec,
  /** The compensation standard per shipment problem, offered to the customer. */
  carrierCompensation: z.strictObject({ loss: Compensation, damage: Compensation, delay: Compensation }),
  repair: z.strictObject({ inStore: WindowSpec, factory: WindowSpec }),
  /** A team brought into the case answers within this window. */
  collaborationReply: WindowSpec,
  /** On-site service and installation: the slot after the appointment's start, and how far ahead it may be booked. */
  appointment: z.strictObject({ slotHours: Hours, bookAheadHours: Hours }),
  revisit: WindowSpec,
  /** Hours after resolution without any feedback before the case closes as "no feedback". */
  noFeedbackCloseHours: Hours,
  ladder: z.array(LadderStep).min(1),
  /** Windows whose clock stops while the case waits on the customer. */
  pausableWindows: z.array(WindowName),
  /** Unsatisfied revisits handled by the specialist team before management takes over. */
  maxReopens: z.number().int().min(0).max(10),
  /** Lowest CSAT (1–5) that counts as satisfied, together with "resolved: yes". */
  satisfiedCsat: z.number().int().min(1).max(5),
  /** Lowest NPS answer (0–10) that makes a promoter. */
  promoterNps: z.number().int().min(0).max(10),
  /** Share of closed cases drawn for quality review. */
  qaSampleRate: z.number().min(0).max(1),
  /** Priorities where an assisted (AI-drafted) reply counts as the first reply. */
  assistedReplyPriorities: z.array(Priority),
  /** Categories whose routine questions may get an assisted reply (non-technical ones). */
  assistedReplyCategories: z.array(IssueCategory),
  /** Priorities a senior engineer may hand to technical support. */
  routinePriorities: z.array(Priority),
  /** Replace or refund within this many days of purchase; after that, free repair with parts at cost. */
  guaranteeDays: z.number().int().min(0).max(3650),
  /** Faster lanes by customer grade (absent in the policies of cases started before grades). */
  gradeLanes: z.partialRecord(CustomerGrade, GradeLane).optional(),
  /** What a case may wait on; every pause names one (executions since pause-reasons). */
  pauseReasons: z.array(PauseReason).min(1).optional(),
  /** The longest a pause runs before the clocks run again and the lead is asked to approve more. */
  pauseCap: WindowSpec.optional(),
  /** A customer at SLA risk (their journey says so): first reply and resolution at this share. */
  atRiskWindowShare: z.number().gt(0, 'must be more than 0').max(1, 'must be at most 1').optional(),
});
export type CasePolicy = z.infer<typeof CasePolicy>;

const hours = (value: number, basis: WindowSpec['basis'] = 'calendar'): WindowSpec => ({
  hours: value,
  basis,
});

/** The defaults, each with the rule it comes from. */
export const DEFAULT_CASE_POLICY: CasePolicy = {
  calendar: DEFAULT_BUSINESS_CALENDAR,
  // "Priority from severity (function failure, service outage, cosmetic flaw) × scope (one
  // customer or many)" (rule AS-2). A safety hazard is always P1; anything hitting many customers
  // moves up one level.
  priorityMatrix: {
    'safety-hazard': { 'single-customer': 'P1', 'many-customers': 'P1' },
    'service-outage': { 'single-customer': 'P2', 'many-customers': 'P1' },
    'function-failure': { 'single-customer': 'P3', 'many-customers': 'P2' },
    cosmetic: { 'single-customer': 'P4', 'many-customers': 'P3' },
  },
  // "Technical issues go to senior engineers first" (rule AS-3), at every priority: a senior
  // engineer may hand a routine one to technical support (`handOver`). Non-technical issues go to
  // their desks.
  routing: {
    technical: {
      P1: 'senior-engineers',
      P2: 'senior-engineers',
      P3: 'senior-engineers',
      P4: 'senior-engineers',
    },
    logistics: { P1: 'logistics-desk', P2: 'logistics-desk', P3: 'logistics-desk', P4: 'logistics-desk' },
    quality: { P1: 'quality-team', P2: 'quality-team', P3: 'quality-team', P4: 'quality-team' },
    service: { P1: 'customer-care', P2: 'customer-care', P3: 'customer-care', P4: 'customer-care' },
    other: { P1: 'customer-care', P2: 'customer-care', P3: 'customer-care', P4: 'customer-care' },
  },
  // "Urgent issues: first reply within 2 hours" (rule AS-4) — calendar hours, nights
  // included. "The golden 4-hour response window" for everything else: P2 counts calendar hours
  // (an outage does not wait for Monday), P3/P4 count business hours.
  firstReply: { P1: hours(2), P2: hours(4), P3: hours(4, 'business'), P4: hours(4, 'business') },
  // Resolution targets (our defaults; the rules give no figure): P1 within a day, P2 within two,
  // P3 within 5 business days (45 working hours), P4 within 10 (90 working hours).
  resolution: { P1: hours(24), P2: hours(48), P3: hours(45, 'business'), P4: hours(90, 'business') },
  // "Logistics loss/damage: a solution agreed with the carrier within 24 hours, followed to
  // closure" (rule AS-7).
  carrierSolution: hours(24),
  // "Minor (cosmetic) quality problems: exchange within 48 hours" (rule AS-8).
  cosmeticExchange: hours(48),
  // "Major (safety hazard): recall procedure with full-chain trace", opened at once: the recall
  // must be open within the hour.
  recallOpening: hours(1),
  // A recall needs the batch or the order to trace the chain; without them the customer is asked
  // and answers within 4 hours (ours), instead of tracing an unknown batch.
  recallDetails: hours(4),
  // "Three tiers of quality complaint": the documents define cosmetic (exchange in 48 h) and
  // safety hazard (recall); for the functional defect between them, a repair or replacement is
  // decided within 24 hours and completed within 72 (both ours).
  functionalDefect: { decision: hours(24), completion: hours(72) },
  // "A solution agreed with the carrier within 24 hours, followed to closure" (rule AS-7): the
  // settlement after the agreement within a week (ours).
  claimSettlement: hours(7 * 24),
  // What the customer gets for each shipment problem (ours; the documents say only that loss and
  // damage are compensated): the customer does not wait for the carrier to pay us.
  carrierCompensation: {
    loss: { offer: 'the goods sent again, or a full refund', refundPercent: 100 },
    damage: { offer: 'a replacement, or a refund of the damaged goods', refundPercent: 100 },
    delay: { offer: 'a voucher worth 10 % of the order', refundPercent: 10 },
  },
  // "In-store repair 1–3 days, factory repair about 30 days" (rule AS-12): the promise is the
  // upper bound.
  repair: { inStore: hours(72), factory: hours(30 * 24) },
  // "A complex issue involves other teams" (rule AS-22): each answers within 4 business hours
  // (ours, the golden window of rule AS-5 applied to colleagues).
  collaborationReply: hours(4, 'business'),
  // On-site service and installation (rule AS-23): the technician arrives within 2 hours of the
  // appointment's start, booked at most a week ahead (both ours).
  appointment: { slotHours: 2, bookAheadHours: 7 * 24 },
  // "Within 48 hours after resolution the customer is revisited" (rule AS-14).
  revisit: hours(48),
  // Our default: a week after resolution without any answer, the case closes as "no feedback".
  noFeedbackCloseHours: 7 * 24,
  // "An unmet window escalates (notify the owner's lead, then a specialist team)" (rule AS-10):
  // warnings at 50 / 75 / 90 % climb the ladder, the breach at 100 % reaches lead and specialists.
  ladder: [
    { percent: 50, notify: ['assignee'] },
    { percent: 75, notify: ['team-lead'] },
    { percent: 90, notify: ['specialist-team'] },
    { percent: 100, notify: ['team-lead', 'specialist-team'] },
  ],
  // The clock stops while we wait on the customer; carrier, recall and repair clocks measure
  // others and keep running.
  pausableWindows: ['first-reply', 'resolution', 'exchange', 'defect-decision', 'defect-completion'],
  // Every pause says what it waits on (ours), so paused time can be broken down by reason.
  pauseReasons: [...PauseReason.options],
  // Five working days on the default desk (5 × 9 business hours, ours): past it the clocks run
  // again unless the team lead approves a longer pause.
  pauseCap: hours(45, 'business'),
  // A customer at SLA risk gets answers a quarter sooner (rule OU-2, ours), after the grade lane.
  atRiskWindowShare: 0.75,
  // "Not satisfied → escalated to a specialist team, handled again, revisited again" (rule AS-15);
  // after two such rounds management takes the case.
  maxReopens: 2,
  satisfiedCsat: 4,
  // NPS promoters answer 9 or 10 (rule RT-1: promoters are asked for referrals).
  promoterNps: 9,
  // "20 % of after-sales tickets are sampled at random for quality review" (rule LE-2).
  qaSampleRate: 0.2,
  // "Routine questions may get an assisted reply marked for human review" (rule AS-6): only the
  // routine priorities; urgent cases need a person's first reply.
  assistedReplyPriorities: ['P3', 'P4'],
  // "Routine questions" are the non-technical ones: a technical or quality fault needs a person's
  // answer (executions before handling-v4 allowed every category).
  assistedReplyCategories: ['logistics', 'service', 'other'],
  // The routine priorities a senior engineer may hand down to technical support (ours).
  routinePriorities: ['P3', 'P4'],
  // "Within one month of purchase: replace or refund; after a month, or customer-caused, still
  // repaired free, parts at cost" (rule AS-18): the month is 30 days here (ours).
  guaranteeDays: 30,
  // "Customers are graded by importance" (rule HO-6); the lane is ours: an A-grade customer's
  // windows are half the ordinary ones, promised terms included, and its technical cases stay
  // with senior engineers.
  gradeLanes: { A: { windowShare: 0.5, keepWithSeniors: true } },
};

/** Priority from the policy's severity × scope matrix. */
export function priorityOf(policy: CasePolicy, severity: Severity, scope: Scope): Priority {
  return policy.priorityMatrix[severity][scope];
}

/** The team that owns a case of this category and priority. */
export function teamFor(policy: CasePolicy, category: IssueCategory, priority: Priority): Team {
  return policy.routing[category][priority];
}
