/**
 * The what-if comparison: every closed case replayed twice, with the budgets it recorded (which
 * must give its recorded outcome back, window by window) and under a candidate policy, and the
 * two summed side by side, per team and priority, with the cases whose outcome changes.
 *
 * A candidate is a case policy override (the shape of a case's `policy` input, validated by the
 * same schema). For each case it is merged over the overrides the case ran with, then resolved
 * with the case's contract terms and grade lane exactly as the workflow resolves its policy, so
 * a contract's promised windows stay the contract's. Replays assume people acted at the same
 * instants; a window the candidate would pause differently (`pausableWindows`) still pauses as
 * recorded, and an appointment's slot stays the slot.
 */
import { type CasePolicy } from '../../workflows/after-sales-case/policy';
import { CasePolicyOverrides, resolveCasePolicy } from '../../workflows/after-sales-case/policy-overrides';
import { specAt } from '../../workflows/after-sales-case/policy-keys';
import type { CaseResult, CaseSlaJournal } from '../../workflows/after-sales-case/contract';
import { replayJournal, type ReplayedClock, type ReplayPolicy } from './replay';

/** Windows whose breach raises the case to the specialist team (windows.ts, rule AS-10). */
const NOT_ESCALATING = new Set(['revisit', 'collaboration']);

/** One closed case with its recorded figures and its journal. */
export interface JournaledCase {
  workflowId: string;
  closeTime: Date;
  result: CaseResult;
  journal: CaseSlaJournal;
}

/** What one policy did (or would have done) to a set of cases. */
export interface WhatIfTotals {
  cases: number;
  windows: number;
  /** Ladder steps below 100 % reached. */
  warnings: number;
  /** Windows breached. */
  breaches: number;
  /** Cases raised to the specialist team by a breach. */
  escalatedCases: number;
  /** People told by the ladder (a step × each audience it notifies). */
  notifications: number;
  /** Of those, told outside the calendar's business hours. */
  notificationsOutsideHours: number;
  /** Distinct clock hours (UTC) in which someone was told outside business hours. */
  hoursWokenOutsideHours: number;
}

export interface SideBySide {
  actual: WhatIfTotals;
  candidate: WhatIfTotals;
}

/** A case whose breached windows differ under the candidate. */
export interface ChangedCase {
  workflowId: string;
  caseId: string;
  team: string;
  priority: string;
  actual: string[];
  candidate: string[];
}

/** A case whose replay with its own budgets does not give its recorded outcome (should be none). */
export interface Disagreement {
  workflowId: string;
  detail: string;
}

export interface WhatIfReport {
  range: { from: string; to: string };
  candidate: CasePolicyOverrides;
  /** Closed cases listed, replayed, and left out (no journal: closed before cases kept one). */
  collection: { listed: number; replayed: number; withoutJournal: number; unreadable: number };
  /** Replays with the recorded budgets against the recorded outcomes. */
  check: { cases: number; agreeing: number; disagreements: Disagreement[] };
  totals: SideBySide;
  byTeam: Record<string, SideBySide>;
  byPriority: Record<string, SideBySide>;
  changed: ChangedCase[];
  generatedAt: string;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `top` over `base`, key by key into nested records (`firstReply.P3` alone changes P3 only);
 * a window spec, a calendar and every list are replaced whole.
 */
export function mergeOverrides(
  base: CasePolicyOverrides | undefined,
  top: CasePolicyOverrides,
): CasePolicyOverrides {
  const merge = (a: unknown, b: unknown, key: string): unknown => {
    if (b === undefined) return a;
    const whole = key === 'calendar' || (isPlainObject(b) && 'hours' in b);
    if (whole || !isPlainObject(a) || !isPlainObject(b)) return b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v, k);
    return out;
  };
  return CasePolicyOverrides.parse(merge(base ?? {}, top, ''));
}

/** The policy a case would have run under with the candidate. */
export function candidatePolicyOf(journal: CaseSlaJournal, candidate: CasePolicyOverrides): CasePolicy {
  return resolveCasePolicy(mergeOverrides(journal.overrides, candidate), journal.promisedTerms, {
    grade: journal.grade,
    atRisk: journal.atRisk,
  });
}

/** The case as it ran: its recorded budgets, calendar and ladder. */
export function recordedReplayPolicy(journal: CaseSlaJournal): ReplayPolicy {
  return { calendar: journal.calendar, ladder: journal.ladder, budget: (entry) => entry.spec };
}

/** The case under the candidate: each budget from the candidate's entry for the same key. */
export function candidateReplayPolicy(journal: CaseSlaJournal, candidate: CasePolicyOverrides): ReplayPolicy {
  const policy = candidatePolicyOf(journal, candidate);
  return {
    calendar: policy.calendar,
    ladder: policy.ladder,
    budget: (entry) => (entry.key ? (specAt(policy, entry.key) ?? entry.spec) : entry.spec),
  };
}

const breachedWindows = (clocks: readonly ReplayedClock[]) =>
  [...new Set(clocks.filter((c) => c.breached).map((c) => c.window))].sort();

