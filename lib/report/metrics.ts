/**
 * The analyst report's numbers, computed from `CaseResult`s (what every closed `afterSalesCase`
 * returns). Everything here is a pure function of its input: no clock, no I/O.
 *
 * Definitions (the README's "Analyst report" section says the same for analysts):
 *
 * - **Cases**: closed cases whose result was read, attributed to the team that owned the case
 *   when it closed (a reopened case belongs to the specialist team or management by then).
 * - **SLA compliance** of a window name: `met / (met + missed)` over every occurrence of that
 *   window (windows repeat after a reopen), where
 *   - *met* = the window ended `fulfilled` and was never breached;
 *   - *missed* = the window was breached, whatever its final state: fulfilled late, cancelled
 *     after the breach (e.g. the case was closed by ops) or still open;
 *   - a window `cancelled` without a breach (its obligation went away: the case was closed, or a
 *     repair window superseded the resolution window) counts in neither, and neither does a
 *     window still running or paused without a breach. Both are reported separately
 *     (`cancelled`, `open`) so the denominator is transparent.
 *   `all` is the same over every window of every name.
 * - **First response / resolution**: wall-clock time from opening to the first reply
 *   (`firstResponseMs`) and to the last resolution (`resolutionMs`), over the cases that have the
 *   value. Median and p90 use the **nearest-rank** method: sort the n values ascending; the p-th
 *   percentile is the value at 1-based rank `ceil(p / 100 × n)` (so the median of an even count
 *   is the lower of the two middle values, and every percentile is an observed value).
 * - **CSAT**: average of the answered cases' final CSAT (1–5); *satisfaction rate* = share of
 *   answered cases with CSAT ≥ 4. A case reopened and then closed without a new answer has no
 *   CSAT (the earlier answer was superseded) and is not an answer.
 * - **NPS** = % promoters (9–10) − % detractors (0–6) among the cases that gave an NPS answer,
 *   from −100 to 100.
 * - **Escalation rate**: share of cases escalated beyond their first owner at any point.
 * - **Reopen rate**: share of cases reopened at least once.
 * - **Areas**: every team, category, priority and channel value. One with at least `minAnswers`
 *   CSAT answers and a satisfaction rate below `satisfactionTarget` (80 %) is flagged for
 *   root-cause analysis ("satisfaction below 80 % in an area triggers root-cause analysis"), and
 *   so is one with at least `minAnswers` NPS answers and an NPS below `npsTarget` (0: more
 *   detractors than promoters; ours); one with too few of both is listed under `tooFewAnswers`.
 *
 * Rates are fractions from 0 to 1 and are `null` when their denominator is 0; durations are
 * milliseconds and `null` when there is no value.
 */
import type { CaseOutcome, CaseResult } from '../../workflows/after-sales-case/contract';
import { IssueCategory, PauseReason, WindowName } from '../../workflows/after-sales-case/policy';
import { Channel, Priority, Team } from '../../workflows/kernel/contract';

/** Version of the JSON shape below; bumped on any incompatible change. */
import type { AnalysesSummary } from './analyses';
import type { QaReviewsSummary } from './qa-reviews';
import type { CustomerAtRisk } from './at-risk';
import { distribution, type Distribution } from './stats';

export { distribution, percentile, type Distribution } from './stats';
import type { PresalesMetrics } from './presales';

export const REPORT_SCHEMA_VERSION = 1;

/** "Satisfaction below 80 % in an area triggers root-cause analysis" (rule LE-4). */
export const DEFAULT_SATISFACTION_TARGET = 0.8;
/** Areas with fewer CSAT answers than this are "too few answers", never flagged. */
export const DEFAULT_MIN_ANSWERS = 3;
/** CSAT at or above this counts as satisfied. */
export const SATISFIED_CSAT = 4;

export interface Compliance {
  /** Windows fulfilled without a breach. */
  met: number;
  /** Windows breached (fulfilled late, cancelled after the breach, or still open). */
  missed: number;
  /** Windows cancelled without a breach: in neither `met` nor `missed`. */
  cancelled: number;
  /** Windows still running or paused without a breach: in neither `met` nor `missed`. */
  open: number;
  /** `met / (met + missed)`, or null when both are 0. */
  rate: number | null;
}

