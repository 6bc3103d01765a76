/**
 * The state and behaviour of one after-sales case. `after-sales-case.ts` wires it to Temporal
 * (handlers, the main flow); everything the case knows and decides lives here.
 *
 * The state is plain JSON: queries return views of it, and every SLA clock in it is pure data
 * (see sla-clock.ts) read against the case's policy table.
 */
import { condition, getExternalWorkflowHandle, setCurrentDetails } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { NotifyStaffRequest, StaffAudience } from '../../../activities/types';
import {
  type AgentAssigned,
  type AwaitingCustomer,
  type CarrierUpdate,
  type CaseOutcome,
  type CaseResult,
  type CaseStage,
  type CaseView,
  type ClockView,
  type CloseCase,
  type CompleteComplaintStep,
  ComplaintStep,
  type CustomerReplied,
  type Escalate,
  type FeedbackResult,
  type ParsedCaseInput,
  type Reclassify,
  type RepairCompleted,
  type Resolve,
  type ResolveResult,
  type ResolutionType,
  type RespondToOffer,
  type SubmitFeedback,
  type TimelineEntry,
} from '../definitions/case';
import {
  type CasePolicy,
  type LadderStep,
  priorityOf,
  resolveCasePolicy,
  teamFor,
  WINDOW_LABELS,
  type WindowName,
  type WindowSpec,
} from '../definitions/case-policy';
import type { Priority, Team } from '../definitions/common';
import { caseClosedSignal } from '../definitions/journey';
import {
  AssignedTeamKey,
  BreachedWindowsKey,
  CaseStageKey,
  CasePriorityKey,
  ChannelKey,
  CustomerIdKey,
  EscalatedKey,
  IssueCategoryKey,
  JourneyIdKey,
  NextDeadlineAtKey,
  NpsScoreKey,
  QaSampledKey,
  ReopenCountKey,
  ResolutionTypeKey,
  ResolvedAtKey,
  SatisfactionScoreKey,
  SlaBreachedKey,
} from '../definitions/search-attributes';
import { attemptActivity } from './attempt';
import * as sla from './sla-clock';
import { appendEvent, appendRejectedSignal, SearchAttributeSync } from './visibility';
import {
  activities,
  failureMessage,
  formatDuration,
  formatInstant,
  idempotencyKey,
  msUntil,
  nowIso,
} from './workflow-support';
import { RuleViolation } from '../definitions/validation';

/** Milliseconds between two instants, when the second one happened. */
function since(from: string, to: string | undefined): number | undefined {
  return to === undefined ? undefined : Date.parse(to) - Date.parse(from);
}

const ESCALATION_ORDER = Object.freeze(['none', 'team-lead', 'specialist-team', 'management'] as const);
type CategoryProcedure = 'carrier-claim' | 'recall';
type Escalation = (typeof ESCALATION_ORDER)[number];

/** Stages in which the case accepts a remedy. */
const RESOLVABLE_STAGES: readonly CaseStage[] = Object.freeze([
  'triage',
  'awaiting-reply',
  'in-progress',
  'awaiting-customer',
]);

export interface CaseState {
  caseId: string;
  input: ParsedCaseInput;
  policy: CasePolicy;
  stage: CaseStage;
  priority: Priority;
  team: Team;
  assignee?: string;
  escalation: Escalation;
  clocks: sla.SlaClock[];
  breachedWindows: WindowName[];
  inWarranty: boolean;
  resolution?: { type: ResolutionType; status: string; reference?: string; at: string };
  /** Set when the current resolution round is complete; cleared on reopen. */
  resolvedAt?: string;
  typical: boolean;
  pendingOffer?: { kind: 'refund'; reason: string; amount?: number; currency?: string };
  complaintSteps: { step: ComplaintStep; at: string; managerInvolved: boolean }[];
  feedback?: SubmitFeedback & { at: string };
  feedbackOutcome?: FeedbackResult;
  reopenCount: number;
  qaSampled?: boolean;
  needsHumanReview: boolean;
  carrierClaimId?: string;
  openedAt: string;
  closedAt?: string;
  outcome?: CaseOutcome;
  timeline: TimelineEntry[];
  rejectedSignals: number;
}

export class CaseModel {
  readonly state: CaseState;
  /** Bumped on every clock change so the watcher re-plans its timer. */
  private clockVersion = 0;
  /** A resolve or offer answer is running activities; a second one must wait. */
  private resolving = false;
  private readonly searchAttributes = new SearchAttributeSync();

  constructor(input: ParsedCaseInput, caseId: string, now: string) {
    const policy = resolveCasePolicy(input.policy, input.promisedTerms);
    const priority = priorityOf(policy, input.severity, input.scope);
    const warrantyUntil = input.promisedTerms?.warrantyUntil;
    this.state = {
      caseId,
      input,
      policy,
      stage: 'triage',
      priority,
      team: teamFor(policy, input.category, priority),
      escalation: 'none',
      clocks: [],
      breachedWindows: [],
      inWarranty: warrantyUntil === undefined || now.slice(0, 10) <= warrantyUntil,
      typical: input.typical ?? false,
      complaintSteps: [],
      reopenCount: 0,
      needsHumanReview: false,
      openedAt: now,
      timeline: [],
      rejectedSignals: 0,
    };
  }

  get closed(): boolean {
    return this.state.stage === 'closed';
  }

  // -------------------------------------------------------------------------------------------
  // Timeline, visibility

  record(type: string, summary: string, extra: Pick<TimelineEntry, 'window' | 'data'> = {}): void {
    appendEvent(this.state, type, summary, extra);
  }

  /** A malformed or out-of-place signal: recorded, never thrown (a throw would fail or stick the case). */
  rejectSignal(signal: string, problems: string[]): void {
    appendRejectedSignal(this.state, signal, problems);
  }

  /** Upserts only the search attributes whose value changed (each upsert is billed and stored). */
  syncVisibility(): void {
    const s = this.state;
    const next = this.nextDeadline();
    const pairs: SearchAttributeUpdatePair[] = [
      { key: CustomerIdKey, value: s.input.customerId },
      { key: CaseStageKey, value: s.stage },
      { key: CasePriorityKey, value: s.priority },
      { key: IssueCategoryKey, value: s.input.category },
      { key: ChannelKey, value: s.input.channel },
      { key: AssignedTeamKey, value: s.team },
      { key: SlaBreachedKey, value: s.breachedWindows.length > 0 },
      { key: EscalatedKey, value: s.escalation !== 'none' },
      { key: ReopenCountKey, value: s.reopenCount },
      { key: BreachedWindowsKey, value: [...s.breachedWindows] },
      { key: NextDeadlineAtKey, value: next && !this.closed ? new Date(next) : null },
    ] as SearchAttributeUpdatePair[];
    if (s.input.journeyId) pairs.push({ key: JourneyIdKey, value: s.input.journeyId });
    if (s.resolution) pairs.push({ key: ResolutionTypeKey, value: s.resolution.type });
    if (s.resolvedAt) pairs.push({ key: ResolvedAtKey, value: new Date(s.resolvedAt) });
    if (s.feedback) pairs.push({ key: SatisfactionScoreKey, value: s.feedback.csat });
    if (s.feedback?.nps !== undefined) pairs.push({ key: NpsScoreKey, value: s.feedback.nps });
    if (s.qaSampled !== undefined) pairs.push({ key: QaSampledKey, value: s.qaSampled });
    this.searchAttributes.sync(pairs);
    setCurrentDetails(this.renderDetails());
  }

