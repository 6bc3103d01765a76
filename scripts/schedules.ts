/**
 * `npm run schedules`: creates (or brings up to date) the Temporal Schedule that starts the
 * weekly QA report every Monday at 09:00 Shanghai time. Running it again changes nothing but the
 * schedule's definition, so it is safe in a deploy script.
 */
import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import { z } from 'zod';
import { parseSettings } from '../lib/config';
import { DEFAULT_TASK_QUEUE } from '../workflows/kernel/contract';
import { connectClient } from '../lib/temporal-client';
import type { monthlyIssueSummary, weeklyQaReport } from '../workflows';
import {
  MONTHLY_ISSUE_SUMMARY_WORKFLOW,
  MONTHLY_SUMMARY_SCHEDULE_ID,
} from '../workflows/monthly-issue-summary/contract';
import { WEEKLY_QA_REPORT_WORKFLOW, WEEKLY_QA_SCHEDULE_ID } from '../workflows/weekly-qa-report/contract';

const ScheduleSettings = z.object({
  CJ_QA_SCHEDULE_ID: z.string().min(1).default(WEEKLY_QA_SCHEDULE_ID),
  CJ_MONTHLY_SCHEDULE_ID: z.string().min(1).default(MONTHLY_SUMMARY_SCHEDULE_ID),
  CJ_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
});

/** The schedule: Mondays 09:00 Asia/Shanghai, one run at a time, caught up within a day. */
export function weeklyQaSchedule(scheduleId: string, taskQueue: string): ScheduleOptions {
  return {
    scheduleId,
    spec: {
      calendars: [{ comment: 'Mondays at 09:00', dayOfWeek: 'MONDAY', hour: 9, minute: 0 }],
      timezone: 'Asia/Shanghai',
    },
    action: {
      type: 'startWorkflow',
      workflowType: WEEKLY_QA_REPORT_WORKFLOW,
      workflowId: `${scheduleId}-run`,
      taskQueue,
      args: [{ days: 7 }] satisfies Parameters<typeof weeklyQaReport>,
      staticSummary: 'Weekly after-sales report and 20 % QA sample',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    state: { note: 'Created by npm run schedules' },
  };
}

/** The monthly frequent-issue summary: the 1st of every month, 09:00 Asia/Shanghai, for the month before. */
export function monthlySummarySchedule(scheduleId: string, taskQueue: string): ScheduleOptions {
  return {
    scheduleId,
    spec: {
      calendars: [{ comment: 'the 1st at 09:00', dayOfMonth: 1, hour: 9, minute: 0 }],
      timezone: 'Asia/Shanghai',
    },
    action: {
      type: 'startWorkflow',
      workflowType: MONTHLY_ISSUE_SUMMARY_WORKFLOW,
      workflowId: `${scheduleId}-run`,
      taskQueue,
      args: [{}] satisfies Parameters<typeof monthlyIssueSummary>,
      staticSummary: 'Monthly frequent-issue summary for the quality team and training',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    state: { note: 'Created by npm run schedules' },
  };
}

/** Creates the schedule, or updates it when it exists. */
export async function ensureSchedule(
  client: Client,
  options: ScheduleOptions,
): Promise<'created' | 'updated'> {
  const handle = client.schedule.getHandle(options.scheduleId);
  try {
    await handle.describe();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create(options);
    return 'created';
  }
  await handle.update((previous) => ({
    ...previous,
    spec: options.spec,
    action: options.action,
    policies: options.policies,
  }));
  return 'updated';
}

/**
 * Creates the schedule, or updates it when it exists.
 *
 * @returns whether it was created or updated.
 */
export async function ensureWeeklyQaSchedule(
  client: Client,
  scheduleId: string,
  taskQueue: string,
): Promise<'created' | 'updated'> {
  return ensureSchedule(client, weeklyQaSchedule(scheduleId, taskQueue));
}

async function main(): Promise<void> {
  const settings = parseSettings(ScheduleSettings, process.env);
  const { client, connection } = await connectClient();
  try {
    const outcome = await ensureWeeklyQaSchedule(client, settings.CJ_QA_SCHEDULE_ID, settings.CJ_TASK_QUEUE);
    const description = await client.schedule.getHandle(settings.CJ_QA_SCHEDULE_ID).describe();
    console.log(
      `schedule "${settings.CJ_QA_SCHEDULE_ID}" ${outcome}: weekly QA report, Mondays 09:00 Asia/Shanghai`,
    );
    const monthly = await ensureSchedule(
      client,
      monthlySummarySchedule(settings.CJ_MONTHLY_SCHEDULE_ID, settings.CJ_TASK_QUEUE),
    );
    console.log(
      `schedule "${settings.CJ_MONTHLY_SCHEDULE_ID}" ${monthly}: monthly frequent-issue summary, the 1st at 09:00 Asia/Shanghai`,
    );
    console.log(
      `next runs: ${description.info.nextActionTimes
        .slice(0, 3)
        .map((time) => time.toISOString())
        .join(', ')}`,
    );
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