export interface CsatMetrics {
  /** Cases with a CSAT answer. */
  answers: number;
  average: number | null;
  /** Answers with CSAT ≥ 4. */
  satisfied: number;
  /** `satisfied / answers`. */
  satisfactionRate: number | null;
}

export interface NpsMetrics {
  answers: number;
  /** 9–10 */
  promoters: number;
  /** 7–8 */
  passives: number;
  /** 0–6 */
  detractors: number;
  /** % promoters − % detractors, −100…100. */
  score: number | null;
}

export interface CountRate {
  count: number;
  /** `count / cases`. */
  rate: number | null;
}

export interface GroupMetrics {
  cases: number;
  outcomes: Record<CaseOutcome, number>;
  slaCompliance: {
    all: Compliance;
    /** Every window name, always present. */
    byWindow: Record<WindowName, Compliance>;
  };
  firstResponseMs: Distribution;
  resolutionMs: Distribution;
  csat: CsatMetrics;
  nps: NpsMetrics;
  escalation: CountRate;
  reopen: CountRate;
  /**
   * Resolved: the customer's last answer said so, or, without an answer, a resolution was
   * carried out (rule LE-5's "resolution rate").
   */
  resolution: CountRate;
  /** Cases that repeat an earlier case of the same customer and product (or category). */
  repeat: CountRate;
  /** The last answer's ratings in dimensions (rule X7): answers and average, 1–5. */
  ratings: Record<RatingDimension, { answers: number; average: number | null }>;
  /** Cases drawn into the QA sample. */
  qaSampled: number;
}

export type RatingDimension = 'attitude' | 'speed' | 'effectiveness';
const RATING_DIMENSIONS: readonly RatingDimension[] = ['attitude', 'speed', 'effectiveness'];

/** A case that repeats an earlier one: the same customer and product (else category) within the window. */
export interface RepeatIssue {
  caseId: string;
  repeats: string;
  customerId: string;
  /** The product's SKU, or the category when no product was named. */
  subject: string;
  /** Days between the two cases' openings. */
  days: number;
}

export type AreaDimension = 'team' | 'category' | 'priority' | 'channel';
export const AREA_DIMENSIONS: readonly AreaDimension[] = ['team', 'category', 'priority', 'channel'];

/** "The same issue reported again" (rule LE-5): a case within this many days of the earlier one. */
export const DEFAULT_REPEAT_WINDOW_DAYS = 30;

export interface Area {
  dimension: AreaDimension;
  value: string;
  cases: number;
  answers: number;
  satisfied: number;
  satisfactionRate: number | null;
  npsAnswers: number;
  nps: number | null;
  /** What put a flagged area below target: its CSAT satisfaction rate, its NPS, or both. */
  below: ('csat' | 'nps')[];
}

/** An area's NPS below this (with enough answers) flags it too (ours: more detractors than promoters). */
export const DEFAULT_NPS_TARGET = 0;

export interface QaSampleEntry {
  caseId: string;
  team: string;
  priority: string;
  category: string;
  outcome: CaseOutcome;
  closedAt: string;
}

export interface CaseMetrics {
  settings: { minAnswers: number; satisfactionTarget: number; npsTarget: number; repeatWindowDays: number };
  overall: GroupMetrics;
  /** Keyed by the values that occur (teams, categories, priorities, channels), in contract order. */
  byTeam: Record<string, GroupMetrics>;
  byCategory: Record<string, GroupMetrics>;
  byPriority: Record<string, GroupMetrics>;
  byChannel: Record<string, GroupMetrics>;
  /** Per person who handled the case last (a staff id, or the team's queue). */
  byAssignee: Record<string, GroupMetrics>;
  /** Per the customer's sales region (`(none)` for customers without one). */
  byRegion: Record<string, GroupMetrics>;
  /** Cases that repeat an earlier case of the range, with the case they repeat. */
  repeatIssues: RepeatIssue[];
  areas: {
    /** Enough answers and satisfaction rate below the target: root-cause analysis. Worst first. */
    flagged: Area[];
    /** Fewer than `minAnswers` answers: not judged. */
    tooFewAnswers: Area[];
  };
  /** Cases drawn for quality review, oldest close first. */
  qaSample: QaSampleEntry[];
  /**
   * Time cases spent paused, per reason (rule OU-3): cases that paused for it, the total and the
   * median per pausing case. Only cases since pause-reasons say why they paused.
   */
  pauses: Record<string, PauseMetrics>;
}

