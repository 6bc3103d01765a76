/**
 * Reads the analyst report's input from Temporal: the results of the `afterSalesCase` workflows
 * that closed in a time range and the cases still open, by stage.
 *
 * A case writes its result into its memo when it closes, and visibility returns memos with each
 * listed execution (a page of up to 1,000): the report's time grows with pages, not cases. Cases
 * closed before that (an empty memo) are read from their history, as before, a few at a time.
 *
 * Memos and results are decoded by the client's own data converter: payloads encrypted by a codec
 * configured on the client are read the same way `handle.result()` reads them anywhere else.
 * Nothing is decoded by hand.
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import {
  AFTER_SALES_CASE_WORKFLOW,
  CASE_REPORT_MEMO,
  CaseResult,
  CaseStage,
} from '../../workflows/after-sales-case/contract';
import { describeProblems } from '../../workflows/kernel/validation';
import type { OpenCases, SkippedCase } from './metrics';

export interface CollectedCase {
  workflowId: string;
  runId: string;
  closeTime: Date;
  result: CaseResult;
}

export interface CollectOptions {
  /** Cases that closed at or after this instant… */
  from: Date;
  /** …and before this one. */
  to: Date;
  /**
   * A further visibility filter ANDed to the listing, e.g. `AssignedTeam = 'quality-team'` or
   * `CustomerId IN ('C-1', 'C-2')`.
   */
  extraQuery?: string;
  /** Histories read at the same time; default 8. */
  concurrency?: number;
  /**
   * Called as cases are listed (`total` grows page by page) and after every result read from a
   * history; `done === total` at the end.
   */
  onProgress?(done: number, total: number): void;
  /** Read every result from its history even when the memo has it (to compare the two paths). */
  ignoreMemo?: boolean;
  /** Called for every closed case whose result could not be used (it is left out). */
  onSkipped?(skipped: SkippedCase): void;
}

export const DEFAULT_CONCURRENCY = 8;

/** A visibility datetime literal. */
function instant(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
  return `'${date.toISOString()}'`;
}

function withExtra(query: string, extraQuery: string | undefined): string {
  return extraQuery?.trim() ? `${query} AND (${extraQuery.trim()})` : query;
}

/** The visibility query of the completed cases that closed in `[from, to)`. */
export function closedCasesQuery(from: Date, to: Date, extraQuery?: string): string {
  return withExtra(
    `WorkflowType = '${AFTER_SALES_CASE_WORKFLOW}' AND ExecutionStatus = 'Completed' ` +
      `AND CloseTime >= ${instant(from)} AND CloseTime < ${instant(to)}`,
    extraQuery,
  );
}

/** The visibility query of the cases still open (started before `to`, when given). */
export function openCasesQuery(to?: Date, extraQuery?: string): string {
  return withExtra(
    `WorkflowType = '${AFTER_SALES_CASE_WORKFLOW}' AND ExecutionStatus = 'Running'` +
      (to ? ` AND StartTime < ${instant(to)}` : ''),
    extraQuery,
  );
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/** Runs `task` over `items` with at most `limit` at a time, keeping the order of `items`. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** A closed execution as a visibility page lists it, its memo still encoded. */
export interface ListedCase {
  workflowId: string;
  runId: string;
  closeTime: Date;
  memo?: Record<string, Payload>;
}

/**
 * The closed cases of a query, page by page, memos still encoded: the client's own listing
 * decodes every memo and stops at the first it cannot read, while here one unreadable memo only
 * sends that case down the history path.
 */
function collected({ workflowId, runId, closeTime }: ListedCase, result: CaseResult): CollectedCase {
  return { workflowId, runId, closeTime, result };
}

/** The executions of a visibility query, page by page (1,000 a page), memos still encoded. */
export async function* listClosed(client: Client, query: string, to: Date): AsyncGenerator<ListedCase> {
  const namespace = client.options.namespace;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace, query, nextPageToken });
    for (const raw of page.executions ?? []) {
      const seconds = raw.closeTime?.seconds;
      yield {
        workflowId: raw.execution?.workflowId ?? '',
        runId: raw.execution?.runId ?? '',
        closeTime: raw.closeTime
          ? new Date(Number(seconds ?? 0) * 1000 + Math.floor((raw.closeTime.nanos ?? 0) / 1e6))
          : to,
        memo: raw.memo?.fields ?? undefined,
      };
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
}

/**
 * One field of a listed execution's memo, decoded as the client decodes any memo (its data
 * converter and codecs, with the workflow's serialization context); `undefined` when the memo has
 * no such field (a case closed before it was written) or it cannot be decoded here.
 */
