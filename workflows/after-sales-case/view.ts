/**
 * How a case is seen: its search attributes (what analysts filter on, never personal data), the
 * current details the Web UI shows, the `getCase` view and the final result.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import * as clock from '../kernel/sla-clock';
import {
  AssignedTeamKey,
  BreachedWindowsKey,
  CasePriorityKey,
  CustomerGradeKey,
  CaseStageKey,
  ChannelKey,
  CustomerIdKey,
  EscalatedKey,
  IssueCategoryKey,
  JourneyIdKey,
  NeedsAttentionKey,
  NextDeadlineAtKey,
  NpsScoreKey,
  QaSampledKey,
  ReopenCountKey,
  ResolutionTypeKey,
  ResolvedAtKey,
  SatisfactionScoreKey,
  SlaBreachedKey,
} from '../kernel/search-attributes';
import { formatDuration, formatInstant, msBetween, nowIso } from '../kernel/time';
import type { CaseResult, CaseSlaJournal, CaseView, ClockView } from './contract';
import { isComplaint } from './complaint';
import { pausedByReason } from './pauses';
import { claimOpen, isClosed, windowLabel, type Case } from './model';

export function isPromoter(c: Case): boolean {
  const feedback = c.s.feedback;
  return (
    c.s.outcome === 'closed-satisfied' &&
    feedback?.nps !== undefined &&
    feedback.nps >= c.s.policy.promoterNps
  );
}

export function searchAttributes(c: Case): SearchAttributeUpdatePair[] {
  const s = c.s;
  const next = c.windows.nextDeadline();
  const breached = c.windows.breachedWindows();
  const pairs: SearchAttributeUpdatePair[] = [
    { key: CustomerIdKey, value: s.input.customerId },
    { key: CaseStageKey, value: s.stage },
    { key: CasePriorityKey, value: s.priority },
    { key: IssueCategoryKey, value: s.input.category },
    { key: ChannelKey, value: s.input.channel },
    { key: AssignedTeamKey, value: s.team },
    { key: SlaBreachedKey, value: breached.length > 0 },
    { key: EscalatedKey, value: s.escalation !== 'none' },
    { key: ReopenCountKey, value: s.reopenCount },
    { key: BreachedWindowsKey, value: breached },
    { key: NextDeadlineAtKey, value: next && !isClosed(c) ? new Date(next) : null },
  ];
  if (s.input.journeyId) pairs.push({ key: JourneyIdKey, value: s.input.journeyId });
  if (s.input.customerGrade) pairs.push({ key: CustomerGradeKey, value: s.input.customerGrade });
  if (s.resolution) pairs.push({ key: ResolutionTypeKey, value: s.resolution.type });
  if (s.resolvedAt) pairs.push({ key: ResolvedAtKey, value: new Date(s.resolvedAt) });
  if (s.feedback) pairs.push({ key: SatisfactionScoreKey, value: s.feedback.csat });
  if (s.feedback?.nps !== undefined) pairs.push({ key: NpsScoreKey, value: s.feedback.nps });
  if (s.qaSampled !== undefined) pairs.push({ key: QaSampledKey, value: s.qaSampled });
  if (c.handlingV4) pairs.push({ key: NeedsAttentionKey, value: needsAttention(c) });
  return pairs;
}

/** The marks of `NeedsAttention`: each is work a person must do, told apart. */
export function needsAttention(c: Case): string[] {
  const s = c.s;
  const marks: string[] = [];
  if (s.replyReviews?.some((review) => review.status === 'awaiting-review')) marks.push('reply-review');
  if (s.needsHumanReview) marks.push('integration-failed');
  if (claimOpen(c)) marks.push('carrier-claim');
  // The same issue again: someone should look at why the first fix did not hold.
  if (s.input.repeatOf) marks.push('repeat-issue');
  return marks;
}

/**
 * Markdown the Web UI shows as the workflow's current details: one paragraph per fact (the UI
 * joins single lines), the last event before the table (the UI's frame clips the bottom).
 */
export function currentDetails(c: Case): string {
  const s = c.s;
  const now = nowIso();
  const paragraphs = [
    `**After-sales case** · ${s.priority} · ${s.input.category} / ${s.input.severity} (${s.input.scope})` +
      (s.input.customerGrade ? ` · ${s.input.customerGrade}-grade customer` : '') +
      (s.input.repeatOf ? ` · repeats ${s.input.repeatOf}` : ''),
    `**Stage:** ${s.stage} · **Team:** ${s.team}${s.assignee ? ` · **Assignee:** ${s.assignee}` : ''}` +
      (s.escalation !== 'none' ? ` · **Escalated to:** ${s.escalation}` : ''),
  ];
  if (s.resolution) paragraphs.push(`**Resolution:** ${s.resolution.type} (${s.resolution.status})`);
  if (s.pendingOffer)
    paragraphs.push(`**Waiting for the customer:** refund offer (${s.pendingOffer.reason})`);
  if (s.claim) {
    paragraphs.push(
      `**Carrier claim:** ${s.claim.state}${s.claim.problem ? ` · ${s.claim.problem}` : ''}` +
        (s.claim.offered ? ` · offered: ${s.claim.offered.offer}` : ''),
    );
  }
  const waitingOn = (s.collaborators ?? []).filter((entry) => !entry.answeredAt).map((entry) => entry.team);
  if (waitingOn.length > 0) paragraphs.push(`**Waiting on:** ${waitingOn.join(', ')}`);
  if (s.heldClose) paragraphs.push(`**Close held** until the claim settles: ${s.heldClose.outcome}`);
  const marks = c.handlingV4 ? needsAttention(c) : [];
  if (marks.length > 0) paragraphs.push(`**Needs attention:** ${marks.join(', ')}`);
  const last = s.timeline[s.timeline.length - 1];
  if (last) paragraphs.push(`_Last event:_ ${last.summary}`);
  const open = c.windows.all().filter(clock.isOpen);
  if (open.length > 0) {
    const rows = open.map((window) => {
      const due = c.windows.dueAt(window);
      return (
        `| ${windowLabel(window.window)} (${window.basis}) | ${due ? formatInstant(due) : '—'} | ` +
        `${formatDuration(c.windows.remaining(window, now))} | ` +
        `${window.state}${clock.isBreached(window) ? ' · **breached**' : ''} |`
      );
    });
    paragraphs.push(['| SLA window | due | left | state |', '| --- | --- | --- | --- |', ...rows].join('\n'));
  }
  return paragraphs.join('\n\n');
}