function emptyTotals(): WhatIfTotals {
  return {
    cases: 0,
    windows: 0,
    warnings: 0,
    breaches: 0,
    escalatedCases: 0,
    notifications: 0,
    notificationsOutsideHours: 0,
    hoursWokenOutsideHours: 0,
  };
}

/** Sums the clocks of cases; `hours` collects the distinct hours woken across the same totals. */
function add(totals: WhatIfTotals, hours: Set<string>, clocks: readonly ReplayedClock[]): void {
  totals.cases += 1;
  totals.windows += clocks.length;
  let escalated = false;
  for (const c of clocks) {
    if (c.breached) totals.breaches += 1;
    if (c.breached && !NOT_ESCALATING.has(c.window)) escalated = true;
    for (const step of c.steps) {
      if (!step.breach) totals.warnings += 1;
      totals.notifications += step.notify.length;
      if (step.outsideBusinessHours && step.notify.length > 0) {
        totals.notificationsOutsideHours += step.notify.length;
        hours.add(step.at.slice(0, 13));
      }
    }
  }
  if (escalated) totals.escalatedCases += 1;
  totals.hoursWokenOutsideHours = hours.size;
}

/** Compares one case's replay with its own budgets to what it recorded, clock by clock. */
function disagreement(entry: JournaledCase, replayed: readonly ReplayedClock[]): string | undefined {
  const recorded = entry.result.windows;
  if (recorded.length !== replayed.length) {
    return `${recorded.length} windows recorded, ${replayed.length} replayed`;
  }
  const differing = recorded.flatMap((window, index) => {
    const again = replayed[index]!;
    if (again.window !== window.window)
      return [`window ${index + 1}: ${window.window} recorded, ${again.window} replayed`];
    if (again.breached !== window.breached || again.state !== window.state) {
      return [
        `${window.window}: recorded ${window.state}${window.breached ? ', breached' : ''}; ` +
          `replayed ${again.state}${again.breached ? ', breached' : ''}`,
      ];
    }
    return [];
  });
  return differing.length > 0 ? differing.join('; ') : undefined;
}

/** Replays every case twice and sums the two side by side. */
export function compareOutcomes(
  cases: readonly JournaledCase[],
  candidate: CasePolicyOverrides,
  meta: { range: { from: Date; to: Date }; withoutJournal: number; unreadable: number; generatedAt?: Date },
): WhatIfReport {
  const totals: SideBySide = { actual: emptyTotals(), candidate: emptyTotals() };
  const totalHours = { actual: new Set<string>(), candidate: new Set<string>() };
  const groups = { byTeam: new Map<string, SideBySide>(), byPriority: new Map<string, SideBySide>() };
  const groupHours = new Map<SideBySide, { actual: Set<string>; candidate: Set<string> }>();
  const groupOf = (map: Map<string, SideBySide>, key: string) => {
    let group = map.get(key);
    if (!group) {
      group = { actual: emptyTotals(), candidate: emptyTotals() };
      map.set(key, group);
      groupHours.set(group, { actual: new Set(), candidate: new Set() });
    }
    return group;
  };
  const changed: ChangedCase[] = [];
  const disagreements: Disagreement[] = [];

  for (const entry of cases) {
    const until = entry.result.closedAt;
    const actual = replayJournal(entry.journal.entries, recordedReplayPolicy(entry.journal), until);
    const instead = replayJournal(
      entry.journal.entries,
      candidateReplayPolicy(entry.journal, candidate),
      until,
    );
    const detail = disagreement(entry, actual);
    if (detail) disagreements.push({ workflowId: entry.workflowId, detail });
    add(totals.actual, totalHours.actual, actual);
    add(totals.candidate, totalHours.candidate, instead);
    for (const group of [
      groupOf(groups.byTeam, entry.result.team),
      groupOf(groups.byPriority, entry.result.priority),
    ]) {
      const hours = groupHours.get(group)!;
      add(group.actual, hours.actual, actual);
      add(group.candidate, hours.candidate, instead);
    }
    const [before, after] = [breachedWindows(actual), breachedWindows(instead)];
    if (before.join() !== after.join()) {
      changed.push({
        workflowId: entry.workflowId,
        caseId: entry.result.caseId,
        team: entry.result.team,
        priority: entry.result.priority,
        actual: before,
        candidate: after,
      });
    }
  }
  const sorted = (map: Map<string, SideBySide>) =>
    Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    range: { from: meta.range.from.toISOString(), to: meta.range.to.toISOString() },
    candidate,
    collection: {
      listed: cases.length + meta.withoutJournal + meta.unreadable,
      replayed: cases.length,
      withoutJournal: meta.withoutJournal,
      unreadable: meta.unreadable,
    },
    check: { cases: cases.length, agreeing: cases.length - disagreements.length, disagreements },
    totals,
    byTeam: sorted(groups.byTeam),
    byPriority: sorted(groups.byPriority),
    changed,
    generatedAt: (meta.generatedAt ?? new Date()).toISOString(),
  };
}