  private setStage(stage: CaseStage, why: string): void {
    if (this.state.stage === stage) return;
    const from = this.state.stage;
    this.state.stage = stage;
    this.record('stage-changed', `${from} → ${stage}: ${why}`, { data: { from, to: stage } });
  }

  /** Markdown the Web UI shows as the workflow's current details. */
  /**
   * Markdown the Web UI shows as the workflow's current details: one paragraph per fact (the UI
   * joins single lines), the last event before the table (the UI's frame clips the bottom).
   */
  renderDetails(): string {
    const s = this.state;
    const now = nowIso();
    const paragraphs = [
      `**After-sales case** · ${s.priority} · ${s.input.category} / ${s.input.severity} (${s.input.scope})`,
      `**Stage:** ${s.stage} · **Team:** ${s.team}${s.assignee ? ` · **Assignee:** ${s.assignee}` : ''}` +
        (s.escalation !== 'none' ? ` · **Escalated to:** ${s.escalation}` : ''),
    ];
    if (s.resolution) paragraphs.push(`**Resolution:** ${s.resolution.type} (${s.resolution.status})`);
    if (s.pendingOffer)
      paragraphs.push(`**Waiting for the customer:** refund offer (${s.pendingOffer.reason})`);
    const last = s.timeline[s.timeline.length - 1];
    if (last) paragraphs.push(`_Last event:_ ${last.summary}`);
    const open = s.clocks.filter(sla.isOpen);
    if (open.length > 0) {
      const rows = open.map((clock) => {
        const due = sla.dueAt(clock, s.policy.calendar);
        return (
          `| ${WINDOW_LABELS[clock.window]} (${clock.basis}) | ${due ? formatInstant(due) : '—'} | ` +
          `${formatDuration(sla.remaining(clock, now, s.policy.calendar))} | ` +
          `${clock.state}${sla.isBreached(clock) ? ' · **breached**' : ''} |`
        );
      });
      paragraphs.push(
        ['| SLA window | due | left | state |', '| --- | --- | --- | --- |', ...rows].join('\n'),
      );
    }
    return paragraphs.join('\n\n');
  }

  // -------------------------------------------------------------------------------------------
  // Clocks

  private clock(window: WindowName): sla.SlaClock | undefined {
    for (let i = this.state.clocks.length - 1; i >= 0; i--) {
      const clock = this.state.clocks[i]!;
      if (clock.window === window) return clock;
    }
    return undefined;
  }

  private openClock(window: WindowName): sla.SlaClock | undefined {
    const clock = this.clock(window);
    return clock && sla.isOpen(clock) ? clock : undefined;
  }

  private replaceClock(before: sla.SlaClock, after: sla.SlaClock): void {
    const index = this.state.clocks.lastIndexOf(before);
    if (index >= 0) this.state.clocks[index] = after;
    this.clockVersion += 1;
  }

  private startWindow(window: WindowName, spec: WindowSpec): sla.SlaClock {
    const clock = sla.startClock(window, spec, nowIso());
    this.state.clocks.push(clock);
    this.clockVersion += 1;
    const due = sla.dueAt(clock, this.state.policy.calendar);
    this.record(
      'sla-started',
      `${WINDOW_LABELS[window]} window started: ${spec.hours} ${spec.basis} hours, due ${due ? formatInstant(due) : '—'}`,
      {
        window,
        data: { hours: spec.hours, basis: spec.basis, dueAt: due },
      },
    );
    return clock;
  }

  private fulfilWindow(window: WindowName, how: string): void {
    const clock = this.openClock(window);
    if (!clock) return;
    const now = nowIso();
    const done = sla.fulfil(clock, now, this.state.policy.calendar);
    this.replaceClock(clock, done);
    const late = sla.isBreached(done);
    this.record(
      'sla-fulfilled',
      `${WINDOW_LABELS[window]} window fulfilled${late ? ' late' : ''} (${how}) after ${formatDuration(done.consumedMs)} of ${done.basis} time`,
      { window, data: { late, consumedMs: done.consumedMs, pausedMs: done.pausedMs } },
    );
  }

  private cancelWindow(window: WindowName, why: string): void {
    const clock = this.openClock(window);
    if (!clock) return;
    this.replaceClock(clock, sla.cancel(clock, nowIso(), this.state.policy.calendar));
    this.record('sla-cancelled', `${WINDOW_LABELS[window]} window closed without fulfilment: ${why}`, {
      window,
    });
  }

  private pauseClocks(why: string): void {
    const now = nowIso();
    for (const clock of [...this.state.clocks]) {
      if (clock.state !== 'running' || !this.state.policy.pausableWindows.includes(clock.window)) continue;
      this.replaceClock(clock, sla.pause(clock, now, this.state.policy.calendar));
      this.record('sla-paused', `${WINDOW_LABELS[clock.window]} clock paused: ${why}`, {
        window: clock.window,
      });
    }
  }

  private resumeClocks(why: string): void {
    const now = nowIso();
    for (const clock of [...this.state.clocks]) {
      if (clock.state !== 'paused') continue;
      const resumed = sla.resume(clock, now);
      this.replaceClock(clock, resumed);
      const pausedFor = resumed.pausedMs - clock.pausedMs;
      this.record(
        'sla-resumed',
        `${WINDOW_LABELS[clock.window]} clock resumed after ${formatDuration(pausedFor)}: ${why}`,
        {
          window: clock.window,
          data: { pausedMs: pausedFor },
        },
      );
    }
  }

  /** The ladder, with a breach rung at 100 % even when the policy lists none. */
  private get ladder(): readonly LadderStep[] {
    const ladder = this.state.policy.ladder;
    return ladder.some((step) => step.percent >= 100) ? ladder : [...ladder, { percent: 100, notify: [] }];
  }

  private nextDeadline(): string | undefined {
    return this.state.clocks
      .filter((clock) => clock.state === 'running')
      .map((clock) => sla.dueAt(clock, this.state.policy.calendar))
      .filter((due): due is string => due !== undefined)
      .sort()[0];
  }

