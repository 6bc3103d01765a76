/**
 * The weekly QA report: `npm run schedules` creates the Temporal Schedule, and a triggered run
 * builds the week's report from the cases on the real dev server and delivers it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createActivities } from '../activities';
import { OutboxGateway, readOutbox } from '../activities/integrations';
import type { afterSalesCase } from '../workflows';
import { resolveUpdate, submitFeedbackUpdate } from '../workflows/after-sales-case/contract';
import type { WeeklyQaReportSummary } from '../workflows/weekly-qa-report/contract';
import { ActivityRecorder } from './helpers/fake-activities';
import { createTestWorker, devServerEnvironment, testNames } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const root = path.resolve(__dirname, '..');

async function runSchedules(
  environment: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/schedules.ts')], {
    cwd: root,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

// Asserts the numbers of docs/rules.md LE-3, LE-9.
it('npm run schedules creates the Monday and the monthly schedules, and a run delivers the week’s report and QA sample', async () => {
  const { taskQueue, workflowId } = testNames();
  const scheduleId = `qa-${taskQueue.slice(-12)}`;
  const monthlyId = `monthly-${taskQueue.slice(-12)}`;
  const outbox = fs.mkdtempSync(path.join(inject('temporal').runDir, 'weekly-'));
  const real = createActivities({ gateway: new OutboxGateway({ dir: outbox }), reportClient: env.client });
  const activities = {
    ...new ActivityRecorder().activities,
    buildWeeklyQaReport: (request: Parameters<typeof real.buildWeeklyQaReport>[0]) =>
      real.buildWeeklyQaReport(request),
  };
  const worker = await createTestWorker(env, { taskQueue, activities });
  await worker.runUntil(async () => {
    // A closed case drawn for QA review, so the week's sample is known to include it.
    const sampled = await env.client.workflow.start<typeof afterSalesCase>('afterSalesCase', {
      taskQueue,
      workflowId: workflowId('sampled'),
      args: [
        { customerId: `C-QA-${taskQueue.slice(-8)}`, description: 'Question', policy: { qaSampleRate: 1 } },
      ],
    });
    await sampled.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'answered' }] });
    await sampled.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, resolved: true }] });
    await sampled.result();

    const settings = {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporal').devServer.address,
      CJ_QA_SCHEDULE_ID: scheduleId,
      CJ_MONTHLY_SCHEDULE_ID: monthlyId,
      CJ_TASK_QUEUE: taskQueue,
      CJ_CODEC_KEYS: '',
      CJ_CODEC_KEY_FILE: '',
    };
    const created = await runSchedules(settings);
    expect(created.code).toBe(0);
    expect(created.output).toContain(`schedule "${scheduleId}" created`);
    const again = await runSchedules(settings);
    expect(again.output).toContain(`schedule "${scheduleId}" updated`);

    expect(created.output).toContain(`schedule "${monthlyId}" created`);

    const handle = env.client.schedule.getHandle(scheduleId);
    const monthly = env.client.schedule.getHandle(monthlyId);
    try {
      // The monthly summary: the 1st of every month at 09:00 in Shanghai.
      const month = await monthly.describe();
      expect(month.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 1 }], hour: [{ start: 9 }] });
      expect(month.spec.timezone).toBe('Asia/Shanghai');
      expect(month.action).toMatchObject({ type: 'startWorkflow', workflowType: 'monthlyIssueSummary' });
      const nextMonthly = new Date(month.info.nextActionTimes[0]!.getTime() + 8 * 3_600_000);
      expect([nextMonthly.getUTCDate(), nextMonthly.getUTCHours(), nextMonthly.getUTCMinutes()]).toEqual([
        1, 9, 0,
      ]);

      const description = await handle.describe();
      expect(description.spec.calendars?.[0]).toMatchObject({
        dayOfWeek: [{ start: 'MONDAY' }],
        hour: [{ start: 9 }],
      });
      expect(description.spec.timezone).toBe('Asia/Shanghai');
      expect(description.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'weeklyQaReport',
        taskQueue,
      });
      const next = description.info.nextActionTimes[0]!;
      expect(new Date(next.getTime() + 8 * 3_600_000).getUTCDay()).toBe(1);

      await handle.trigger();
      let runId = '';
      await expect
        .poll(
          async () => {
            runId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId ?? '';
            return runId;
          },
          { timeout: 20_000 },
        )
        .not.toBe('');
      const summary = (await env.client.workflow.getHandle(runId).result()) as WeeklyQaReportSummary;
      expect(summary.cases).toBeGreaterThanOrEqual(1);
      expect(summary.qaSample).toBeGreaterThanOrEqual(1);
      expect(Date.parse(summary.to) - Date.parse(summary.from)).toBe(7 * 86_400_000);

      const delivered = readOutbox(outbox, 'quality');
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.operation).toBe('weekly-qa-report');
      const payload = delivered[0]!.payload as {
        qaSample: { caseId: string }[];
        html: string;
        summary: { cases: number };
      };
      expect(payload.qaSample.map((entry) => entry.caseId)).toContain(sampled.workflowId);
      expect(payload.html).toContain('<html');
      expect(payload.summary.cases).toBe(summary.cases);
    } finally {
      await handle.delete();
      await monthly.delete();
    }
  });
});
