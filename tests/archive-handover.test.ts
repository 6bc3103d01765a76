/**
 * The archive retires (patch `archive-handover`): a journey still running the archived code
 * continues as new into the current code the next time it wakes, carrying its state, and its
 * history, written partly before the handover existed, replays.
 */
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getJourneyQuery, newInquirySignal, recordNeedsUpdate } from '../workflows/customer-journey/contract';
import { ARCHIVE_HANDOVER, PATCHES_SETTLED } from '../workflows/kernel/versions';
import { ActivityRecorder } from './helpers/fake-activities';
import {
  createTestWorker,
  devServerEnvironment,
  testNames,
  timeSkippingEnvironment,
  workflowBundle,
} from './helpers/temporal';
import { ARCHIVED_EXECUTIONS_QUERY } from '../archive/retirement';

let env: TestWorkflowEnvironment;
let before: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [env, before] = await Promise.all([
    timeSkippingEnvironment(),
    bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/journey-before-handover.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
    }),
  ]);
});
afterAll(async () => {
  await env?.teardown();
});

/** The patch ids a run's history marked. */
async function patchesOf(workflowId: string, runId: string): Promise<string[]> {
  const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    const id = marker?.details?.['patch-data']?.payloads?.[0]?.data;
    return marker?.markerName === 'core_patch' && id
      ? [JSON.parse(Buffer.from(id).toString()).id as string]
      : [];
  });
}

it('a journey running the archived code hands over to the current code at its next wake-up, state and all', async () => {
  const { taskQueue } = testNames();
  const customerId = `C-HO-${taskQueue.slice(-8)}`;
  const workflowId = `journey-${customerId}`;
  const activities = new ActivityRecorder().activities;

  // Started by the code deployed before the handover: it records the needs and waits.
  // Uncached, so that no workflow task waits on this worker's sticky queue once it is gone.
  const old = await createTestWorker(env, {
    taskQueue,
    workflowBundle: before,
    activities,
    maxCachedWorkflows: 0,
  });
  const firstRunId = await old.runUntil(async () => {
    const handle = await env.client.workflow.start('customerJourney', {
      taskQueue,
      workflowId,
      args: [{ customerId, channel: 'email', inquiry: 'Booking system for 3 clinics' }],
    });
    await handle.executeUpdate(recordNeedsUpdate, {
      args: [{ requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }] }],
    });
    return handle.firstExecutionRunId;
  });

  // The current code picks it up; the next message wakes it and it hands over.
  const current = await createTestWorker(env, { taskQueue, activities });
  await current.runUntil(async () => {
    const handle = env.client.workflow.getHandle(workflowId);
    await handle.signal(newInquirySignal, { inquiryId: 'crm-2', channel: 'phone', summary: 'And training?' });
    await expect
      .poll(async () => (await handle.describe()).runId, { timeout: 60_000, interval: 250 })
      .not.toBe(firstRunId);
    const first = await env.client.workflow.getHandle(workflowId, firstRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    expect(await patchesOf(workflowId, firstRunId)).toContain(ARCHIVE_HANDOVER);

    // The new run is the current code (its one settled marker stands for the redesign), with the
    // needs and both inquiries carried over.
    const next = await handle.describe();
    await expect.poll(() => patchesOf(workflowId, next.runId)).toContain(PATCHES_SETTLED);
    const view = await handle.query(getJourneyQuery);
    expect(view.stage).toBe('needs-analysis');
    expect(view.requirements.map((requirement) => requirement.title)).toEqual(['Online booking']);
    // The archived code kept no inquiry texts; the inquiries themselves carry over.
    expect(view.inquiries.map((inquiry) => [inquiry.channel, inquiry.inquiryId === 'crm-2'])).toEqual([
      ['email', false],
      ['phone', true],
    ]);
  });

  // The archived run's history, half written before the handover existed, replays on today's code.
  const history = await env.client.workflow.getHandle(workflowId, firstRunId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, workflowId);
});

it('the archive’s retirement check counts the executions still running the archived code, per workflow type', async () => {
  const dev = await devServerEnvironment();
  try {
    const { taskQueue } = testNames();
    const tag = taskQueue.slice(-8);
    const activities = new ActivityRecorder().activities;
    const scoped = (type: string) =>
      `${ARCHIVED_EXECUTIONS_QUERY[type as keyof typeof ARCHIVED_EXECUTIONS_QUERY]} AND TaskQueue = '${taskQueue}'`;
    const count = async (type: string) => (await dev.client.workflow.count(scoped(type))).count;
    const start = (customerId: string) =>
      dev.client.workflow.start('customerJourney', {
        taskQueue,
        workflowId: `journey-${customerId}`,
        args: [{ customerId, channel: 'email', inquiry: 'Pricing' }],
      });

    const old = await createTestWorker(dev, {
      taskQueue,
      workflowBundle: before,
      activities,
      maxCachedWorkflows: 0,
    });
    const archived = await old.runUntil(async () => {
      const handle = await start(`C-AR-${tag}-old`);
      // Settled in its loop before this worker goes: no activity or workflow task left pending.
      await expect
        .poll(
          async () => {
            const { raw } = await handle.describe();
            return (raw.pendingActivities?.length ?? 0) + (raw.pendingWorkflowTask ? 1 : 0);
          },
          { timeout: 60_000, interval: 250 },
        )
        .toBe(0);
      return handle;
    });
    const current = await createTestWorker(dev, { taskQueue, activities });
    await current.runUntil(async () => {
      const today = await start(`C-AR-${tag}-new`);
      await today.query(getJourneyQuery);
      // Only the journey on the archived code counts; the current one does not.
      await expect.poll(() => count('customerJourney'), { timeout: 60_000, interval: 250 }).toBe(1);
      expect(await count('afterSalesCase')).toBe(0);
      expect(await count('quoteApproval')).toBe(0);

      // Woken, it hands over: nothing runs the archived code any more.
      await archived.signal(newInquirySignal, { inquiryId: 'crm-9', channel: 'phone', summary: 'Any news?' });
      await expect.poll(() => count('customerJourney'), { timeout: 60_000, interval: 250 }).toBe(0);
      for (const handle of [archived, today]) await handle.terminate('test finished');
    });
  } finally {
    await dev.teardown();
  }
});