export interface PauseMetrics {
  cases: number;
  totalMs: number;
  medianMs: number | null;
}

/** Paused time per reason over the cases that account it, reasons in the policy's order. */
export function pauseMetrics(cases: readonly CaseResult[]): Record<string, PauseMetrics> {
  const perReason = new Map<string, number[]>();
  for (const reason of PauseReason.options) perReason.set(reason, []);
  for (const result of cases) {
    for (const [reason, ms] of Object.entries(result.pausedByReason ?? {})) {
      if (ms !== undefined && ms > 0) perReason.get(reason)?.push(ms);
    }
  }
  return Object.fromEntries(
    [...perReason.entries()]
      .filter(([, values]) => values.length > 0)
      .map(([reason, values]) => [
        reason,
        {
          cases: values.length,
          totalMs: values.reduce((sum, ms) => sum + ms, 0),
          medianMs: distribution(values).median,
        },
      ]),
  );
}

export interface MetricsOptions {
  /** Default 3. */
  minAnswers?: number;
  /** Default 0.8. */
  satisfactionTarget?: number;
  /** Default 0. */
  npsTarget?: number;
  /** Default 30. */
  repeatWindowDays?: number;
  /** The weekly draw's case ids: the QA sample (else the cases' own draws). */
  qaSampleIds?: readonly string[];
}

const OUTCOMES: readonly CaseOutcome[] = [
  'closed-satisfied',
  'closed-unsatisfied',
  'closed-no-feedback',
  'closed-by-ops',
];

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function emptyCompliance(): Compliance {
  return { met: 0, missed: 0, cancelled: 0, open: 0, rate: null };
}

/** SLA compliance per window name and over all windows (see the module comment for the rule). */
export function slaCompliance(cases: readonly CaseResult[]): GroupMetrics['slaCompliance'] {
  const byWindow = Object.fromEntries(WindowName.options.map((name) => [name, emptyCompliance()])) as Record<
    WindowName,
    Compliance
  >;
  const all = emptyCompliance();
  for (const result of cases) {
    for (const window of result.windows) {
      const kind = window.breached
        ? 'missed'
        : window.state === 'fulfilled'
          ? 'met'
          : window.state === 'cancelled'
            ? 'cancelled'
            : 'open';
      byWindow[window.window][kind] += 1;
      all[kind] += 1;
    }
  }
  for (const compliance of [all, ...Object.values(byWindow)]) {
    compliance.rate = ratio(compliance.met, compliance.met + compliance.missed);
  }
  return { all, byWindow };
}

export function csatMetrics(cases: readonly CaseResult[]): CsatMetrics {
  const answers = cases.flatMap((result) => (result.csat === undefined ? [] : [result.csat]));
  const satisfied = answers.filter((csat) => csat >= SATISFIED_CSAT).length;
  return {
    answers: answers.length,
    average: answers.length === 0 ? null : answers.reduce((sum, csat) => sum + csat, 0) / answers.length,
    satisfied,
    satisfactionRate: ratio(satisfied, answers.length),
  };
}

export function npsMetrics(cases: readonly CaseResult[]): NpsMetrics {
  const answers = cases.flatMap((result) => (result.nps === undefined ? [] : [result.nps]));
  const promoters = answers.filter((nps) => nps >= 9).length;
  const detractors = answers.filter((nps) => nps <= 6).length;
  return {
    answers: answers.length,
    promoters,
    passives: answers.length - promoters - detractors,
    detractors,
    score: answers.length === 0 ? null : ((promoters - detractors) / answers.length) * 100,
  };
}

