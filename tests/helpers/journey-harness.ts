/**
 * Runs `customerJourney` workflows (and the cases and quote approvals they start) for one test:
 * a worker on the shared bundle with recorded fake activities, customer ids of the test's own,
 * helpers to read journeys, cases and quotes, and a tidy end (open children and journeys are
 * closed the way ops would close them).
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect } from 'vitest';
import type { Activities } from '../../activities/types';
import type { customerJourney } from '../../workflows';
import { closeCaseUpdate, getCaseQuery, type CaseView } from '../../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  getJourneyQuery,
  getJourneyTimelineQuery,
  journeyWorkflowId,
  type JourneyInput,
  type JourneyView,
} from '../../workflows/customer-journey/contract';
import { decideQuoteUpdate, getQuoteQuery, type QuoteView } from '../../workflows/quote-approval/contract';
import { ActivityRecorder } from './fake-activities';
import { createTestWorker, testNames } from './temporal';

export type JourneyHandle = WorkflowHandle<typeof customerJourney>;

export interface JourneyHarness {
  recorder: ActivityRecorder;
  taskQueue: string;
  /** A customer id no other test uses. */
  customerId: (suffix?: string) => string;
  start: (input: Omit<JourneyInput, 'customerId'> & { customerId?: string }) => Promise<JourneyHandle>;
  view: (handle: JourneyHandle) => Promise<JourneyView>;
  waitFor: (handle: JourneyHandle, predicate: (view: JourneyView) => boolean) => Promise<JourneyView>;
  timelineTypes: (handle: JourneyHandle) => Promise<string[]>;
  caseView: (caseWorkflowId: string) => Promise<CaseView>;
  quoteView: (approvalWorkflowId: string) => Promise<QuoteView>;
}

export async function withJourneyWorker(
  env: TestWorkflowEnvironment,
  body: (harness: JourneyHarness) => Promise<void>,
  options: { activities?: Partial<Activities> } = {},
): Promise<void> {
  const names = testNames();
  const recorder = new ActivityRecorder(options.activities);
  const worker = await createTestWorker(env, { taskQueue: names.taskQueue, activities: recorder.activities });
  const started: JourneyHandle[] = [];
  let customers = 0;
  const customerId = (suffix = `${++customers}`) => `C-${names.taskQueue.slice(-8)}-${suffix}`;
  const harness: JourneyHarness = {
    recorder,
    taskQueue: names.taskQueue,
    customerId,
    start: async (input) => {
      const id = input.customerId ?? customerId();
      const handle = await env.client.workflow.start<typeof customerJourney>('customerJourney', {
        taskQueue: names.taskQueue,
        workflowId: journeyWorkflowId(id),
        args: [{ ...input, customerId: id }],
      });
      started.push(handle);
      return handle;
    },
    view: (handle) => handle.query(getJourneyQuery),
    waitFor: async (handle, predicate) => {
      let latest: JourneyView | undefined;
      await expect
        .poll(
          async () => {
            latest = await handle.query(getJourneyQuery);
            return predicate(latest);
          },
          { timeout: 15_000, interval: 100 },
        )
        .toBe(true);
      return latest!;
    },
    timelineTypes: async (handle) =>
      (await handle.query(getJourneyTimelineQuery)).entries.map((entry) => entry.type),
    caseView: (id) => env.client.workflow.getHandle(id).query(getCaseQuery),
    quoteView: (id) => env.client.workflow.getHandle(id).query(getQuoteQuery),
  };
  await worker.runUntil(async () => {
    try {
      await body(harness);
    } finally {
      await closeJourneys(env, started);
    }
  });
}

/**
 * Closes what the test left open, children first, one workflow at a time (see closeRunning in
 * case-harness.ts for why nothing is terminated and results are awaited in turn).
 */
async function closeJourneys(env: TestWorkflowEnvironment, handles: readonly JourneyHandle[]): Promise<void> {
  for (const handle of handles) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') continue;
    const view = await handle.query(getJourneyQuery);
    for (const quote of view.quotes.filter((candidate) => candidate.status === 'pending')) {
      const approval = env.client.workflow.getHandle(quote.approvalWorkflowId);
      await approval
        .executeUpdate(decideQuoteUpdate, {
          args: [{ decision: 'reject', approverId: 'test', reason: 'test finished' }],
        })
        .catch(() => undefined);
      await approval.result().catch(() => undefined);
    }
    for (const record of view.cases.filter((candidate) => candidate.status === 'open')) {
      const child = env.client.workflow.getHandle(record.caseWorkflowId);
      await child
        .executeUpdate(closeCaseUpdate, { args: [{ reason: 'other', note: 'test finished' }] })
        .catch(() => undefined);
      await child.result().catch(() => undefined);
    }
    await handle
      .executeUpdate(closeJourneyUpdate, { args: [{ reason: 'test finished', force: true }] })
      .catch(() => undefined);
    await handle.result().catch(() => undefined);
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * Skips the time-skipping server forward to the next weekday `hour`:00 in Shanghai (the default
 * business calendar), so business-hours rules see an open desk (or a closed one) on purpose.
 */
export async function skipToShanghai(
  env: TestWorkflowEnvironment,
  target: { hour: number; weekend?: boolean },
): Promise<Date> {
  const now = await env.currentTimeMs();
  const at = new Date(now);
  at.setUTCMinutes(0, 0, 0);
  const shanghaiDay = (date: Date) => new Date(date.getTime() + 8 * HOUR).getUTCDay();
  const shanghaiHour = (date: Date) => new Date(date.getTime() + 8 * HOUR).getUTCHours();
  const wanted = (date: Date) => {
    const day = shanghaiDay(date);
    const weekend = day === 0 || day === 6;
    return (
      shanghaiHour(date) === target.hour && weekend === (target.weekend ?? false) && date.getTime() > now
    );
  };
  while (!wanted(at)) at.setTime(at.getTime() + HOUR);
  await env.sleep(at.getTime() - now);
  return at;
}