  /**
   * Fires ladder steps as their time comes, until the case closes. Runs beside the main flow:
   * it sleeps until the nearest step of any running clock and wakes early whenever a clock
   * changes (pause, fulfilment, reclassification…).
   */
  async watchClocks(): Promise<void> {
    while (!this.closed) {
      await this.fireDueSteps();
      const calendar = this.state.policy.calendar;
      const upcoming = this.state.clocks
        .map((clock) => ({ clock, at: sla.nextStepAt(clock, this.ladder, calendar) }))
        .filter((entry): entry is { clock: sla.SlaClock; at: string } => entry.at !== undefined)
        .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))[0];
      const version = this.clockVersion;
      const changed = () => this.clockVersion !== version || this.closed;
      if (!upcoming) {
        await condition(changed);
        continue;
      }
      const step = this.ladder.find((rung) => !upcoming.clock.fired.includes(rung.percent));
      await condition(changed, msUntil(upcoming.at), {
        summary: `${this.state.priority} ${WINDOW_LABELS[upcoming.clock.window]}: ${step?.percent ?? 100}% at ${formatInstant(upcoming.at)}`,
      });
    }
  }

  private async fireDueSteps(): Promise<void> {
    const now = nowIso();
    const due: sla.DueStep[] = [];
    for (const clock of [...this.state.clocks]) {
      const result = sla.collectDueSteps(clock, this.ladder, now, this.state.policy.calendar);
      if (result.due.length === 0) continue;
      this.replaceClock(clock, result.clock);
      due.push(...result.due);
    }
    if (due.length === 0) return;
    for (const step of due) this.applyStep(step);
    this.syncVisibility();
    await Promise.all(due.flatMap((step) => this.notifyForStep(step)));
  }

  private applyStep({ window, step, breach }: sla.DueStep): void {
    const label = WINDOW_LABELS[window];
    if (!breach) {
      this.record(
        'sla-warned',
        `${step.percent}% of the ${label} window used; notifying ${step.notify.join(', ')}`,
        {
          window,
          data: { percent: step.percent, notify: step.notify },
        },
      );
      return;
    }
    if (!this.state.breachedWindows.includes(window)) this.state.breachedWindows.push(window);
    this.record('sla-breached', `${label} window breached; notifying ${step.notify.join(', ') || 'nobody'}`, {
      window,
      data: { notify: step.notify },
    });
    if (window === 'revisit') {
      // "No feedback within the window → the revisit is handed to a person."
      this.setStage('revisit-overdue', 'no feedback within the revisit window; handed to a person');
    } else {
      this.raiseEscalation('specialist-team', `${label} window breached`);
    }
  }

  private notifyForStep({ window, step, breach }: sla.DueStep): Promise<unknown>[] {
    const reason = breach
      ? `${this.state.priority} case ${WINDOW_LABELS[window]} window breached`
      : `${this.state.priority} case: ${step.percent}% of the ${WINDOW_LABELS[window]} window used`;
    return step.notify.map((audience) =>
      this.notifyStaff(`sla/${window}/${this.cycleOf(window)}/${step.percent}/${audience}`, {
        audience,
        window,
        percent: step.percent,
        reason,
      }),
    );
  }

  /** Which occurrence of a window this is (windows repeat after a reopen). */
  private cycleOf(window: WindowName): number {
    return this.state.clocks.filter((clock) => clock.window === window).length;
  }

  // -------------------------------------------------------------------------------------------
  // Activities, never throwing into the flow: a failure is recorded and ops are told

  private async attempt<T>(step: string, what: string, run: () => Promise<T>): Promise<T | undefined> {
    const result = await attemptActivity(this.state, this.state.caseId, step, what, run);
    if (result === undefined) this.state.needsHumanReview = true;
    return result;
  }

  private teamForAudience(audience: StaffAudience): Team {
    if (audience === 'specialist-team') return 'specialist-team';
    if (audience === 'management') return 'management';
    return this.state.team;
  }

  private notifyStaff(
    step: string,
    request: Omit<NotifyStaffRequest, 'idempotencyKey' | 'subjectId' | 'team' | 'priority'>,
  ): Promise<unknown> {
    return this.attempt(step, `notifying ${request.audience}`, () =>
      activities.notifyStaff.executeWithOptions(
        { summary: `notify ${request.audience}: ${request.reason}` },
        [
          {
            idempotencyKey: idempotencyKey(step),
            subjectId: this.state.caseId,
            team: this.teamForAudience(request.audience),
            staffId: request.audience === 'assignee' ? this.state.assignee : undefined,
            priority: this.state.priority,
            ...request,
          },
        ],
      ),
    );
  }

  private notifyCustomer(
    step: string,
    template: Parameters<typeof activities.notifyCustomer>[0]['template'],
    data?: Record<string, string | number | boolean>,
  ): Promise<unknown> {
    return this.attempt(step, `sending "${template}" to the customer`, () =>
      activities.notifyCustomer.executeWithOptions({ summary: `customer message: ${template}` }, [
        {
          idempotencyKey: idempotencyKey(step),
          customerId: this.state.input.customerId,
          channel: this.state.input.channel,
          template,
          subjectId: this.state.caseId,
          data,
        },
      ]),
    );
  }

  private raiseEscalation(level: Exclude<Escalation, 'none'>, why: string): boolean {
    if (ESCALATION_ORDER.indexOf(level) <= ESCALATION_ORDER.indexOf(this.state.escalation)) return false;
    this.state.escalation = level;
    if (level === 'specialist-team' || level === 'management') this.state.team = level;
    this.record('escalated', `escalated to ${level}: ${why}`, { data: { level } });
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Triage

  /**
   * Opens the case synchronously: priority, routing, every window's clock and the stage. It runs
   * before any handler is registered, so a signal or update that arrives together with the start
   * (update-with-start, a fast backend) already finds a triaged case.
   */
  open(): void {
    const s = this.state;
    const { input, policy } = s;
    this.record('case-opened', `${input.category} issue reported via ${input.channel}`, {
      data: { severity: input.severity, scope: input.scope },
    });
    this.record(
      'triaged',
      `priority ${s.priority} (${input.severity} × ${input.scope}), routed to ${s.team}`,
      {
        data: { priority: s.priority, team: s.team },
      },
    );
    this.startWindow('first-reply', policy.firstReply[s.priority]);
    this.startWindow('resolution', policy.resolution[s.priority]);
    this.pendingProcedures = this.startCategoryWindows();
    this.setStage('awaiting-reply', 'triaged');
    this.syncVisibility();
  }

  private pendingProcedures: CategoryProcedure[] = [];

  /** The side effects of triage: assignment, acknowledgement, carrier claim, recall. */
  async triage(): Promise<void> {
    const s = this.state;
    const firstReply = this.clock('first-reply');
    const firstReplyDue = firstReply && sla.dueAt(firstReply, s.policy.calendar);
    await Promise.all([
      this.assign('triage'),
      this.notifyCustomer('customer/case-received', 'case-received', {
        priority: s.priority,
        replyBy: firstReplyDue ?? '',
      }),
      this.runProcedures(this.pendingProcedures),
    ]);
    this.pendingProcedures = [];
    this.syncVisibility();
  }

  /** Clocks that come with the category; returns the procedures to run for them. */
  private startCategoryWindows(): CategoryProcedure[] {
    const { input, policy } = this.state;
    const procedures: CategoryProcedure[] = [];
    if (input.category === 'logistics' && !this.clock('carrier-solution')) {
      this.startWindow('carrier-solution', policy.carrierSolution);
      procedures.push('carrier-claim');
    }
    if (input.category === 'quality' && input.severity === 'cosmetic' && !this.clock('exchange')) {
      this.startWindow('exchange', policy.cosmeticExchange);
    }
    if (input.severity === 'safety-hazard' && !this.clock('recall')) {
      this.startWindow('recall', policy.recallOpening);
      procedures.push('recall');
    }
    return procedures;
  }

  private async runProcedures(procedures: readonly CategoryProcedure[]): Promise<void> {
    await Promise.all(
      procedures.map((procedure) =>
        procedure === 'carrier-claim' ? this.openCarrierClaim() : this.openRecall(),
      ),
    );
  }

  private async assign(step: string): Promise<void> {
    const s = this.state;
    const result = await this.attempt(`assign/${step}`, `assigning to ${s.team}`, () =>
      activities.assignCase.executeWithOptions({ summary: `assign ${s.priority} case to ${s.team}` }, [
        {
          idempotencyKey: idempotencyKey(`assign/${step}`),
          caseId: s.caseId,
          team: s.team,
          priority: s.priority,
          category: s.input.category,
        },
      ]),
    );
    if (!result) return;
    s.assignee = result.assignee;
    this.record('assigned', `assigned to ${result.assignee} (${s.team})`, {
      data: { team: s.team, assignee: result.assignee },
    });
  }

  private async openCarrierClaim(): Promise<void> {
    const { caseId, input } = this.state;
    const result = await this.attempt('carrier-claim', 'opening the carrier claim', () =>
      activities.openCarrierClaim.executeWithOptions(
        { summary: 'open carrier claim (24 h to agree a solution)' },
        [
          {
            idempotencyKey: idempotencyKey('carrier-claim'),
            caseId,
            orderId: input.product?.orderId,
            carrier: input.product?.carrier,
          },
        ],
      ),
    );
    if (!result) return;
    this.state.carrierClaimId = result.claimId;
    this.record('carrier-claim-opened', `carrier claim ${result.claimId} opened`, {
      window: 'carrier-solution',
    });
  }

  private async openRecall(): Promise<void> {
    const { caseId, input } = this.state;
    const result = await this.attempt('recall', 'opening the recall procedure', () =>
      activities.openRecall.executeWithOptions(
        { summary: `open recall for batch ${input.product?.batch ?? 'unknown'}` },
        [
          {
            idempotencyKey: idempotencyKey('recall'),
            caseId,
            sku: input.product?.sku,
            batch: input.product?.batch,
          },
        ],
      ),
    );
    if (!result) return;
    this.fulfilWindow('recall', `recall ${result.recallId} opened`);
    this.record(
      'recall-opened',
      `recall ${result.recallId} opened with full-chain trace of batch ${input.product?.batch ?? 'unknown'}`,
      {
        window: 'recall',
        data: { recallId: result.recallId, sku: input.product?.sku, batch: input.product?.batch },
      },
    );
    this.raiseEscalation('specialist-team', 'safety hazard: recall procedure');
    await this.notifyCustomer('customer/recall-notice', 'recall-notice', { recallId: result.recallId });
  }

  // -------------------------------------------------------------------------------------------
  // Signals (never throw; the workflow file has already validated the shape)

  onAgentResponded(message: { agentId?: string; kind: 'human' | 'assisted'; note?: string }): void {
    const s = this.state;
    if (this.closed) return this.rejectSignal('agentResponded', ['the case is closed']);
    if (message.agentId) s.assignee ??= message.agentId;
    if (!this.openClock('first-reply')) {
      this.record('agent-responded', `agent ${message.agentId ?? 'unknown'} replied`, {
        data: { kind: message.kind },
      });
      this.syncVisibility();
      return;
    }
    if (message.kind === 'assisted' && !s.policy.assistedReplyPriorities.includes(s.priority)) {
      this.record(
        'assisted-reply-not-counted',
        `an assisted reply does not count as the first reply of a ${s.priority} case; a person must answer`,
      );
      this.syncVisibility();
      return;
    }
    if (message.kind === 'assisted') {
      s.needsHumanReview = true;
      this.record('human-review-required', 'assisted reply sent; marked for human review');
    }
    this.fulfilWindow('first-reply', `${message.kind} reply by ${message.agentId ?? 'an agent'}`);
    if (s.stage === 'awaiting-reply') this.setStage('in-progress', 'first reply sent');
    this.syncVisibility();
  }

  onCustomerReplied(message: CustomerReplied): void {
    if (this.closed) return this.rejectSignal('customerReplied', ['the case is closed']);
    this.record('customer-replied', message.note ? `customer replied: ${message.note}` : 'customer replied');
    if (this.state.stage === 'awaiting-customer' && !this.state.pendingOffer) {
      this.resumeClocks('the customer answered');
      this.setStage('in-progress', 'the customer answered');
    }
    this.syncVisibility();
  }

  onAwaitingCustomer(message: AwaitingCustomer): void {
    const stage = this.state.stage;
    if (stage !== 'awaiting-reply' && stage !== 'in-progress') {
      return this.rejectSignal('awaitingCustomer', [`not possible in stage ${stage}`]);
    }
    // Asking the customer for something is itself a reply.
    this.fulfilWindow('first-reply', 'the agent asked the customer for information');
    this.pauseClocks(message.reason);
    this.setStage('awaiting-customer', message.reason);
    this.syncVisibility();
  }

  async onCarrierUpdate(message: CarrierUpdate): Promise<void> {
    const s = this.state;
    if (s.input.category !== 'logistics') {
      return this.rejectSignal('carrierUpdate', [`case category is ${s.input.category}, not logistics`]);
    }
    if (message.claimId) s.carrierClaimId = message.claimId;
    this.record('carrier-update', `carrier: ${message.status}${message.note ? ` — ${message.note}` : ''}`, {
      window: 'carrier-solution',
      data: { status: message.status, claimId: message.claimId },
    });
    if (message.status === 'solution-agreed')
      this.fulfilWindow('carrier-solution', 'solution agreed with the carrier');
    if (message.status === 'closed') {
      this.record('carrier-claim-closed', 'carrier claim followed to closure', {
        window: 'carrier-solution',
      });
    }
    this.syncVisibility();
    if (message.status === 'rejected') {
      this.state.needsHumanReview = true;
      await this.notifyStaff(`carrier-rejected/${s.timeline.length}`, {
        audience: 'team-lead',
        reason: 'the carrier rejected the claim',
      });
    }
  }

  onAgentAssigned(message: AgentAssigned): void {
    if (this.closed) return this.rejectSignal('agentAssigned', ['the case is closed']);
    this.state.assignee = message.agentId;
    if (message.team) this.state.team = message.team;
    this.record('assigned', `taken by ${message.agentId}${message.team ? ` (${message.team})` : ''}`);
    this.syncVisibility();
  }

  async onRepairCompleted(message: RepairCompleted): Promise<void> {
    if (this.state.stage !== 'repairing') {
      return this.rejectSignal('repairCompleted', [`no repair in progress (stage ${this.state.stage})`]);
    }
    if (message.outcome === 'repaired') {
      this.fulfilWindow('repair', 'repaired');
      this.markResolved('repair', 'repaired', message.repairOrderId ?? this.state.resolution?.reference);
    } else {
      this.cancelWindow('repair', 'unrepairable');
      this.record('repair-failed', 'the item cannot be repaired; choose replace or refund');
      this.state.resolution = undefined;
      this.startWindow('resolution', this.state.policy.resolution[this.state.priority]);
      this.setStage('in-progress', 'repair impossible');
      this.syncVisibility();
      await this.notifyStaff(`repair-failed/${this.cycleOf('repair')}`, {
        audience: 'assignee',
        reason: 'repair impossible: choose replace or refund',
      });
    }
    this.syncVisibility();
  }

  // -------------------------------------------------------------------------------------------
  // Updates: `validate*` run before acceptance (synchronous, throw to reject); handlers after

  validateResolve(request: Resolve): void {
    const s = this.state;
    if (!RESOLVABLE_STAGES.includes(s.stage)) throw new RuleViolation(`cannot resolve in stage ${s.stage}`);
    if (this.resolving)
      throw new RuleViolation('another resolution is being carried out; wait for its result');
    if (s.pendingOffer)
      throw new RuleViolation('a refund offer is waiting for the customer; answer it with respondToOffer');
    if (s.input.category === 'service') {
      const needed = ComplaintStep.options.slice(0, 5);
      const missing = needed.filter((step) => !s.complaintSteps.some((done) => done.step === step));
      if (missing.length > 0) {
        throw new RuleViolation(
          `a service complaint is resolved after its first five steps; missing: ${missing.join(', ')}`,
        );
      }
    }
    if (request.type === 'repair' && s.input.severity === 'safety-hazard') {
      throw new RuleViolation('a safety hazard is not repaired in place: replace or refund');
    }
  }

  async resolve(request: Resolve): Promise<ResolveResult> {
    this.resolving = true;
    try {
      const s = this.state;
      if (request.typical) s.typical = true;
      this.fulfilWindow('first-reply', 'answered with a resolution');
      this.record('resolution-started', `${request.type} chosen${request.note ? `: ${request.note}` : ''}`, {
        data: { type: request.type },
      });
      switch (request.type) {
        case 'advice':
          await this.notifyCustomer(`customer/advice/${this.cycleOf('resolution')}`, 'advice-given');
          return this.markResolved('advice', 'advice given');
        case 'refund':
          return await this.refund(request.refund?.amount, request.refund?.currency);
        case 'replace':
          return await this.replace(request.refundValue);
        case 'repair':
          return await this.repair(request.mode);
      }
    } finally {
      this.resolving = false;
      this.syncVisibility();
    }
  }

  private failedResolution(type: ResolutionType): ResolveResult {
    return {
      status: 'failed',
      stage: this.state.stage,
      resolutionType: type,
      message: `the ${type} could not be carried out; see the timeline (integration-failed)`,
    };
  }

  private async refund(amount?: number, currency?: string): Promise<ResolveResult> {
    const cycle = this.cycleOf('resolution');
    const result = await this.attempt(`refund/${cycle}`, 'issuing the refund', () =>
      activities.issueRefund.executeWithOptions(
        { summary: `refund ${amount ?? 'full price'} ${currency ?? ''}`.trim() },
        [{ idempotencyKey: idempotencyKey(`refund/${cycle}`), caseId: this.state.caseId, amount, currency }],
      ),
    );
    if (!result) return this.failedResolution('refund');
    this.record('refund-issued', `refund ${result.refundId} issued`, {
      data: { refundId: result.refundId, amount, currency },
    });
    await this.notifyCustomer(`customer/refund/${cycle}`, 'refund-issued', { refundId: result.refundId });
    return this.markResolved('refund', 'refunded', result.refundId);
  }

  private async replace(refundValue?: { amount: number; currency: string }): Promise<ResolveResult> {
    const s = this.state;
    const cycle = this.cycleOf('resolution');
    const result = await this.attempt(`replace/${cycle}`, 'shipping the replacement', () =>
      activities.shipReplacement.executeWithOptions({ summary: 'ship replacement' }, [
        {
          idempotencyKey: idempotencyKey(`replace/${cycle}`),
          caseId: s.caseId,
          sku: s.input.product?.sku,
          orderId: s.input.product?.orderId,
        },
      ]),
    );
    if (!result) return this.failedResolution('replace');
    if (result.shipped) {
      this.fulfilWindow('exchange', `replacement ${result.shipmentId} shipped`);
      this.record('replacement-shipped', `replacement ${result.shipmentId} shipped`, {
        data: { shipmentId: result.shipmentId },
      });
      await this.notifyCustomer(`customer/replacement/${cycle}`, 'replacement-shipped', {
        shipmentId: result.shipmentId,
      });
      return this.markResolved('replace', 'replaced', result.shipmentId);
    }
    // Compensation: the replacement cannot ship. A refund is the fallback, but only with the
    // customer's agreement, so we offer it and wait (clocks paused: we wait on the customer).
    s.pendingOffer = {
      kind: 'refund',
      reason: result.reason,
      amount: refundValue?.amount,
      currency: refundValue?.currency,
    };
    this.record(
      'replacement-failed',
      `replacement cannot ship (${result.reason}); refund offered to the customer`,
    );
    this.pauseClocks('refund offered; waiting for the customer to agree');
    this.setStage('awaiting-customer', 'refund offer');
    await this.notifyCustomer(`customer/refund-offer/${cycle}`, 'refund-offer', { reason: result.reason });
    return {
      status: 'awaiting-customer-decision',
      stage: s.stage,
      resolutionType: 'replace',
      message: `replacement cannot ship (${result.reason}); a refund was offered to the customer`,
    };
  }

  private async repair(mode: 'in-store' | 'factory'): Promise<ResolveResult> {
    const s = this.state;
    const spec = mode === 'in-store' ? s.policy.repair.inStore : s.policy.repair.factory;
    const cycle = this.cycleOf('repair') + 1;
    const due = new Date(Date.now() + sla.budgetOf(spec)).toISOString();
    const result = await this.attempt(`repair/${cycle}`, `scheduling the ${mode} repair`, () =>
      activities.scheduleRepair.executeWithOptions(
        { summary: `${mode} repair${s.inWarranty ? '' : ' (out of warranty: parts at cost)'}` },
        [
          {
            idempotencyKey: idempotencyKey(`repair/${cycle}`),
            caseId: s.caseId,
            mode,
            inWarranty: s.inWarranty,
            dueAt: due,
          },
        ],
      ),
    );
    if (!result) return this.failedResolution('repair');
    // The repair promise ("in-store 1–3 days, factory about 30 days") replaces the resolution
    // target: the customer has been told when the item comes back.
    this.cancelWindow('resolution', `superseded by the ${mode} repair window`);
    const clock = this.startWindow('repair', spec);
    s.resolution = {
      type: 'repair',
      status: `${mode} repair scheduled`,
      reference: result.repairOrderId,
      at: nowIso(),
    };
    this.record(
      'repair-scheduled',
      `${mode} repair ${result.repairOrderId} scheduled${s.inWarranty ? '' : '; out of warranty, parts at cost'}`,
      {
        window: 'repair',
        data: { mode, repairOrderId: result.repairOrderId, inWarranty: s.inWarranty },
      },
    );
    this.setStage('repairing', `${mode} repair`);
    await this.notifyCustomer(`customer/repair/${cycle}`, 'repair-scheduled', { mode, readyBy: due });
    return {
      status: 'repair-scheduled',
      stage: s.stage,
      resolutionType: 'repair',
      reference: result.repairOrderId,
      dueAt: sla.dueAt(clock, s.policy.calendar),
      message: `${mode} repair scheduled; the case is resolved when repairCompleted arrives`,
    };
  }

  private markResolved(type: ResolutionType, status: string, reference?: string): ResolveResult {
    const s = this.state;
    const now = nowIso();
    s.resolution = { type, status, reference, at: now };
    s.resolvedAt = now;
    s.pendingOffer = undefined;
    this.resumeClocks('resolved');
    this.fulfilWindow('resolution', type);
    this.cancelWindow('exchange', `resolved by ${type}`);
    this.record('resolved', `resolved by ${type}${reference ? ` (${reference})` : ''}`, {
      data: { type, reference },
    });
    this.setStage('revisit', 'resolved; revisit within the window');
    this.syncVisibility();
    return {
      status: 'resolved',
      stage: s.stage,
      resolutionType: type,
      reference,
      message: `resolved by ${type}`,
    };
  }

  validateRespondToOffer(): void {
    if (!this.state.pendingOffer) throw new RuleViolation('there is no offer waiting for the customer');
    if (this.resolving) throw new RuleViolation('the previous answer is still being carried out');
  }

  async respondToOffer(answer: RespondToOffer): Promise<ResolveResult> {
    this.resolving = true;
    try {
      const offer = this.state.pendingOffer!;
      this.state.pendingOffer = undefined;
      if (answer.accepted) {
        this.record('offer-accepted', 'the customer accepted the refund');
        this.resumeClocks('the customer answered the offer');
        return await this.refund(offer.amount, offer.currency);
      }
      this.record(
        'offer-declined',
        `the customer declined the refund${answer.note ? `: ${answer.note}` : ''}`,
      );
      this.resumeClocks('the customer answered the offer');
      this.setStage('in-progress', 'refund declined; another remedy is needed');
      await this.notifyStaff(`offer-declined/${this.cycleOf('resolution')}`, {
        audience: 'assignee',
        reason: 'the customer declined the refund; choose another remedy',
      });
      return {
        status: 'failed',
        stage: this.state.stage,
        resolutionType: 'replace',
        message: 'the customer declined the refund; the case is back in progress',
      };
    } finally {
      this.resolving = false;
      this.syncVisibility();
    }
  }

  validateFeedback(): void {
    const stage = this.state.stage;
    if (stage !== 'revisit' && stage !== 'revisit-overdue') {
      throw new RuleViolation(`the case is not waiting for feedback (stage ${stage})`);
    }
    if (this.state.feedback) throw new RuleViolation('feedback for this round was already received');
  }

  /** Decides what the answer means; the main flow carries it out. */
  submitFeedback(feedback: SubmitFeedback): FeedbackResult {
    const s = this.state;
    s.feedback = { ...feedback, at: nowIso() };
    const satisfied = feedback.resolved && feedback.csat >= s.policy.satisfiedCsat;
    const outcome: FeedbackResult['outcome'] = satisfied
      ? 'closed'
      : s.escalation === 'management'
        ? 'closed'
        : s.reopenCount >= s.policy.maxReopens
          ? 'escalated-to-management'
          : 'reopened';
    s.feedbackOutcome = { outcome, satisfied, reopenCount: s.reopenCount + (outcome === 'closed' ? 0 : 1) };
    this.fulfilWindow('revisit', 'feedback received');
    this.record(
      'feedback-received',
      `CSAT ${feedback.csat}${feedback.nps !== undefined ? `, NPS ${feedback.nps}` : ''}, ${feedback.resolved ? 'fixed' : 'not fixed'} → ${satisfied ? 'satisfied' : 'not satisfied'}`,
      { data: { csat: feedback.csat, nps: feedback.nps, resolved: feedback.resolved, satisfied } },
    );
    this.syncVisibility();
    return s.feedbackOutcome;
  }

  validateReclassify(request: Reclassify): void {
    if (this.closed) throw new RuleViolation('the case is closed');
    const { input } = this.state;
    const same =
      (request.severity ?? input.severity) === input.severity &&
      (request.scope ?? input.scope) === input.scope &&
      (request.category ?? input.category) === input.category;
    if (same) throw new RuleViolation('nothing changes: severity, scope and category are already these');
  }

  async reclassify(request: Reclassify): Promise<CaseView> {
    const s = this.state;
    const before = { priority: s.priority, team: s.team };
    s.input = {
      ...s.input,
      severity: request.severity ?? s.input.severity,
      scope: request.scope ?? s.input.scope,
      category: request.category ?? s.input.category,
    };
    s.priority = priorityOf(s.policy, s.input.severity, s.input.scope);
    if (s.escalation !== 'specialist-team' && s.escalation !== 'management') {
      s.team = teamFor(s.policy, s.input.category, s.priority);
    }
    this.record(
      'reclassified',
      `${s.input.category} / ${s.input.severity} / ${s.input.scope}: ${before.priority} → ${s.priority}, ${before.team} → ${s.team} (${request.reason})`,
      { data: { ...request, priority: s.priority, team: s.team } },
    );
    for (const window of ['first-reply', 'resolution'] as const) {
      const clock = this.openClock(window);
      if (!clock) continue;
      const spec =
        window === 'first-reply' ? s.policy.firstReply[s.priority] : s.policy.resolution[s.priority];
      this.replaceClock(clock, sla.rebudget(clock, spec));
      this.record(
        'sla-rebudgeted',
        `${WINDOW_LABELS[window]} window is now ${spec.hours} ${spec.basis} hours`,
        { window },
      );
    }
    const procedures = this.startCategoryWindows();
    this.syncVisibility();
    await Promise.all([
      this.runProcedures(procedures),
      s.team !== before.team ? this.assign(`reclassify/${s.timeline.length}`) : undefined,
    ]);
    this.syncVisibility();
    return this.view();
  }

  validateEscalate(request: Escalate): void {
    if (this.closed) throw new RuleViolation('the case is closed');
    if (ESCALATION_ORDER.indexOf(request.level) <= ESCALATION_ORDER.indexOf(this.state.escalation)) {
      throw new RuleViolation(`the case is already escalated to ${this.state.escalation}`);
    }
  }

  async escalate(request: Escalate): Promise<CaseView> {
    this.raiseEscalation(request.level, `${request.reason} (by hand)`);
    this.syncVisibility();
    await this.notifyStaff(`escalate/${request.level}`, {
      audience: request.level,
      reason: request.reason,
    });
    return this.view();
  }

  validateComplaintStep(request: CompleteComplaintStep): void {
    const s = this.state;
    if (s.input.category !== 'service')
      throw new RuleViolation('complaint steps apply to service complaints only');
    if (this.closed) throw new RuleViolation('the case is closed');
    const next = ComplaintStep.options[s.complaintSteps.length];
    if (!next) throw new RuleViolation('all six complaint steps are complete');
    if (request.step !== next)
      throw new RuleViolation(`the next complaint step is ${next}, not ${request.step}`);
  }

  completeComplaintStep(request: CompleteComplaintStep): CaseView {
    const s = this.state;
    s.complaintSteps.push({
      step: request.step,
      at: nowIso(),
      managerInvolved: request.managerInvolved ?? false,
    });
    this.fulfilWindow('first-reply', 'the complaint is being heard');
    if (s.stage === 'awaiting-reply') this.setStage('in-progress', 'complaint handling started');
    this.record(
      'complaint-step',
      `complaint step ${s.complaintSteps.length}/6: ${request.step}${request.note ? ` — ${request.note}` : ''}`,
      {
        data: { step: request.step, managerInvolved: request.managerInvolved ?? false },
      },
    );
    this.syncVisibility();
    return this.view();
  }

  validateClose(): void {
    if (this.closed) throw new RuleViolation('the case is already closed');
  }

  closeByOps(request: CloseCase): CaseView {
    this.close(
      'closed-by-ops',
      `closed by ops: ${request.reason}${request.note ? ` — ${request.note}` : ''}`,
    );
    return this.view();
  }

  // -------------------------------------------------------------------------------------------
  // The lifecycle after triage

  /** Resolution rounds until the case closes; bounded by the reopen limit. */
  async runUntilClosed(): Promise<void> {
    const s = this.state;
    while (!this.closed) {
      await condition(() => s.resolvedAt !== undefined || this.closed);
      if (this.closed) return;
      await this.startRevisit();
      const closeAfter = Date.parse(s.resolvedAt!) + s.policy.noFeedbackCloseHours * 3_600_000;
      const answered = await condition(
        () => s.feedbackOutcome !== undefined || this.closed,
        msUntil(new Date(closeAfter).toISOString()),
        {
          summary: `close as "no feedback" at ${formatInstant(new Date(closeAfter).toISOString())}`,
        },
      );
      if (this.closed) return;
      if (!answered) {
        this.close(
          'closed-no-feedback',
          `no feedback within ${s.policy.noFeedbackCloseHours} hours of the resolution`,
        );
        return;
      }
      const outcome = s.feedbackOutcome!;
      if (outcome.satisfied) {
        this.completeFollowUpStep();
        this.close('closed-satisfied', 'the customer confirmed the fix');
        return;
      }
      if (outcome.outcome === 'closed') {
        this.close('closed-unsatisfied', 'still not satisfied after management handled the case');
        await this.notifyStaff(`unsatisfied/${s.reopenCount}`, {
          audience: 'management',
          reason: 'case closed unsatisfied after management handling; follow the relationship up',
        });
        return;
      }
      await this.reopen(outcome.outcome === 'escalated-to-management');
    }
  }

  private completeFollowUpStep(): void {
    const s = this.state;
    if (s.input.category === 'service' && s.complaintSteps.length === 5) {
      s.complaintSteps.push({ step: 'follow-up', at: nowIso(), managerInvolved: false });
      this.record('complaint-step', 'complaint step 6/6: follow-up (revisit answered)');
    }
  }

  private async startRevisit(): Promise<void> {
    const s = this.state;
    const round = s.reopenCount + 1;
    const clock = this.startWindow('revisit', s.policy.revisit);
    this.syncVisibility();
    const dueAt = sla.dueAt(clock, s.policy.calendar) ?? nowIso();
    await Promise.all([
      this.attempt(`revisit/${round}`, 'creating the revisit task', () =>
        activities.scheduleRevisit.executeWithOptions(
          { summary: `revisit task due ${formatInstant(dueAt)}` },
          [
            {
              idempotencyKey: idempotencyKey(`revisit/${round}`),
              caseId: s.caseId,
              team: s.team,
              assignee: s.assignee,
              dueAt,
            },
          ],
        ),
      ),
      this.attempt(`survey/${round}`, 'sending the satisfaction survey', () =>
        activities.sendSurvey.executeWithOptions({ summary: 'satisfaction survey' }, [
          {
            idempotencyKey: idempotencyKey(`survey/${round}`),
            caseId: s.caseId,
            customerId: s.input.customerId,
            channel: s.input.channel,
            replyTo: { workflowId: s.caseId, update: 'submitFeedback' },
          },
        ]),
      ),
    ]);
    this.record('revisit-scheduled', `revisit ${round} due ${formatInstant(dueAt)}; survey sent`, {
      window: 'revisit',
    });
    this.syncVisibility();
  }

  private async reopen(toManagement: boolean): Promise<void> {
    const s = this.state;
    s.reopenCount += 1;
    s.feedback = undefined;
    s.feedbackOutcome = undefined;
    s.resolvedAt = undefined;
    s.resolution = undefined;
    const level = toManagement ? 'management' : 'specialist-team';
    // "Not satisfied → escalated to a specialist team, handled again, revisited again" (rule AS-15).
    if (!this.raiseEscalation(level, `revisit not satisfied (reopening ${s.reopenCount})`)) s.team = level;
    this.record('reopened', `reopened (${s.reopenCount}/${s.policy.maxReopens}) for ${level}`, {
      data: { reopenCount: s.reopenCount, team: level },
    });
    this.startWindow('resolution', s.policy.resolution[s.priority]);
    this.setStage('in-progress', `reopened for ${level}`);
    this.syncVisibility();
    await Promise.all([
      this.assign(`reopen/${s.reopenCount}`),
      this.notifyStaff(`reopen/${s.reopenCount}`, {
        audience: level,
        reason: `customer not satisfied after resolution; reopening ${s.reopenCount}`,
      }),
    ]);
    this.syncVisibility();
  }

  private close(outcome: CaseOutcome, why: string): void {
    const s = this.state;
    if (this.closed) return;
    for (const clock of s.clocks.filter(sla.isOpen)) this.cancelWindow(clock.window, 'case closed');
    s.outcome = outcome;
    s.closedAt = nowIso();
    s.pendingOffer = undefined;
    this.setStage('closed', why);
    this.record('closed', `${outcome}: ${why}`, { data: { outcome } });
    this.syncVisibility();
  }

  /** QA sample, knowledge base, referral and the parent journey, once closed. */
  async afterClose(): Promise<void> {
    const s = this.state;
    // "20 % of after-sales tickets are sampled at random for quality review" (rule LE-2). The
    // sandbox's Math.random is seeded per workflow, so replays draw the same sample.
    s.qaSampled = Math.random() < s.policy.qaSampleRate;
    this.record('qa-sampling', s.qaSampled ? 'drawn for quality review' : 'not drawn for quality review');
    this.syncVisibility();
    const promoter = this.isPromoter();
    await Promise.all([
      this.notifyCustomer('customer/closed', 'case-closed', { outcome: s.outcome ?? 'closed' }),
      s.qaSampled
        ? this.attempt('qa-review', 'requesting the QA review', () =>
            activities.requestQaReview.executeWithOptions({ summary: 'QA review (20 % sample)' }, [
              {
                idempotencyKey: idempotencyKey('qa-review'),
                caseId: s.caseId,
                team: s.team,
                priority: s.priority,
                category: s.input.category,
                outcome: s.outcome ?? 'closed',
              },
            ]),
          )
        : undefined,
      s.typical
        ? this.attempt('knowledge-base', 'recording the knowledge-base entry', () =>
            activities.recordKnowledgeBaseEntry.executeWithOptions(
              { summary: 'knowledge base: typical case' },
              [
                {
                  idempotencyKey: idempotencyKey('knowledge-base'),
                  caseId: s.caseId,
                  category: s.input.category,
                  severity: s.input.severity,
                  resolutionType: s.resolution?.type,
                  summary: `${s.input.category}/${s.input.severity}: ${s.resolution?.type ?? 'no resolution'} → ${s.outcome}`,
                },
              ],
            ),
          ).then(
            (result) =>
              result && this.record('knowledge-base', `knowledge-base entry ${result.entryId} recorded`),
          )
        : undefined,
      // A journey decides on referrals itself (it knows how recently it last asked).
      promoter && !s.input.journeyId
        ? this.attempt('referral', 'requesting a referral', () =>
            activities.requestReferral.executeWithOptions({ summary: 'referral request (promoter)' }, [
              {
                idempotencyKey: idempotencyKey('referral'),
                customerId: s.input.customerId,
                channel: s.input.channel,
                subjectId: s.caseId,
              },
            ]),
          ).then((result) => result && this.record('referral-requested', 'promoter asked for a referral'))
        : undefined,
    ]);
    if (s.input.journeyId) {
      try {
        await getExternalWorkflowHandle(s.input.journeyId).signal(caseClosedSignal, this.result());
        this.record('journey-informed', `journey ${s.input.journeyId} informed`);
      } catch (error) {
        this.record(
          'journey-not-informed',
          `journey ${s.input.journeyId} could not be informed: ${failureMessage(error)}`,
        );
      }
    }
    this.syncVisibility();
  }

  private isPromoter(): boolean {
    const feedback = this.state.feedback;
    return (
      this.state.outcome === 'closed-satisfied' &&
      feedback?.nps !== undefined &&
      feedback.nps >= this.state.policy.promoterNps
    );
  }

  // -------------------------------------------------------------------------------------------
  // Views

  view(): CaseView {
    const s = this.state;
    const now = nowIso();
    const calendar = s.policy.calendar;
    const clocks: ClockView[] = s.clocks.map((clock) => ({
      window: clock.window,
      label: WINDOW_LABELS[clock.window],
      basis: clock.basis,
      budgetHours: clock.budgetMs / 3_600_000,
      startedAt: clock.startedAt,
      dueAt: sla.dueAt(clock, calendar),
      remainingMs: sla.remaining(clock, now, calendar),
      state: clock.state,
      paused: clock.state === 'paused',
      pausedSince: clock.pausedSince,
      pausedMs: clock.pausedMs + (clock.pausedSince ? Date.parse(now) - Date.parse(clock.pausedSince) : 0),
      breached: sla.isBreached(clock),
      breachedAt: clock.breachedAt,
      fulfilledAt: clock.fulfilledAt,
      warnings: clock.fired.filter((percent) => percent < 100),
    }));
    return {
      caseId: s.caseId,
      customerId: s.input.customerId,
      journeyId: s.input.journeyId,
      stage: s.stage,
      channel: s.input.channel,
      category: s.input.category,
      severity: s.input.severity,
      scope: s.input.scope,
      priority: s.priority,
      team: s.team,
      assignee: s.assignee,
      escalationLevel: s.escalation,
      clocks,
      slaBreached: s.breachedWindows.length > 0,
      inWarranty: s.inWarranty,
      resolution: s.resolution && {
        type: s.resolution.type,
        status: s.resolution.status,
        reference: s.resolution.reference,
        at: s.resolution.at,
      },
      pendingOffer: s.pendingOffer && { kind: s.pendingOffer.kind, reason: s.pendingOffer.reason },
      complaintSteps: s.input.category === 'service' ? s.complaintSteps : undefined,
      feedback: s.feedback && {
        csat: s.feedback.csat,
        nps: s.feedback.nps,
        resolved: s.feedback.resolved,
        comment: s.feedback.comment,
      },
      reopenCount: s.reopenCount,
      qaSampled: s.qaSampled,
      needsHumanReview: s.needsHumanReview,
      openedAt: s.openedAt,
      closedAt: s.closedAt,
      asOf: now,
    };
  }

  result(): CaseResult {
    const s = this.state;
    return {
      caseId: s.caseId,
      customerId: s.input.customerId,
      journeyId: s.input.journeyId,
      outcome: s.outcome ?? 'closed-by-ops',
      priority: s.priority,
      channel: s.input.channel,
      category: s.input.category,
      severity: s.input.severity,
      team: s.team,
      firstResponseMs: since(
        s.openedAt,
        s.clocks.find((clock) => clock.window === 'first-reply')?.fulfilledAt,
      ),
      resolutionMs: since(s.openedAt, s.resolvedAt),
      windows: s.clocks.map((clock) => ({
        window: clock.window,
        basis: clock.basis,
        budgetMs: clock.budgetMs,
        consumedMs: clock.consumedMs,
        pausedMs: clock.pausedMs,
        breached: sla.isBreached(clock),
        state: clock.state,
      })),
      resolutionType: s.resolution?.type,
      csat: s.feedback?.csat,
      nps: s.feedback?.nps,
      promoter: this.isPromoter(),
      reopenCount: s.reopenCount,
      slaBreached: s.breachedWindows.length > 0,
      breachedWindows: [...s.breachedWindows],
      escalated: s.escalation !== 'none',
      qaSampled: s.qaSampled ?? false,
      openedAt: s.openedAt,
      closedAt: s.closedAt ?? nowIso(),
    };
  }
}
