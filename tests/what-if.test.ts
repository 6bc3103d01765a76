/**
 * The what-if replay on journals written by hand: the same clock and calendar code the case
 * runs, so business hours, pauses, rebudgets and the ladder land on the instants the workflow
 * would have reached; a candidate's budgets, calendar and ladder change them; a replay that does
 * not give a case's recorded outcome back is reported, not hidden. (On real cases:
 * `what-if.dev-server.test.ts`.)
 */
import { describe, expect, it } from 'vitest';
import {
  compareOutcomes,
  mergeOverrides,
  recordedReplayPolicy,
  candidateReplayPolicy,
  type JournaledCase,
} from '../lib/what-if/engine';
import { replayJournal } from '../lib/what-if/replay';
import { DEFAULT_CASE_POLICY } from '../workflows/after-sales-case/policy';
import { type CasePolicyOverrides } from '../workflows/after-sales-case/policy-overrides';
import type { CaseResult, CaseSlaJournal } from '../workflows/after-sales-case/contract';
import type { SlaJournalEntry } from '../workflows/kernel/sla-journal';

/** Shanghai wall time on Monday 7 December 2026 (+1 day per `day`), as an instant (UTC+8). */
const shanghai = (time: string, day = 0) =>
  new Date(Date.parse(`2026-12-07T${time}:00+08:00`) + day * 86_400_000).toISOString();

const FOUR_BUSINESS_HOURS = { hours: 4, basis: 'business' as const };

/** A P3 case opened Monday 17:00, answered Tuesday 11:30 (3.5 business hours), closed Tuesday noon. */
const answeredNextMorning: SlaJournalEntry[] = [
  {
    op: 'start',
    at: shanghai('17:00'),
    window: 'first-reply',
    spec: FOUR_BUSINESS_HOURS,
    key: 'firstReply.P3',
  },
  { op: 'fulfil', at: shanghai('11:30', 1), window: 'first-reply' },
];
const CLOSED = shanghai('12:00', 1);

function journal(entries: SlaJournalEntry[], extra: Partial<CaseSlaJournal> = {}): CaseSlaJournal {
  return {
    version: 1,
    calendar: DEFAULT_CASE_POLICY.calendar,
    ladder: [...DEFAULT_CASE_POLICY.ladder],
    entries,
    ...extra,
  };
}

/** What a case recorded about its windows, as its memo carries it. */
function recorded(id: string, windows: { window: string; breached: boolean; state: string }[]): CaseResult {
  return {
    caseId: id,
    customerId: `C-${id}`,
    outcome: 'closed-by-ops',
    priority: 'P3',
    channel: 'email',
    category: 'technical',
    severity: 'function-failure',
    team: 'senior-engineers',
    windows: windows.map((w) => ({ ...w, basis: 'business', budgetMs: 0, consumedMs: 0, pausedMs: 0 })),
    reopenCount: 0,
    slaBreached: windows.some((w) => w.breached),
    breachedWindows: windows.filter((w) => w.breached).map((w) => w.window),
    escalated: false,
    qaSampled: false,
    promoter: false,
    openedAt: shanghai('17:00'),
    closedAt: CLOSED,
  } as CaseResult;
}

describe('a journal replayed on the clock code', () => {
  // Asserts the numbers of docs/rules.md OU-1.
  it('with its own budgets gives the case back: 3.5 of 4 business hours, warned at 50 and 75 %, not breached', () => {
    const [firstReply] = replayJournal(
      answeredNextMorning,
      recordedReplayPolicy(journal(answeredNextMorning)),
      CLOSED,
    );
    expect(firstReply).toMatchObject({ window: 'first-reply', state: 'fulfilled', breached: false });
    // 50 % = 2 h: the hour left on Monday, then Tuesday 09:00–10:00; 75 % at 11:00.
    expect(firstReply!.steps.map((step) => [step.percent, step.at])).toEqual([
      [50, shanghai('10:00', 1)],
      [75, shanghai('11:00', 1)],
    ]);
  });

  // Asserts the numbers of docs/rules.md OU-1.
  it('under a stricter window breaches where the case did not: P3 in 2 business hours is late at Tuesday 10:00', () => {
    const candidate: CasePolicyOverrides = { firstReply: { P3: { hours: 2, basis: 'business' } } };
    const [firstReply] = replayJournal(
      answeredNextMorning,
      candidateReplayPolicy(journal(answeredNextMorning), candidate),
      CLOSED,
    );
    expect(firstReply).toMatchObject({ spec: { hours: 2 }, state: 'fulfilled', breached: true });
    expect(firstReply!.steps.map((step) => [step.percent, step.at, step.outsideBusinessHours])).toEqual([
      // 1 h in: Monday 18:00, the desk's closing minute, which is already outside its hours.
      [50, shanghai('18:00'), true],
      [75, shanghai('09:30', 1), false],
      [90, shanghai('09:48', 1), false],
      [100, shanghai('10:00', 1), false],
    ]);
  });

  // Asserts the numbers of docs/rules.md OU-1.
  it('under a longer business day the evening counts: the desk open until 20:00 breaches the same 4 hours at Tuesday 10:00', () => {
    const candidate: CasePolicyOverrides = {
      calendar: { ...DEFAULT_CASE_POLICY.calendar, closesAt: '20:00' },
    };
    const [firstReply] = replayJournal(
      answeredNextMorning,
      candidateReplayPolicy(journal(answeredNextMorning), candidate),
      CLOSED,
    );
    expect(firstReply!.breached).toBe(true);
    expect(firstReply!.steps.find((step) => step.percent === 100)!.at).toBe(shanghai('10:00', 1));
  });

  it('stops the clock while it was paused and lands a rebudget on the consumed time, as the workflow does', () => {
    const entries: SlaJournalEntry[] = [
      {
        op: 'start',
        at: shanghai('09:00'),
        window: 'resolution',
        spec: FOUR_BUSINESS_HOURS,
        key: 'resolution.P3',
      },
      { op: 'pause', at: shanghai('10:00'), window: 'resolution' },
      { op: 'resume', at: shanghai('15:00'), window: 'resolution' },
      // Reclassified to a 2-hour window with 1.5 h consumed: the 50 and 75 % steps are due at once.
      { op: 'rebudget', at: shanghai('15:30'), window: 'resolution', spec: { hours: 2, basis: 'business' } },
      { op: 'fulfil', at: shanghai('16:30'), window: 'resolution' },
    ];
    const [resolution] = replayJournal(entries, recordedReplayPolicy(journal(entries)), shanghai('17:00'));
    expect(resolution!.steps.map((step) => [step.percent, step.at])).toEqual([
      [50, shanghai('15:30')],
      [75, shanghai('15:30')],
      // 1 h consumed before the pause: 0.8 h after 15:00 is 90 % of 2 h.
      [90, shanghai('15:48')],
      [100, shanghai('16:00')],
    ]);
    expect(resolution).toMatchObject({ state: 'fulfilled', breached: true });
  });
});