/** Every number of one group of cases (all of them, one team, one category…). */
export function groupMetrics(
  cases: readonly CaseResult[],
  repeats: ReadonlySet<string> = new Set(),
): GroupMetrics {
  const outcomes = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<CaseOutcome, number>;
  for (const result of cases) outcomes[result.outcome] += 1;
  const defined = (values: (number | undefined)[]) =>
    values.filter((value): value is number => value !== undefined);
  const escalated = cases.filter((result) => result.escalated).length;
  const reopened = cases.filter((result) => result.reopenCount > 0).length;
  const resolved = cases.filter(isResolved).length;
  const repeated = cases.filter((result) => repeats.has(result.caseId)).length;
  return {
    cases: cases.length,
    outcomes,
    slaCompliance: slaCompliance(cases),
    firstResponseMs: distribution(defined(cases.map((result) => result.firstResponseMs))),
    resolutionMs: distribution(defined(cases.map((result) => result.resolutionMs))),
    csat: csatMetrics(cases),
    nps: npsMetrics(cases),
    escalation: { count: escalated, rate: ratio(escalated, cases.length) },
    reopen: { count: reopened, rate: ratio(reopened, cases.length) },
    resolution: { count: resolved, rate: ratio(resolved, cases.length) },
    repeat: { count: repeated, rate: ratio(repeated, cases.length) },
    ratings: Object.fromEntries(
      RATING_DIMENSIONS.map((dimension) => {
        const answers = defined(cases.map((result) => result.ratings?.[dimension]));
        const average =
          answers.length === 0 ? null : answers.reduce((sum, value) => sum + value, 0) / answers.length;
        return [dimension, { answers: answers.length, average }];
      }),
    ) as GroupMetrics['ratings'],
    qaSampled: cases.filter((result) => result.qaSampled).length,
  };
}

/** The field of a result each area dimension groups by. */
const DIMENSION_FIELD = {
  team: 'team',
  category: 'category',
  priority: 'priority',
  channel: 'channel',
} as const satisfies Record<AreaDimension, keyof CaseResult>;

/** Order of the values in the contract's enums, so breakdowns read the same every time. */
const VALUE_ORDER: Record<AreaDimension, readonly string[]> = {
  team: Team.options,
  category: IssueCategory.options,
  priority: Priority.options,
  channel: Channel.options,
};

