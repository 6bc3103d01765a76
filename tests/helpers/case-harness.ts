/**
 * Runs `afterSalesCase` workflows for one test: a worker on the shared bundle with recorded fake
 * activities, a task queue and ids of the test's own, and small helpers to read the case.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect } from 'vitest';
import type { Activities } from '../../activities/types';
import type { afterSalesCase } from '../../workflows';
import {
  closeCaseUpdate,
  getCaseQuery,
  getTimelineQuery,
  type AfterSalesCaseInput,
  type CaseView,
} from '../../workflows/after-sales-case/contract';
import { ActivityRecorder } from './fake-activities';
import { createTestWorker, testNames } from './temporal';

export type CaseHandle = WorkflowHandle<typeof afterSalesCase>;

export interface CaseHarness {
  recorder: ActivityRecorder;
  taskQueue: string;
  start: (input: AfterSalesCaseInput, id?: string) => Promise<CaseHandle>;
  view: (handle: CaseHandle) => Promise<CaseView>;
  /** Polls the case until `predicate` holds (signals are applied in the next workflow task). */
  waitFor: (handle: CaseHandle, predicate: (view: CaseView) => boolean) => Promise<CaseView>;
  timelineTypes: (handle: CaseHandle) => Promise<string[]>;
}

/** Runs `body` with a worker polling a task queue of this test's own. */
export async function withCaseWorker(
  env: TestWorkflowEnvironment,
  body: (harness: CaseHarness) => Promise<void>,
  options: { activities?: Partial<Activities>; timestamps?: boolean } = {},
): Promise<void> {
  const { taskQueue, workflowId } = testNames();
  const recorder = new ActivityRecorder(
    options.activities,
    options.timestamps ? () => env.currentTimeMs() : undefined,
  );
  const worker = await createTestWorker(env, { taskQueue, activities: recorder.activities });
  let count = 0;
  const started: CaseHandle[] = [];
  const harness: CaseHarness = {
    recorder,
    taskQueue,
    start: async (input, id) => {
      const handle = await env.client.workflow.start<typeof afterSalesCase>('afterSalesCase', {
        taskQueue,
        workflowId: id ?? workflowId(`case-${++count}`),
        args: [input],
      });
      started.push(handle);
      return handle;
    },
    view: (handle) => handle.query(getCaseQuery),
    waitFor: async (handle, predicate) => {
      let latest: CaseView | undefined;
      await expect
        .poll(
          async () => {
            latest = await handle.query(getCaseQuery);
            return predicate(latest);
          },
          { timeout: 15_000, interval: 100 },
        )
        .toBe(true);
      return latest!;
    },
    timelineTypes: async (handle) =>
      (await handle.query(getTimelineQuery)).entries.map((entry) => entry.type),
  };
  // Cases still open at the end are closed while the worker still runs (see closeRunning).
  await worker.runUntil(async () => {
    try {
      await body(harness);
    } finally {
      await closeRunning(started);
    }
  });
}

/**
 * Closes the test's cases that are still open, the way ops would, and waits for them to finish.
 * Terminating them instead would be shorter, but the time-skipping server can keep its clock
 * held by a workflow terminated in its first moments, which stalls every later test of the file.
 */
export async function closeRunning(handles: readonly CaseHandle[]): Promise<void> {
  // One at a time: every result() unlocks the server's clock and locks it again afterwards, and
  // concurrent unlocks unbalance its lock count (see resultsInTurn).
  for (const handle of handles) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') continue;
    await handle
      .executeUpdate(closeCaseUpdate, { args: [{ reason: 'other', note: 'test finished' }] })
      .catch(() => undefined); // already closing
    await handle.result().catch(() => undefined);
  }
}

/**
 * Results of several workflows on the time-skipping server, awaited one after another. The
 * server keeps one global lock count: a second concurrent unlock is refused (and retried by the
 * client), which leaves the clock skipping freely for the tests that follow.
 */
export async function resultsInTurn<T>(handles: readonly { result(): Promise<T> }[]): Promise<T[]> {
  const results: T[] = [];
  for (const handle of handles) results.push(await handle.result());
  return results;
}

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** The clock of one window in a view (the latest one, windows repeat after a reopen). */
export function clockOf(view: CaseView, window: CaseView['clocks'][number]['window']) {
  const clock = [...view.clocks].reverse().find((candidate) => candidate.window === window);
  if (!clock) throw new Error(`no ${window} clock in ${JSON.stringify(view.clocks.map((c) => c.window))}`);
  return clock;
}
