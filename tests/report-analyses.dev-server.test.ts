/**
 * The report lists the root-cause analyses (rule LE-4) on the real dev server: open ones with
 * their due dates, which of them are overdue, and those closed in the range.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collectAnalyses } from '../lib/report/analyses';
import { buildReport, renderTable } from '../lib/report';
import type { rootCauseAnalysis } from '../workflows';
import { rcaWorkflowId, recordFindingsUpdate } from '../workflows/root-cause-analysis/contract';
import { ActivityRecorder } from './helpers/fake-activities';
import { createTestWorker, devServerEnvironment, testNames } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const ALWAYS_OPEN = {
  timeZone: 'UTC',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  opensAt: '00:00',
  closesAt: '23:59',
  holidays: [],
};

it('lists open analyses with their due dates, the overdue ones, and those closed in the range', async () => {
  const { taskQueue } = testNames();
  const tag = taskQueue.slice(-8);
  const from = new Date(Date.now() - 60_000);
  const worker = await createTestWorker(env, { taskQueue, activities: new ActivityRecorder().activities });
  await worker.runUntil(async () => {
    const start = (value: string, dueWithin: string) =>
      env.client.workflow.start<typeof rootCauseAnalysis>('rootCauseAnalysis', {
        taskQueue,
        workflowId: rcaWorkflowId({ dimension: 'category', value }),
        args: [
          {
            area: { dimension: 'category', value },
            trigger: {
              satisfactionRate: 0.5,
              answers: 4,
              target: 0.8,
              from: from.toISOString(),
              to: from.toISOString(),
            },
            owner: 'quality-lead',
            dueWithin,
            calendar: ALWAYS_OPEN,
          },
        ],
      });
    const late = await start(`late-${tag}`, '2s');
    const onTime = await start(`on-time-${tag}`, '40h');
    const done = await start(`done-${tag}`, '40h');
    await done.executeUpdate(recordFindingsUpdate, {
      args: [
        { findings: 'found it', actions: [{ action: 'fix it', owner: 'quality-lead' }], by: 'quality-lead' },
      ],
    });
    await done.result();
    const ours = (ids: string[]) => ids.filter((id) => id.endsWith(tag));
    await expect
      .poll(
        async () => {
          const summary = await collectAnalyses(env.client, { from, to: new Date(Date.now() + 60_000) });
          return {
            open: ours(summary.open.map((rca) => rca.workflowId)).sort(),
            overdue: ours(summary.open.filter((rca) => rca.overdue).map((rca) => rca.workflowId)),
            closed: summary.closedInRange >= 1,
          };
        },
        { timeout: 20_000, interval: 250 },
      )
      .toEqual({
        open: [late.workflowId, onTime.workflowId].sort(),
        overdue: [late.workflowId],
        closed: true,
      });
    const summary = await collectAnalyses(env.client, { from, to: new Date(Date.now() + 60_000) });
    const onTimeEntry = summary.open.find((rca) => rca.workflowId === onTime.workflowId)!;
    expect(Date.parse(onTimeEntry.dueAt!) - Date.now()).toBeGreaterThan(39 * 3_600_000);
    // The terminal table lists them.
    const table = renderTable(
      buildReport({
        results: [],
        range: { from, to: new Date() },
        generatedAt: new Date(),
        openCases: { total: 0, byStage: {}, unknownStage: 0 },
        rootCauseAnalyses: summary,
      }),
    );
    expect(table).toMatch(/Root-cause analyses: \d+ open \(\d+ overdue\), \d+ closed in the range/);
    expect(table).toContain(late.workflowId);
    await late.terminate('test finished');
    await onTime.terminate('test finished');
  });
});