export async function memoField(client: Client, execution: ListedCase, key: string): Promise<unknown> {
  const payload = execution.memo?.[key];
  if (!payload) return undefined;
  try {
    const decoded = await decodeMapFromPayloads(
      client.options.loadedDataConverter,
      { [key]: payload },
      { type: 'workflow', namespace: client.options.namespace, workflowId: execution.workflowId },
    );
    return decoded?.[key];
  } catch {
    return undefined;
  }
}

/**
 * The results of the `afterSalesCase` workflows that completed in `[from, to)`, oldest close
 * first. A result that cannot be decoded or is not a valid `CaseResult` is left out and reported
 * through `onSkipped`.
 */
export async function collectCaseResults(client: Client, options: CollectOptions): Promise<CollectedCase[]> {
  const { from, to } = options;
  if (!(from.getTime() < to.getTime())) throw new RangeError('from must be before to');
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError('concurrency must be at least 1');

  const fromMemo: CollectedCase[] = [];
  const listed: ListedCase[] = [];
  const skip = (
    execution: { workflowId: string; runId: string },
    reason: SkippedCase['reason'],
    detail: string,
  ) => {
    options.onSkipped?.({ workflowId: execution.workflowId, runId: execution.runId, reason, detail });
    return undefined;
  };
  // Counted first, so progress is a share of a known whole (a case closing meanwhile may add one).
  const query = closedCasesQuery(from, to, options.extraQuery);
  let total = (await client.workflow.count(query)).count;
  let done = 0;
  options.onProgress?.(done, total);
  for await (const execution of listClosed(client, query, to)) {
    const memo = options.ignoreMemo ? undefined : await memoField(client, execution, CASE_REPORT_MEMO);
    if (memo === undefined) {
      listed.push(execution);
      continue;
    }
    const parsed = CaseResult.safeParse(memo);
    if (parsed.success) fromMemo.push(collected(execution, parsed.data));
    else skip(execution, 'invalid', describeProblems(parsed.error).join('; '));
    done += 1;
    total = Math.max(total, done + listed.length);
    if (done % 100 === 0) options.onProgress?.(done, total);
  }
  total = done + listed.length;
  options.onProgress?.(done, total);

  const read = await mapLimited(
    listed,
    concurrency,
    async (execution): Promise<CollectedCase | undefined> => {
      try {
        let raw: unknown;
        try {
          // The close event of this very run, decoded by the client's data converter (codecs,
          // serialization context, external storage), as `result()` does for any caller.
          raw = await client.workflow
            .getHandle(execution.workflowId, execution.runId, { followRuns: false })
            .result();
        } catch (error) {
          return skip(execution, 'unreadable', messageOf(error));
        }
        const parsed = CaseResult.safeParse(raw);
        if (!parsed.success) return skip(execution, 'invalid', describeProblems(parsed.error).join('; '));
        return collected(execution, parsed.data);
      } finally {
        options.onProgress?.(++done, total);
      }
    },
  );
  return [...fromMemo, ...read.filter((entry): entry is CollectedCase => entry !== undefined)].sort(
    (a, b) => a.closeTime.getTime() - b.closeTime.getTime(),
  );
}

/**
 * The cases still open, by `CaseStage`. Uses `GROUP BY CaseStage` where the server supports it;
 * the dev server (and SQL visibility in general) only groups by `ExecutionStatus`, so otherwise
 * one count per stage.
 */
export async function countOpenCases(
  client: Client,
  options: { to?: Date; extraQuery?: string } = {},
): Promise<OpenCases> {
  const query = openCasesQuery(options.to, options.extraQuery);
  const byStage = Object.fromEntries(CaseStage.options.map((stage) => [stage, 0])) as Record<string, number>;
  const total = (await client.workflow.count(query)).count;
  if (total > 0) {
    let grouped = false;
    try {
      const { groups } = await client.workflow.count(`${query} GROUP BY CaseStage`);
      for (const group of groups) {
        const stage = group.groupValues[0];
        if (typeof stage === 'string' && stage in byStage) byStage[stage] = group.count;
      }
      grouped = true;
    } catch {
      // "'group by' clause is only supported for ExecutionStatus": count stage by stage.
    }
    if (!grouped) {
      const counts = await Promise.all(
        CaseStage.options.map(
          async (stage) => (await client.workflow.count(`${query} AND CaseStage = '${stage}'`)).count,
        ),
      );
      CaseStage.options.forEach((stage, index) => (byStage[stage] = counts[index]!));
    }
  }
  const staged = Object.values(byStage).reduce((sum, count) => sum + count, 0);
  return { total, byStage, unknownStage: Math.max(0, total - staged) };
}
