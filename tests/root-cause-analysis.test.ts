/**
 * Root-cause analysis as tracked work (rule LE-4), on the time-skipping test server: opened by the
 * weekly report for each flagged area (one open per area), reminded at 75 % of its business-time
 * window, overdue and searchable at the due date, closed with findings and actions.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../activities/types';
import type { rootCauseAnalysis, weeklyQaReport } from '../workflows';
import {
  getRcaQuery,
  rcaWorkflowId,
  recordFindingsUpdate,
  type RootCauseAnalysisInput,
} from '../workflows/root-cause-analysis/contract';
import { ActivityRecorder } from './helpers/fake-activities';
import { skipToShanghai } from './helpers/journey-harness';
import { createTestWorker, rejectionOf, testNames, timeSkippingEnvironment } from './helpers/temporal';
import { walkTrackedTimeline } from './helpers/tracked-work';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const trigger = (from: string, to: string): RootCauseAnalysisInput['trigger'] => ({
  satisfactionRate: 0.5,
  answers: 4,
  target: 0.8,
  from,
  to,
});

describe('root-cause analysis (LE-4)', () => {
  // Asserts the numbers of docs/rules.md LE-4.
  it('is due in 45 business hours, reminds the owner at 75 %, is overdue and searchable at the due date, and closes with findings', async () => {
    // A Monday 08:00 in Shanghai: the business clock starts at 09:00 sharp, so the default 45
    // business hours end that Friday at 18:00.
    const at = await skipToShanghai(env, { hour: 8, day: 1 });
    const { taskQueue } = testNames();
    const recorder = new ActivityRecorder();
    const worker = await createTestWorker(env, { taskQueue, activities: recorder.activities });
    await worker.runUntil(async () => {
      const area = { dimension: 'team', value: `care-${taskQueue.slice(-8)}` } as const;
      const handle = await env.client.workflow.start<typeof rootCauseAnalysis>('rootCauseAnalysis', {
        taskQueue,
        workflowId: rcaWorkflowId(area),
        args: [{ area, trigger: trigger(at.toISOString(), at.toISOString()), owner: 'care-lead' }],
      });
      const opened = await handle.query(getRcaQuery);
      expect(opened).toMatchObject({ stage: 'open', owner: 'care-lead', overdue: false });
      await walkTrackedTimeline(env, {
        at,
        dueAt: opened.dueAt,
        // Friday 18:00; 75 % is 33.75 business hours: three full days and Thursday until 15:45.
        dueAfterHours: 4 * 24 + 10,
        remindAfterHours: 3 * 24 + 7.75,
        ownerNotices: () => recorder.of('notifyStaff', { audience: 'owner', staffId: 'care-lead' }).length,
        stage: async () => (await handle.query(getRcaQuery)).stage,
        leadNotices: () =>
          recorder.of('notifyStaff', { audience: 'owner-lead', staffId: 'quality-lead' }).length,
        handle,
      });

      expect(
        await rejectionOf(
          handle.executeUpdate(recordFindingsUpdate, {
            args: [{ findings: 'x', actions: [], by: 'care-lead' }],
          }),
        ),
      ).toMatch(/actions: must name at least one action$/);
      const closed = await handle.executeUpdate(recordFindingsUpdate, {
        args: [
          {
            findings: 'Night shift lacks the repair guide',
            actions: [{ action: 'Train the night shift', owner: 'care-lead', dueDate: '2099-01-31' }],
            by: 'care-lead',
          },
        ],
      });
      expect(closed).toMatchObject({ stage: 'closed', overdue: true, closedBy: 'care-lead' });
      expect((await handle.result()).findings).toBe('Night shift lacks the repair guide');
    });
  });

  // Asserts the numbers of docs/rules.md LE-4.
  it('the weekly report opens one per flagged area, and keeps an open one when the area is flagged again', async () => {
    const { taskQueue } = testNames();
    const tag = taskQueue.slice(-8);
    const flagged = [
      { dimension: 'team', value: `quality-${tag}`, satisfactionRate: 0.5, answers: 4 },
      { dimension: 'channel', value: `social-${tag}`, satisfactionRate: 0.25, answers: 4 },
    ] as const;
    const report: Activities['buildWeeklyQaReport'] = (request) =>
      Promise.resolve({
        from: request.from,
        to: request.to,
        cases: 12,
        qaSample: 3,
        flaggedAreas: flagged.map((area) => `${area.dimension}=${area.value}`),
        flagged: [...flagged],
        satisfactionRate: 0.6,
        slaCompliance: 0.9,
        deliveryId: 'REPORT-1',
      });
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: { ...new ActivityRecorder().activities, buildWeeklyQaReport: report },
    });
    await worker.runUntil(async () => {
      const week = (n: number) =>
        env.client.workflow.execute<typeof weeklyQaReport>('weeklyQaReport', {
          taskQueue,
          workflowId: `${taskQueue}-week-${n}`,
          args: [{ days: 7 }],
        });
      const first = await week(1);
      const ids = flagged.map((area) => rcaWorkflowId(area));
      expect(first.rootCauseAnalyses).toEqual({ opened: ids, alreadyOpen: [] });
      const team = await env.client.workflow.getHandle(ids[0]!).query(getRcaQuery);
      expect(team).toMatchObject({
        owner: `quality-${tag}-lead`,
        trigger: { satisfactionRate: 0.5, target: 0.8 },
      });
      expect((await env.client.workflow.getHandle(ids[1]!).query(getRcaQuery)).owner).toBe('quality-lead');
      expect((await week(2)).rootCauseAnalyses).toEqual({ opened: [], alreadyOpen: ids });
      for (const id of ids) await env.client.workflow.getHandle(id).terminate('test finished');
    });
  });
});