describe('comparing a period', () => {
  const cases: JournaledCase[] = [
    {
      workflowId: 'case-A',
      closeTime: new Date(CLOSED),
      result: recorded('A', [{ window: 'first-reply', breached: false, state: 'fulfilled' }]),
      journal: journal(answeredNextMorning),
    },
    {
      // The same events, but its record claims a breach the replay does not find.
      workflowId: 'case-B',
      closeTime: new Date(CLOSED),
      result: recorded('B', [{ window: 'first-reply', breached: true, state: 'fulfilled' }]),
      journal: journal(answeredNextMorning),
    },
  ];
  const meta = {
    range: { from: new Date(shanghai('00:00')), to: new Date(shanghai('00:00', 2)) },
    withoutJournal: 1,
    unreadable: 0,
  };

  // Asserts the numbers of docs/rules.md OU-1.
  it('sums both policies side by side per team and priority, lists the cases whose outcome changes, and names a replay that disagrees with its record', () => {
    const report = compareOutcomes(cases, { firstReply: { P3: { hours: 2, basis: 'business' } } }, meta);
    expect(report.collection).toEqual({ listed: 3, replayed: 2, withoutJournal: 1, unreadable: 0 });
    expect(report.check).toEqual({
      cases: 2,
      agreeing: 1,
      disagreements: [
        { workflowId: 'case-B', detail: 'first-reply: recorded fulfilled, breached; replayed fulfilled' },
      ],
    });
    expect(report.totals.actual).toMatchObject({
      cases: 2,
      windows: 2,
      warnings: 4,
      breaches: 0,
      escalatedCases: 0,
    });
    expect(report.totals.candidate).toMatchObject({ cases: 2, breaches: 2, warnings: 6, escalatedCases: 2 });
    // The 50 % warning (assignee) at Monday 18:00 and nothing else outside hours; one clock hour.
    expect(report.totals.candidate).toMatchObject({
      notificationsOutsideHours: 2,
      hoursWokenOutsideHours: 1,
    });
    expect(report.byTeam['senior-engineers']!.candidate.breaches).toBe(2);
    expect(report.byPriority.P3!.actual.breaches).toBe(0);
    expect(report.changed.map((c) => [c.workflowId, c.actual, c.candidate])).toEqual([
      ['case-A', [], ['first-reply']],
      ['case-B', [], ['first-reply']],
    ]);
  });

  it('merges a candidate over the case’s own overrides entry by entry; a calendar is replaced whole', () => {
    const own: CasePolicyOverrides = {
      firstReply: { P1: { hours: 1, basis: 'calendar' }, P3: { hours: 8, basis: 'business' } },
      calendar: { ...DEFAULT_CASE_POLICY.calendar, holidays: ['2026-12-25'] },
    };
    const merged = mergeOverrides(own, {
      firstReply: { P3: { hours: 2, basis: 'business' } },
      calendar: { ...DEFAULT_CASE_POLICY.calendar, closesAt: '20:00' },
    });
    expect(merged.firstReply).toEqual({
      P1: { hours: 1, basis: 'calendar' },
      P3: { hours: 2, basis: 'business' },
    });
    expect(merged.calendar).toEqual({ ...DEFAULT_CASE_POLICY.calendar, closesAt: '20:00' });
  });
});
