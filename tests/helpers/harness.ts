/**
 * The one harness every workflow's tests run on: a worker on the shared bundle with recorded
 * fake activities, a task queue and ids of the test's own, reading a workflow's view and
 * timeline, and a tidy end (what the test left running is closed the way ops would close it,
 * while the worker still runs). The case and journey harnesses only say how to read and close
 * their workflow.
 */
import type { WorkflowHandle, WorkflowStartOptions } from '@temporalio/client';
import type { QueryDefinition, Workflow } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect } from 'vitest';
import type { Activities } from '../../activities/types';
import { ActivityRecorder } from './fake-activities';
import { createTestWorker, testNames } from './temporal';

/** How the harness reads and closes one kind of workflow. */
export interface WorkflowKind<W extends Workflow, V> {
  workflowType: string;
  view: QueryDefinition<V, []>;
  timeline: QueryDefinition<{ entries: readonly { type: string }[] }, []>;
  /**
   * Closes one still-running workflow the way ops would. Terminating would be shorter, but the
   * time-skipping server can keep its clock held by a workflow terminated in its first moments,
   * which stalls every later test of the file.
   */
  close: (env: TestWorkflowEnvironment, handle: WorkflowHandle<W>) => Promise<void>;
}

export interface Harness<W extends Workflow, V> {
  recorder: ActivityRecorder;
  taskQueue: string;
  /** Ids no other test uses: `<test name>-<random>-<suffix>`. */
  workflowId: (suffix?: string) => string;
  start: (input: Parameters<W>[0], workflowId: string) => Promise<WorkflowHandle<W>>;
  view: (handle: WorkflowHandle<W>) => Promise<V>;
  /** Polls the view until `predicate` holds (messages are applied in the next workflow task). */
  waitFor: (handle: WorkflowHandle<W>, predicate: (view: V) => boolean) => Promise<V>;
  timelineTypes: (handle: WorkflowHandle<W>) => Promise<string[]>;
}

export interface HarnessOptions {
  activities?: Partial<Activities>;
  /** Record the server's (skipped) time with each activity call. */
  timestamps?: boolean;
}

/** Runs `body` with a worker polling a task queue of this test's own. */
export async function withWorker<W extends Workflow, V>(
  env: TestWorkflowEnvironment,
  kind: WorkflowKind<W, V>,
  options: HarnessOptions,
  body: (harness: Harness<W, V>) => Promise<void>,
): Promise<void> {
  const { taskQueue, workflowId } = testNames();
  const recorder = new ActivityRecorder(
    options.activities,
    options.timestamps ? () => env.currentTimeMs() : undefined,
  );
  const worker = await createTestWorker(env, { taskQueue, activities: recorder.activities });
  const started: WorkflowHandle<W>[] = [];
  const harness: Harness<W, V> = {
    recorder,
    taskQueue,
    workflowId,
    start: async (input, id) => {
      // The SDK's conditional `args` type cannot be narrowed for a generic W; one input it is.
      const start = { taskQueue, workflowId: id, args: [input] } as unknown as WorkflowStartOptions<W>;
      const handle = await env.client.workflow.start<W>(kind.workflowType, start);
      started.push(handle);
      return handle;
    },
    view: (handle) => handle.query(kind.view),
    // A generous bound: on a loaded machine a dozen workflows running side by side each take
    // several workflow tasks and activities in a row (terms, triage, assignment) before the view
    // shows the change; a passing wait returns as soon as it holds.
    waitFor: async (handle, predicate) => {
      let latest: V | undefined;
      await expect
        .poll(
          async () => {
            latest = await handle.query(kind.view);
            return predicate(latest);
          },
          { timeout: 30_000, interval: 100 },
        )
        .toBe(true);
      return latest!;
    },
    timelineTypes: async (handle) => (await handle.query(kind.timeline)).entries.map((entry) => entry.type),
  };
  await worker.runUntil(async () => {
    try {
      await body(harness);
    } finally {
      // One at a time: every result() unlocks the server's clock and locks it again afterwards,
      // and concurrent unlocks unbalance its lock count (see resultsInTurn).
      for (const handle of started) {
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING') continue;
        await kind.close(env, handle);
        await handle.result().catch(() => undefined);
      }
    }
  });
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

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
