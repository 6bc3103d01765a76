/**
 * Business metrics emitted by workflow code: SLA windows, escalations, reopenings, feedback,
 * inquiries and journey outcomes, as counters and histograms on the worker's Prometheus endpoint
 * (CJ_METRICS_PORT; see `lib/telemetry.ts`). Ops alert on them (`ops/prometheus/alerts.yml`) and
 * watch them on the dashboard (`ops/grafana/dashboard.json`); the analyst report stays the
 * authoritative figure, these are the live signal.
 *
 * Replay-safe: they go through the SDK's workflow `metricMeter`, which drops every value recorded
 * while the workflow replays its history (a worker that picks a workflow up again after a restart
 * or a cache eviction replays it), so each business event counts once per execution of the code
 * that caused it. Not exactly once: a workflow task that ran and then failed to complete (its
 * worker was killed before reporting it) is run again, for real, by another worker, and counts
 * again. Treat the counters as rates and trends, not as a ledger.
 *
 * Call them from the workflow function and from signal and update handlers, at the moment the
 * event is decided. Never from queries or update validators: those run outside history, and a
 * query is answered again and again.
 *
 * Tags are low-cardinality by construction (enums of the contracts, booleans and ladder
 * percentages); never a customer, case or staff id, never personal data. The SDK adds
 * `workflowType`, and the worker `namespace` and `taskQueue`, to every value.
 */
import { metricMeter } from '@temporalio/workflow';
import type { Channel, Priority, Team } from './contract';

/** Every metric name starts with this, apart from the SDK's own `temporal_` metrics. */
export const METRIC_PREFIX = 'cj_';

/** Names of the metrics, as they appear on the worker's `/metrics` page (counters add `_total`). */
export const METRIC_NAMES = {
  slaWindowStarted: 'cj_sla_window_started',
  slaWindowFulfilled: 'cj_sla_window_fulfilled',
  slaWindowWarned: 'cj_sla_window_warned',
  slaWindowBreached: 'cj_sla_window_breached',
  caseOpened: 'cj_case_opened',
  caseEscalated: 'cj_case_escalated',
  caseReopened: 'cj_case_reopened',
  caseClosed: 'cj_case_closed',
  feedbackReceived: 'cj_feedback_received',
  feedbackCsat: 'cj_feedback_csat',
  feedbackNps: 'cj_feedback_nps',
  inquiryAnswered: 'cj_inquiry_answered',
  inquiryBreached: 'cj_inquiry_breached',
  journeyEnded: 'cj_journey_ended',
} as const;

/**
 * Bucket bounds of the histograms, for the worker's Prometheus exporter (its defaults are
 * latency buckets in milliseconds, useless for a 1–5 score): one bucket per possible answer, so
 * the dashboard shows the whole distribution and `le="3"` counts the unsatisfied.
 */
export const HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [METRIC_NAMES.feedbackCsat]: [1, 2, 3, 4, 5],
  [METRIC_NAMES.feedbackNps]: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
};

/** One SLA window of a case: which, for which priority, owned by which team. */
export interface SlaWindowTags {
  /** A window name of the workflow's own table (`first-reply`, `resolution`…). */
  window: string;
  priority: Priority;
  team: Team;
}

function count(name: string, description: string, tags: Record<string, string>): void {
  // Created per call: the workflow meter only records a value outside replay, and a counter
  // object is a plain record of its name (the worker keeps the real ones).
  metricMeter.createCounter(name, undefined, description).add(1, tags);
}

function record(name: string, description: string, value: number, tags: Record<string, string>): void {
  metricMeter.createHistogram(name, 'int', undefined, description).record(value, tags);
}

const slaTags = ({ window, priority, team }: SlaWindowTags) => ({ window, priority, team });
const flag = (value: boolean) => (value ? 'true' : 'false');

/** A window's clock started (at triage, on a resolution, a repair, a revisit…). */
export function slaWindowStarted(tags: SlaWindowTags): void {
  count(METRIC_NAMES.slaWindowStarted, 'SLA windows whose clock started', slaTags(tags));
}

/**
 * A window was fulfilled (the reply sent, the case resolved…); `late` when that happened after
 * its breach. Windows cancelled without being fulfilled are not counted here.
 */
