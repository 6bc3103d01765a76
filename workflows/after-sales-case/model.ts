/**
 * One after-sales case as its rule files see it: the state (plain JSON, what queries read) and
 * the kernel's services bound to it — the entity (timeline, stage table, notifications), its SLA
 * windows on its deadline agenda, and its visibility. Each rule file takes a `Case` and works on
 * it; none of them keeps state of its own.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { Agenda, type AgendaItem } from '../kernel/agenda';
import type { CodeVersion } from '../kernel/versions';
import type { Priority, PromisedTerms, Team } from '../kernel/contract';
import type { TimelineEntry } from '../kernel/contract';
import { Entity } from '../kernel/entity';
import type { DueStep, SlaClock } from '../kernel/sla-clock';
import type { SlaJournalEntry } from '../kernel/sla-journal';
import { SlaWindows } from '../kernel/sla-windows';
import { Visibility } from '../kernel/visibility';
import type {
  CaseOutcome,
  ComplaintStep,
  FeedbackResult,
  ParsedCaseInput,
  ResolutionType,
  SubmitFeedback,
} from './contract';
import {
  priorityOf,
  teamFor,
  WINDOW_LABELS,
  type Audience,
  type CasePolicy,
  type PauseReason,
  type Compensation,
  type ShipmentProblem,
  type WindowName,
} from './policy';
import { resolveCasePolicy } from './policy-overrides';
import { policyKeyOf } from './policy-keys';
import { CASE_TRANSITIONS, type CaseStage } from './stages';

export const ESCALATION_ORDER = ['none', 'team-lead', 'specialist-team', 'management'] as const;
export type Escalation = (typeof ESCALATION_ORDER)[number];

/** A remedy the customer must agree to first (a refund when a replacement cannot ship). */
export interface PendingOffer {
  kind: 'refund';
  reason: string;
  amount?: number;
  currency?: string;
}

/** Where a carrier claim stands (rule AS-7). */
export type ClaimState = 'opened' | 'carrier-answered' | 'compensation-agreed' | 'settled' | 'rejected';

/** A carrier claim followed to closure (handling-v4). */
export interface CarrierClaim {
  id?: string;
  problem?: ShipmentProblem;
  state: ClaimState;
  /** The compensation standard offered to the customer, once the problem is known. */
  offered?: Compensation;
}

/** An assisted (drafted) reply and a person's verdict on it (rule AS-6). */
export interface ReplyReview {
  agentId?: string;
  at: string;
  status: 'awaiting-review' | 'confirmed' | 'corrected';
  reviewer?: string;
  reviewedAt?: string;
}

/** A team brought into the case (rule AS-22). */
export interface Collaborator {
  team: Team;
  reason: string;
  askedAt: string;
  answeredAt?: string;
  note?: string;
}

/** A close decided while the carrier claim was still open: carried out at its settlement. */
export interface HeldClose {
  outcome: CaseOutcome;
  reason: string;
}

/** Where a case's promised terms came from (rule AS-21). */
export type TermsSource = 'input' | 'journey' | 'archive' | 'default';

export interface CaseState {
  caseId: string;
  input: ParsedCaseInput;
  policy: CasePolicy;
  stage: CaseStage;
  priority: Priority;
  team: Team;
  assignee?: string;
  escalation: Escalation;
  clocks: SlaClock<WindowName>[];
  agenda: AgendaItem[];
  inWarranty: boolean;
  /** Where its promised terms came from (since case-terms-lookup). */
  termsSource?: TermsSource;
  resolution?: { type: ResolutionType; status: string; reference?: string; at: string };
  /** What the agent said of the latest resolution (the knowledge base's solution). */
  resolutionNote?: string;
  /** Set when the current resolution round is complete; cleared on reopen. */
  resolvedAt?: string;
  typical: boolean;
  pendingOffer?: PendingOffer;
  complaintSteps: { step: ComplaintStep; at: string; managerInvolved: boolean }[];
  feedback?: SubmitFeedback & { at: string };
  feedbackOutcome?: FeedbackResult;
  reopenCount: number;
  /** Management has handled the case after an unsatisfied revisit (handling-v3). */
  managementHandled?: boolean;
  qaSampled?: boolean;
  /** The weekly report draws this case's QA sample (cases closed since qa-weekly-draw). */
  qaByWeeklyDraw?: boolean;
  needsHumanReview: boolean;
  carrierClaimId?: string;
  /** The carrier claim's states (handling-v4). */
  claim?: CarrierClaim;
  /** Assisted replies and their review (handling-v4). */
  replyReviews?: ReplyReview[];
  /** Teams brought into the case, in order. */
  collaborators?: Collaborator[];
  /** The close waiting for the carrier claim's settlement (handling-v4). */
  heldClose?: HeldClose;
  openedAt: string;
  closedAt?: string;
  outcome?: CaseOutcome;
  timeline: TimelineEntry[];
  rejectedSignals: number;
  /** The journey continued as new: the close is told by signal, not through the result. */
  reportBySignal?: boolean;
  /** Every change to the clocks, for the what-if replay (executions since SLA_JOURNAL). */
  slaJournal?: SlaJournalEntry[];
  /** The contract's terms the windows came from, when any (input or lookup), for the replay. */
  appliedTerms?: PromisedTerms;
  /** Every pause with what it waited on (executions since PAUSE_REASONS). */
  pauses?: Pause[];
}

