/**
 * The pre-sales half of the analyst report: inquiries and their first responses per channel,
 * conversion (won ÷ decided) per channel, owner and month, win and loss reasons, days from the
 * first inquiry to the contract, pre-sales satisfaction.
 *
 * Journeys keep these figures in their memo (`journeyReport`), so they are read from visibility
 * pages like the case figures: the journeys that may have something in the range (started before
 * its end, and still running or closed after its start), 1,000 per page. Journeys started before
 * journeys wrote the memo are counted as `unreported`, not guessed at.
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import {
  CUSTOMER_JOURNEY_WORKFLOW,
  JOURNEY_REPORT_MEMO,
  JourneyReport,
} from '../../workflows/customer-journey/contract';
import { distribution, percentile, type Distribution } from './stats';

export interface CollectedJourneys {
  reports: JourneyReport[];
  /** Journeys listed without pre-sales figures (started before journeys wrote them). */
  unreported: number;
}

function withExtra(query: string, extraQuery: string | undefined): string {
  return extraQuery?.trim() ? `${query} AND (${extraQuery.trim()})` : query;
}

/** The journeys that may have inquiries or a decision in `[from, to)`. */
export function journeysQuery(from: Date, to: Date, extraQuery?: string): string {
  return withExtra(
    `WorkflowType = '${CUSTOMER_JOURNEY_WORKFLOW}' AND StartTime < '${to.toISOString()}' ` +
      `AND (ExecutionStatus = 'Running' OR CloseTime >= '${from.toISOString()}')`,
    extraQuery,
  );
}

async function memoOf(client: Client, workflowId: string, payload: Payload | undefined): Promise<unknown> {
  if (!payload) return undefined;
  try {
    const decoded = await decodeMapFromPayloads(
      client.options.loadedDataConverter,
      { [JOURNEY_REPORT_MEMO]: payload },
      { type: 'workflow', namespace: client.options.namespace, workflowId },
    );
    return decoded?.[JOURNEY_REPORT_MEMO];
  } catch {
    return undefined;
  }
}

/** Every listed journey's pre-sales figures, page by page (no history is read). */
export async function collectJourneyReports(
  client: Client,
  options: { from: Date; to: Date; extraQuery?: string },
): Promise<CollectedJourneys> {
  const namespace = client.options.namespace;
  const query = journeysQuery(options.from, options.to, options.extraQuery);
  const reports: JourneyReport[] = [];
  let unreported = 0;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace, query, nextPageToken });
    for (const raw of page.executions ?? []) {
      const workflowId = raw.execution?.workflowId ?? '';
      const parsed = JourneyReport.safeParse(
        await memoOf(client, workflowId, raw.memo?.fields?.[JOURNEY_REPORT_MEMO] ?? undefined),
      );
      if (parsed.success) reports.push(parsed.data);
      else unreported += 1;
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { reports, unreported };
}

export interface FirstResponseMetrics {
  inquiries: number;
  /** Windows answered in time, missed (breached, answered late or not), still open in time. */
  met: number;
  missed: number;
  open: number;
  /** met ÷ (met + missed). */
  compliance: number | null;
  /** From the inquiry to the first response, of the answered ones (ms). */
  meanMs: number | null;
  responseMs: Distribution;
}

export interface ConversionMetrics {
  won: number;
  lost: number;
  /** won ÷ (won + lost). */
  rate: number | null;
}

export interface PresalesMetrics {
  /** Journeys listed for the range, and those without pre-sales figures (older versions). */
  journeys: { listed: number; unreported: number };
  firstResponse: FirstResponseMetrics & { byChannel: Record<string, FirstResponseMetrics> };
  conversion: ConversionMetrics & {
    byChannel: Record<string, ConversionMetrics>;
    byOwner: Record<string, ConversionMetrics>;
    /** By the month of the decision (YYYY-MM, UTC). */
    byMonth: Record<string, ConversionMetrics>;
  };
  lossReasons: Record<string, number>;
  winReasons: Record<string, number>;
  /** From the journey's start (its first inquiry) to the signature, of the journeys won in the range. */
  daysToContract: { count: number; mean: number | null; median: number | null };
  /** Pre-sales survey answers given in the range (1–5). */
  satisfaction: {
    answers: number;
    csat: number | null;
    speed: number | null;
    understanding: number | null;
    attitude: number | null;
    effectiveness: number | null;
  };
}