export function slaWindowFulfilled(tags: SlaWindowTags & { late: boolean }): void {
  count(METRIC_NAMES.slaWindowFulfilled, 'SLA windows fulfilled, late or in time', {
    ...slaTags(tags),
    late: flag(tags.late),
  });
}

/**
 * A window reached a warning step of the escalation ladder (`percent` of its budget used, below
 * 100: 50, 75 and 90 by default). The alert on windows about to breach reads `percent="90"`.
 */
export function slaWindowWarned(tags: SlaWindowTags & { percent: number }): void {
  count(METRIC_NAMES.slaWindowWarned, 'SLA windows past a warning step of their budget', {
    ...slaTags(tags),
    percent: String(Math.round(tags.percent)),
  });
}

/** A window ran out (100 % of its budget) without being fulfilled. */
export function slaWindowBreached(tags: SlaWindowTags): void {
  count(METRIC_NAMES.slaWindowBreached, 'SLA windows breached', slaTags(tags));
}

/** A case was opened and triaged. */
export function caseOpened(tags: { priority: Priority; team: Team; channel: Channel }): void {
  const { priority, team, channel } = tags;
  count(METRIC_NAMES.caseOpened, 'After-sales cases opened (after triage)', { priority, team, channel });
}

/**
 * A case climbed to an escalation level, by its ladder, by hand or after an unsatisfied revisit;
 * `team` is the team that owned it before.
 */
export function caseEscalated(tags: { level: string; team: Team }): void {
  count(METRIC_NAMES.caseEscalated, 'Case escalations, by level reached', {
    level: tags.level,
    team: tags.team,
  });
}

/** An unsatisfied revisit reopened a case; `team` is the team that takes it over. */
export function caseReopened(tags: { team: Team; priority: Priority }): void {
  count(METRIC_NAMES.caseReopened, 'Cases reopened after an unsatisfied revisit', {
    team: tags.team,
    priority: tags.priority,
  });
}

/** A case closed, with its outcome. */
export function caseClosed(tags: { outcome: string; team: Team; priority: Priority }): void {
  const { outcome, team, priority } = tags;
  count(METRIC_NAMES.caseClosed, 'After-sales cases closed, by outcome', { outcome, team, priority });
}

/**
 * The customer answered the revisit: CSAT 1–5, NPS 0–10 when given, and whether the answer
 * counts as satisfied under the case's policy.
 */
export function feedbackReceived(tags: { csat: number; nps?: number; satisfied: boolean; team: Team }): void {
  const { team } = tags;
  count(METRIC_NAMES.feedbackReceived, 'Revisit answers, satisfied or not', {
    team,
    satisfied: flag(tags.satisfied),
  });
  record(METRIC_NAMES.feedbackCsat, 'CSAT answers (1-5)', tags.csat, { team });
  if (tags.nps !== undefined) record(METRIC_NAMES.feedbackNps, 'NPS answers (0-10)', tags.nps, { team });
}

/** Someone answered a journey's inquiry (its first-response window is fulfilled). */
export function inquiryAnswered(tags: { channel: Channel }): void {
  count(METRIC_NAMES.inquiryAnswered, 'Inquiries answered by a person', { channel: tags.channel });
}

/** A journey's first-response window ran out before anyone answered. */
export function inquiryBreached(tags: { channel: Channel }): void {
  count(METRIC_NAMES.inquiryBreached, 'Inquiries whose first-response window ran out', {
    channel: tags.channel,
  });
}

/**
 * The sales part of a journey was decided: `won` when the contract is signed (after-sales goes
 * on for years, but the sale is won there), `lost` with the reason when it is marked lost or
 * times out without a response. Conversion is won ÷ (won + lost).
 */
export function journeyEnded(
  tags: { outcome: 'won'; channel: Channel } | { outcome: 'lost'; reason: string; channel: Channel },
): void {
  count(
    METRIC_NAMES.journeyEnded,
    'Journeys won (contract signed) or lost',
    tags.outcome === 'lost'
      ? { outcome: 'lost', reason: tags.reason, channel: tags.channel }
      : { outcome: 'won', channel: tags.channel },
  );
}