/** One stretch of waiting, for one reason (rule OU-3). */
export interface Pause {
  reason: PauseReason;
  from: string;
  /** Absent while the case still waits. */
  to?: string;
  why: string;
  /** When the clocks run again unless the customer answers first. */
  capAt?: string;
  /** The pause ended at its cap (the lead was asked). */
  capped?: boolean;
  /** The lead who approved this pause past the cap. */
  approvedBy?: string;
}

export interface Case {
  readonly s: CaseState;
  /** The patches this run follows (asked where it started). */
  readonly code: CodeVersion;
  readonly entity: Entity<CaseStage>;
  readonly windows: SlaWindows<Audience, WindowName>;
  readonly agenda: Agenda;
  readonly visibility: Visibility;
  /** A resolve or offer answer is running activities; a second one must wait. */
  resolving: boolean;
  /** The index waits for a running resolution to end (resolutions since RESOLUTION_INDEXED_ONCE). */
  indexResolutionOnce: boolean;
  /** Writes its report figures into its memo when it closes (executions since VISIBILITY_PER_TASK). */
  reportInMemo: boolean;
  /** After-sales handling to the letter (executions since HANDLING_V3). */
  handlingV3: boolean;
  /** Routing, assisted replies, quality tiers and carrier claims (executions since HANDLING_V4). */
  handlingV4: boolean;
  /** Started without terms: they are looked up before triage (executions since TERMS_LOOKUP). */
  termsLookup: boolean;
  /** Triage has asked for the first assignment; before that, a hand-over needs no assignment of its own. */
  triageAssigning: boolean;
}

export function isClosed(c: Case): boolean {
  return c.s.stage === 'closed';
}

export function newCaseState(
  input: ParsedCaseInput,
  caseId: string,
  now: string,
  options: { legacyRouting?: boolean } = {},
): CaseState {
  const policy = resolveCasePolicy(input.policy, input.promisedTerms, {
    ...options,
    grade: input.customerGrade,
    atRisk: input.slaAtRisk,
  });
  const priority = priorityOf(policy, input.severity, input.scope);
  return {
    caseId,
    input,
    policy,
    stage: 'triage',
    priority,
    team: teamFor(policy, input.category, priority),
    escalation: 'none',
    clocks: [],
    agenda: [],
    inWarranty: inWarrantyOn(input.promisedTerms, now),
    typical: input.typical ?? false,
    complaintSteps: [],
    reopenCount: 0,
    needsHumanReview: false,
    openedAt: now,
    timeline: [],
    rejectedSignals: 0,
  };
}

/** The case's own rules the kernel's services call back into (view.ts, windows.ts). */
export interface CaseRules {
  attributes: (c: Case) => SearchAttributeUpdatePair[];
  details: (c: Case) => string;
  onStep: (c: Case, step: DueStep<Audience, WindowName>) => Promise<void>;
}

/** Binds the kernel's services to a case state. */
export function bindCase(s: CaseState, code: CodeVersion, rules: CaseRules): Case {
  const agenda = new Agenda(s.agenda, code);
  const visibility = new Visibility(
    () => rules.attributes(c),
    () => rules.details(c),
  );
  const entity = new Entity<CaseStage>(s, {
    transitions: CASE_TRANSITIONS,
    subjectId: s.caseId,
    customer: () => ({ customerId: s.input.customerId, channel: s.input.channel }),
    changed: () => visibility.changed(),
    onIntegrationFailure: () => {
      s.needsHumanReview = true;
    },
  });
  const windows = new SlaWindows<Audience, WindowName>(s.clocks, agenda, {
    calendar: () => s.policy.calendar,
    ladder: () => s.policy.ladder,
    label: (window) => windowLabel(window),
    timerLabel: (clock) => `${s.priority} ${windowLabel(clock.window)}`,
    record: (type, summary, extra) => entity.record(type, summary, extra),
    onStep: (step) => rules.onStep(c, step),
    metricTags: () => ({ priority: s.priority, team: s.team }),
    journal: () => s.slaJournal,
    policyKey: (window) => policyKeyOf(window, s.priority),
  });
  const c: Case = {
    s,
    code,
    entity,
    windows,
    agenda,
    visibility,
    resolving: false,
    indexResolutionOnce: false,
    reportInMemo: false,
    handlingV3: false,
    handlingV4: false,
    termsLookup: false,
    triageAssigning: false,
  };
  return c;
}

export function windowLabel(window: WindowName): string {
  return WINDOW_LABELS[window];
}

/** Whether a case is within the warranty its terms promise, on `now`. */
export function inWarrantyOn(terms: PromisedTerms | undefined, now: string): boolean {
  const until = terms?.warrantyUntil;
  return until === undefined || now.slice(0, 10) <= until;
}

/** The carrier claim still needs work: the case cannot close (rule AS-7, since handling-v4). */
export function claimOpen(c: Case): boolean {
  const state = c.s.claim?.state;
  return c.handlingV4 && state !== undefined && state !== 'settled' && state !== 'rejected';
}

/** The claim's id for people, before the carrier's system has given one too. */
export function claimName(c: Case): string {
  return c.s.claim?.id ?? c.s.carrierClaimId ?? '(id not yet known)';
}