const DAY_MS = 86_400_000;

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

type Inquiry = JourneyReport['inquiries'][number];

function firstResponses(inquiries: readonly Inquiry[], now: number): FirstResponseMetrics {
  let met = 0;
  let missed = 0;
  let open = 0;
  const times: number[] = [];
  for (const inquiry of inquiries) {
    if (inquiry.respondedAt) times.push(Date.parse(inquiry.respondedAt) - Date.parse(inquiry.at));
    // An inquiry without a window (journeys before reception-v3) counts in the times only.
    if (inquiry.dueAt === undefined) continue;
    const late =
      inquiry.breached ||
      (inquiry.respondedAt ? inquiry.respondedAt > inquiry.dueAt : Date.parse(inquiry.dueAt) <= now);
    if (late) missed += 1;
    else if (inquiry.respondedAt) met += 1;
    else open += 1;
  }
  return {
    inquiries: inquiries.length,
    met,
    missed,
    open,
    compliance: met + missed === 0 ? null : met / (met + missed),
    meanMs: mean(times),
    responseMs: distribution(times),
  };
}

function conversion(decided: readonly JourneyReport[]): ConversionMetrics {
  const won = decided.filter((report) => report.outcome === 'won').length;
  const lost = decided.length - won;
  return { won, lost, rate: decided.length === 0 ? null : won / decided.length };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    if (name === undefined) continue;
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function mapValues<T, R>(groups: Map<string, T[]>, f: (items: T[]) => R): Record<string, R> {
  return Object.fromEntries([...groups.entries()].map(([name, items]) => [name, f(items)]));
}

function counts(values: readonly (string | undefined)[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const value of values) if (value !== undefined) result[value] = (result[value] ?? 0) + 1;
  return Object.fromEntries(Object.entries(result).sort(([, a], [, b]) => b - a));
}

/** The pre-sales figures of `[from, to)` (pure: `now` decides which open windows have passed). */
export function presalesMetrics(
  collected: CollectedJourneys,
  range: { from: Date; to: Date },
  now: Date,
): PresalesMetrics {
  const from = range.from.toISOString();
  const to = range.to.toISOString();
  const inRange = (at: string | undefined) => at !== undefined && at >= from && at < to;
  const { reports } = collected;
  const inquiries = reports.flatMap((report) => report.inquiries.filter((inquiry) => inRange(inquiry.at)));
  const decided = reports.filter((report) => report.outcome !== undefined && inRange(report.decidedAt));
  const won = decided.filter((report) => report.outcome === 'won');
  const days = won.map((report) => (Date.parse(report.decidedAt!) - Date.parse(report.startedAt)) / DAY_MS);
  const surveys = reports.flatMap((report) =>
    report.survey && inRange(report.survey.at) ? [report.survey] : [],
  );
  const scores = (pick: (survey: NonNullable<JourneyReport['survey']>) => number | undefined) =>
    mean(surveys.map(pick).filter((value): value is number => value !== undefined));
  const at = now.getTime();
  return {
    journeys: { listed: reports.length + collected.unreported, unreported: collected.unreported },
    firstResponse: {
      ...firstResponses(inquiries, at),
      byChannel: mapValues(
        groupBy(inquiries, (inquiry) => inquiry.channel),
        (items) => firstResponses(items, at),
      ),
    },
    conversion: {
      ...conversion(decided),
      byChannel: mapValues(
        groupBy(decided, (report) => report.channel),
        conversion,
      ),
      byOwner: mapValues(
        groupBy(decided, (report) => report.owner ?? '(no owner)'),
        conversion,
      ),
      byMonth: mapValues(
        groupBy(decided, (report) => report.decidedAt!.slice(0, 7)),
        conversion,
      ),
    },
    lossReasons: counts(
      decided.filter((report) => report.outcome === 'lost').map((report) => report.lostReason),
    ),
    winReasons: counts(won.map((report) => report.winReason ?? '(not given)')),
    daysToContract: { count: days.length, mean: mean(days), median: percentile(days, 50) },
    satisfaction: {
      answers: surveys.length,
      csat: scores((survey) => survey.csat),
      speed: scores((survey) => survey.speed),
      understanding: scores((survey) => survey.understanding),
      attitude: scores((survey) => survey.attitude),
      effectiveness: scores((survey) => survey.effectiveness),
    },
  };
}
