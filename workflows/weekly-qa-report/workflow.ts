/**
 * `weeklyQaReport`: started every Monday by a Temporal Schedule (`npm run schedules`). One
 * activity reads the week's closed cases, builds the report with its QA sample and the areas
 * under 80 % satisfaction, and delivers it to the quality team (outbox or webhook).
 */
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import { idempotencyKey } from '../kernel/activity-calls';
import { FailureType } from '../kernel/errors';
import { parseWorkflowInput } from '../kernel/input';
import { formatInstant, nowIso } from '../kernel/time';
import { WEEKLY_QA_REPORT_WORKFLOW, WeeklyQaReportInput, type WeeklyQaReportSummary } from './contract';

// Reading a week of histories takes a while: the activity heartbeats its progress, so a crashed
// worker is noticed within a minute and the report restarts on another one.
const { buildWeeklyQaReport } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '10 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [FailureType.IntegrationRejected],
  },
});

const DAY = 86_400_000;

// Its commands are the same as before the redesign, so it needs no patch: old histories replay.

export async function weeklyQaReport(input: WeeklyQaReportInput = {}): Promise<WeeklyQaReportSummary> {
  const parsed = parseWorkflowInput(WeeklyQaReportInput, input ?? {}, WEEKLY_QA_REPORT_WORKFLOW);
  const to = parsed.to ?? nowIso();
  const from = new Date(Date.parse(to) - parsed.days * DAY).toISOString();
  setCurrentDetails(`**Weekly QA report** for ${formatInstant(from)} – ${formatInstant(to)}: building…`);
  const summary = await buildWeeklyQaReport.executeWithOptions(
    { summary: `report ${from.slice(0, 10)} – ${to.slice(0, 10)}` },
    [{ idempotencyKey: idempotencyKey('report'), from, to }],
  );
  setCurrentDetails(
    `**Weekly QA report** for ${formatInstant(from)} – ${formatInstant(to)}\n\n` +
      `${summary.cases} closed cases · ${summary.qaSample} drawn for QA review · ` +
      `${summary.flaggedAreas.length ? `below 80 %: ${summary.flaggedAreas.join(', ')}` : 'no area below 80 %'} · ` +
      `delivered as ${summary.deliveryId}`,
  );
  return summary;
}
