/**
 * What the fuzz suites share (tests/fuzz.*.test.ts): a worker with fake activities on the run's dev
 * server, one per file; the workflows a suite started, closed at its end the way ops would; the
 * health every touched workflow must keep; and the run's seed (`CJ_FUZZ_SEED=<n>` replays a run).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect } from 'vitest';
import { getCaseQuery, getCaseTimelineQuery } from '../../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  getJourneyQuery,
  getJourneyTimelineQuery,
} from '../../workflows/customer-journey/contract';
import { decideQuoteUpdate } from '../../workflows/quote-approval/contract';
import { closeCase } from './case-harness';
import { ActivityRecorder } from './fake-activities';
import { historyOf, workflowTaskFailures } from './history';
import { createTestWorker, devServerEnvironment } from './temporal';

export const SEED = process.env.CJ_FUZZ_SEED
  ? Number(process.env.CJ_FUZZ_SEED)
  : Math.floor(Math.random() * 2 ** 31);

export interface LiveFuzz {
  env: TestWorkflowEnvironment;
  taskQueue: string;
}

/**
 * Runs a worker on its own task queue for the calling file; `ready` hands the file its server and
 * queue. Whatever the file pushes onto `started` is closed after its tests.
 */
export function liveFuzzWorker(started: WorkflowHandle[], ready: (live: LiveFuzz) => void): void {
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  beforeAll(async () => {
    env = await devServerEnvironment();
    const taskQueue = `fuzz-${randomUUID().slice(0, 8)}`;
    worker = await createTestWorker(env, { taskQueue, activities: new ActivityRecorder().activities });
    workerRun = worker.run();
    ready({ env, taskQueue });
  });
  afterAll(async () => {
    try {
      if (env) await closeEverything(env, started);
    } finally {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await env?.teardown();
    }
  });
}

/** Closes what the suite left running, children first, the way ops would. */
async function closeEverything(
  env: TestWorkflowEnvironment,
  handles: readonly WorkflowHandle[],
): Promise<void> {
  for (const handle of handles) {
    const description = await handle.describe().catch(() => undefined);
    if (description?.status.name !== 'RUNNING') continue;
    const { type } = description;
    if (type === 'customerJourney') {
      const view = await handle.query(getJourneyQuery);
      for (const quote of view.quotes) {
        if (!quote.approvalWorkflowId) continue;
        const approval = env.client.workflow.getHandle(quote.approvalWorkflowId);
        await approval
          .executeUpdate(decideQuoteUpdate, {
            args: [{ decision: 'reject', approverId: 'fuzz', reason: 'done' }],
          })
          .catch(() => undefined);
      }
      for (const record of view.cases) await closeCase(env.client.workflow.getHandle(record.caseWorkflowId));
      await handle
        .executeUpdate(closeJourneyUpdate, { args: [{ reason: 'fuzz done', force: true }] })
        .catch(() => undefined);
    } else if (type === 'afterSalesCase') {
      await closeCase(handle);
    }
  }
}

/** The message a rejected update gives its caller (the validator's, in the failure's cause). */
export function rejectionMessage(error: unknown): string {
  expect(error, String(error)).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause!.message;
}

/** No failed run and no failed workflow task; the workflow still answers its queries. */
export async function expectHealthy(env: TestWorkflowEnvironment, workflowId: string): Promise<void> {
  const handle = env.client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  expect(['RUNNING', 'COMPLETED'], `${workflowId} is ${description.status.name}`).toContain(
    description.status.name,
  );
  expect(
    description.raw.pendingWorkflowTask?.attempt ?? 1,
    `${workflowId} workflow task attempts`,
  ).toBeLessThanOrEqual(1);
  expect(workflowTaskFailures(await historyOf(env.client, workflowId)), workflowId).toEqual([]);
  if (description.type === 'afterSalesCase') {
    expect((await handle.query(getCaseQuery)).caseId).toBe(workflowId);
    await handle.query(getCaseTimelineQuery);
  } else if (description.type === 'customerJourney') {
    expect((await handle.query(getJourneyQuery)).journeyId).toBe(workflowId);
    await handle.query(getJourneyTimelineQuery);
  }
}