export function caseView(c: Case): CaseView {
  const s = c.s;
  const now = nowIso();
  const clocks: ClockView[] = c.windows.all().map((window) => ({
    window: window.window,
    label: windowLabel(window.window),
    basis: window.basis,
    budgetHours: window.budgetMs / 3_600_000,
    startedAt: window.startedAt,
    dueAt: c.windows.dueAt(window),
    remainingMs: c.windows.remaining(window, now),
    state: window.state,
    paused: window.state === 'paused',
    pausedSince: window.pausedSince,
    pausedMs: window.pausedMs + (window.pausedSince ? Date.parse(now) - Date.parse(window.pausedSince) : 0),
    breached: clock.isBreached(window),
    breachedAt: window.breachedAt,
    fulfilledAt: window.fulfilledAt,
    warnings: window.fired.filter((percent) => percent < 100),
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
    customerGrade: s.input.customerGrade,
    team: s.team,
    assignee: s.assignee,
    escalationLevel: s.escalation,
    clocks,
    slaBreached: c.windows.breachedWindows().length > 0,
    inWarranty: s.inWarranty,
    termsSource: s.termsSource,
    resolution: s.resolution && {
      type: s.resolution.type,
      status: s.resolution.status,
      reference: s.resolution.reference,
      at: s.resolution.at,
    },
    pendingOffer: s.pendingOffer && { kind: s.pendingOffer.kind, reason: s.pendingOffer.reason },
    complaintSteps: isComplaint(c) ? s.complaintSteps : undefined,
    feedback: s.feedback && {
      csat: s.feedback.csat,
      nps: s.feedback.nps,
      resolved: s.feedback.resolved,
      attitude: s.feedback.attitude,
      speed: s.feedback.speed,
      effectiveness: s.feedback.effectiveness,
      comment: s.feedback.comment,
    },
    reopenCount: s.reopenCount,
    qaSampled: s.qaSampled,
    needsHumanReview: s.needsHumanReview,
    needsAttention: c.handlingV4 ? needsAttention(c) : undefined,
    replyReviews: s.replyReviews,
    carrierClaim: s.claim,
    closeHeld: s.heldClose,
    pauses: s.pauses,
    pausedByReason: s.pauses ? pausedByReason(c, now) : undefined,
    collaborators: s.collaborators,
    openedAt: s.openedAt,
    closedAt: s.closedAt,
    asOf: now,
  };
}

export function caseResult(c: Case): CaseResult {
  const s = c.s;
  const breached = c.windows.breachedWindows();
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
    firstResponseMs: msBetween(
      s.openedAt,
      c.windows.all().find((window) => window.window === 'first-reply')?.fulfilledAt,
    ),
    resolutionMs: msBetween(s.openedAt, s.resolvedAt),
    windows: c.windows.all().map((window) => ({
      window: window.window,
      basis: window.basis,
      budgetMs: window.budgetMs,
      consumedMs: window.consumedMs,
      pausedMs: window.pausedMs,
      breached: clock.isBreached(window),
      state: window.state,
    })),
    resolutionType: s.resolution?.type,
    csat: s.feedback?.csat,
    nps: s.feedback?.nps,
    resolved: s.feedback?.resolved,
    ratings:
      s.feedback && (s.feedback.attitude ?? s.feedback.speed ?? s.feedback.effectiveness) !== undefined
        ? { attitude: s.feedback.attitude, speed: s.feedback.speed, effectiveness: s.feedback.effectiveness }
        : undefined,
    assignee: s.assignee,
    product: s.input.product?.sku,
    cause: s.input.cause,
    region: s.input.region,
    repeatOf: s.input.repeatOf,
    promoter: isPromoter(c),
    reopenCount: s.reopenCount,
    slaBreached: breached.length > 0,
    breachedWindows: breached,
    escalated: s.escalation !== 'none',
    qaSampled: s.qaSampled ?? false,
    openedAt: s.openedAt,
    closedAt: s.closedAt ?? nowIso(),
    ...(s.pauses ? { pausedByReason: pausedByReason(c) } : {}),
  };
}

/** The journal of a case that keeps one, for its memo at the close (`CASE_SLA_JOURNAL_MEMO`). */
export function slaJournalOf(c: Case): CaseSlaJournal {
  const s = c.s;
  return {
    version: 1,
    ...(s.input.policy ? { overrides: s.input.policy } : {}),
    ...(s.appliedTerms ? { promisedTerms: s.appliedTerms } : {}),
    ...(s.input.customerGrade ? { grade: s.input.customerGrade } : {}),
    ...(s.input.slaAtRisk ? { atRisk: true } : {}),
    calendar: s.policy.calendar,
    ladder: [...s.policy.ladder],
    entries: s.slaJournal ?? [],
  };
}