function groupBy(cases: readonly CaseResult[], dimension: AreaDimension): Map<string, CaseResult[]> {
  const order = VALUE_ORDER[dimension];
  const rank = (value: string) => (order.includes(value) ? order.indexOf(value) : order.length);
  const groups = new Map<string, CaseResult[]>();
  for (const result of cases) {
    const value = result[DIMENSION_FIELD[dimension]];
    const group = groups.get(value);
    if (group) group.push(result);
    else groups.set(value, [result]);
  }
  return new Map([...groups].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Flags the areas below the satisfaction target and lists those with too few answers. Areas are
 * the values that occur among `cases`.
 */
export function assessAreas(
  cases: readonly CaseResult[],
  options: MetricsOptions = {},
): CaseMetrics['areas'] {
  const { minAnswers, satisfactionTarget, npsTarget } = settingsOf(options);
  const flagged: Area[] = [];
  const tooFewAnswers: Area[] = [];
  for (const dimension of AREA_DIMENSIONS) {
    for (const [value, group] of groupBy(cases, dimension)) {
      const csat = csatMetrics(group);
      const nps = npsMetrics(group);
      const below: Area['below'] = [];
      if (
        csat.answers >= minAnswers &&
        csat.satisfactionRate !== null &&
        csat.satisfactionRate < satisfactionTarget
      )
        below.push('csat');
      if (nps.answers >= minAnswers && nps.score !== null && nps.score < npsTarget) below.push('nps');
      const area: Area = {
        dimension,
        value,
        cases: group.length,
        answers: csat.answers,
        satisfied: csat.satisfied,
        satisfactionRate: csat.satisfactionRate,
        npsAnswers: nps.answers,
        nps: nps.score,
        below,
      };
      if (below.length > 0) flagged.push(area);
      else if (csat.answers < minAnswers && nps.answers < minAnswers) tooFewAnswers.push(area);
    }
  }
  // Worst first; ties keep dimension order (sort is stable).
  flagged.sort((a, b) => (a.satisfactionRate ?? 0) - (b.satisfactionRate ?? 0));
  return { flagged, tooFewAnswers };
}

/**
 * The QA sample: the cases the weekly draw chose, and those their own policy drew (a case policy
 * naming a rate, and every case closed before the weekly draw).
 */
export function qaSample(cases: readonly CaseResult[], drawn: readonly string[] = []): QaSampleEntry[] {
  const chosen = new Set(drawn);
  return cases
    .filter((result) => chosen.has(result.caseId) || result.qaSampled)
    .map((result) => ({
      caseId: result.caseId,
      team: result.team,
      priority: result.priority,
      category: result.category,
      outcome: result.outcome,
      closedAt: result.closedAt,
    }))
    .sort((a, b) => Date.parse(a.closedAt) - Date.parse(b.closedAt) || (a.caseId < b.caseId ? -1 : 1));
}

function settingsOf(options: MetricsOptions): CaseMetrics['settings'] {
  const minAnswers = options.minAnswers ?? DEFAULT_MIN_ANSWERS;
  const satisfactionTarget = options.satisfactionTarget ?? DEFAULT_SATISFACTION_TARGET;
  if (!Number.isInteger(minAnswers) || minAnswers < 1) {
    throw new RangeError(`minAnswers must be a whole number of at least 1, got ${minAnswers}`);
  }
  if (!(satisfactionTarget > 0 && satisfactionTarget <= 1)) {
    throw new RangeError(`satisfactionTarget must be in (0, 1], got ${satisfactionTarget}`);
  }
  const npsTarget = options.npsTarget ?? DEFAULT_NPS_TARGET;
  if (!(npsTarget >= -100 && npsTarget <= 100))
    throw new RangeError(`npsTarget must be within −100…100, got ${npsTarget}`);
  const repeatWindowDays = options.repeatWindowDays ?? DEFAULT_REPEAT_WINDOW_DAYS;
  if (!(repeatWindowDays > 0))
    throw new RangeError(`repeatWindowDays must be above 0, got ${repeatWindowDays}`);
  return { minAnswers, satisfactionTarget, npsTarget, repeatWindowDays };
}

function breakdown(
  cases: readonly CaseResult[],
  dimension: AreaDimension,
  repeats: ReadonlySet<string>,
): Record<string, GroupMetrics> {
  return Object.fromEntries(
    [...groupBy(cases, dimension)].map(([value, group]) => [value, groupMetrics(group, repeats)]),
  );
}

/** A breakdown by a field with open-ended values (people, regions), in their sorted order. */
function byField(
  cases: readonly CaseResult[],
  repeats: ReadonlySet<string>,
  key: (result: CaseResult) => string,
): Record<string, GroupMetrics> {
  const groups = new Map<string, CaseResult[]>();
  for (const result of cases) {
    const who = key(result);
    groups.set(who, [...(groups.get(who) ?? []), result]);
  }
  return Object.fromEntries(
    [...groups]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([who, group]) => [who, groupMetrics(group, repeats)]),
  );
}

/** Resolved by the customer's word, or (no answer) by a resolution carried out. */
function isResolved(result: CaseResult): boolean {
  return result.resolved ?? result.resolutionType !== undefined;
}

/**
 * The cases that repeat an earlier one: opened within `days` of an earlier case of the same
 * customer about the same product (or, without a product, the same category). Only the cases of
 * the report are compared.
 */
export function repeatIssues(cases: readonly CaseResult[], days = DEFAULT_REPEAT_WINDOW_DAYS): RepeatIssue[] {
  const subjectOf = (result: CaseResult) => result.product ?? result.category;
  const byOpening = [...cases].sort((a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt));
  const repeats: RepeatIssue[] = [];
  byOpening.forEach((result, index) => {
    const opened = Date.parse(result.openedAt);
    for (let earlier = index - 1; earlier >= 0; earlier--) {
      const candidate = byOpening[earlier]!;
      const gap = (opened - Date.parse(candidate.openedAt)) / 86_400_000;
      if (gap > days) break;
      if (candidate.customerId === result.customerId && subjectOf(candidate) === subjectOf(result)) {
        repeats.push({
          caseId: result.caseId,
          repeats: candidate.caseId,
          customerId: result.customerId,
          subject: subjectOf(result),
          days: Math.round(gap * 10) / 10,
        });
        break;
      }
    }
  });
  return repeats;
}

/** Every number of the report, overall and per team, category, priority and channel. */
export function computeMetrics(cases: readonly CaseResult[], options: MetricsOptions = {}): CaseMetrics {
  const settings = settingsOf(options);
  const repeats = repeatIssues(cases, settings.repeatWindowDays);
  const repeated = new Set(repeats.map((repeat) => repeat.caseId));
  return {
    settings,
    overall: groupMetrics(cases, repeated),
    byTeam: breakdown(cases, 'team', repeated),
    byCategory: breakdown(cases, 'category', repeated),
    byPriority: breakdown(cases, 'priority', repeated),
    byChannel: breakdown(cases, 'channel', repeated),
    byAssignee: byField(cases, repeated, (result) => result.assignee ?? '(unassigned)'),
    byRegion: byField(cases, repeated, (result) => result.region ?? '(none)'),
    repeatIssues: repeats,
    areas: assessAreas(cases, settings),
    qaSample: qaSample(cases, options.qaSampleIds),
    pauses: pauseMetrics(cases),
  };
}

// ---------------------------------------------------------------------------------------------
// The whole report: the metrics plus where they come from

/** A closed case whose result could not be used. */
export interface SkippedCase {
  workflowId: string;
  runId: string;
  /** `unreadable`: the result could not be read or decoded; `invalid`: not a CaseResult. */
  reason: 'unreadable' | 'invalid';
  detail: string;
}

export interface OpenCases {
  /** Open (running) cases that started before the end of the range. */
  total: number;
  /** By the `CaseStage` search attribute; every stage is present. */
  byStage: Record<string, number>;
  /** Open cases without a `CaseStage` (just started). */
  unknownStage: number;
}

export interface Report extends CaseMetrics {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  generatedAt: string;
  /** Cases that closed in `[from, to)`. */
  range: { from: string; to: string };
  collection: {
    /** Completed cases the visibility listing returned for the range. */
    listed: number;
    /** Results read and valid: the cases every number is computed from. */
    read: number;
    skipped: number;
    skippedCases: SkippedCase[];
  };
  openCases: OpenCases;
  /** Pre-sales figures of the same range, from the journeys' memos (null when not collected). */
  presales: PresalesMetrics | null;
  /** Root-cause analyses: open (and overdue) now, closed in the range (null when not collected). */
  rootCauseAnalyses: AnalysesSummary | null;
  /** QA reviews finished in the range with their scores, and those open (null when not collected). */
  qaReviews: QaReviewsSummary | null;
  /** Customers at SLA risk now (rule OU-2; null when not collected). */
  customersAtRisk: CustomerAtRisk[] | null;
}

export interface ReportInput {
  results: readonly CaseResult[];
  range: { from: Date; to: Date };
  generatedAt: Date;
  skipped?: readonly SkippedCase[];
  openCases: OpenCases;
  presales?: PresalesMetrics;
  rootCauseAnalyses?: AnalysesSummary;
  qaReviews?: QaReviewsSummary;
  customersAtRisk?: CustomerAtRisk[];
  options?: MetricsOptions;
}

/** Assembles the report (pure: the caller provides the time of generation). */
export function buildReport(input: ReportInput): Report {
  const skipped = input.skipped ?? [];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: input.generatedAt.toISOString(),
    range: { from: input.range.from.toISOString(), to: input.range.to.toISOString() },
    collection: {
      listed: input.results.length + skipped.length,
      read: input.results.length,
      skipped: skipped.length,
      skippedCases: [...skipped],
    },
    openCases: input.openCases,
    presales: input.presales ?? null,
    rootCauseAnalyses: input.rootCauseAnalyses ?? null,
    qaReviews: input.qaReviews ?? null,
    customersAtRisk: input.customersAtRisk ?? null,
    ...computeMetrics(input.results, input.options),
  };
}
