/**
 * `weeklyQaReport`: started every Monday by a Temporal Schedule (`npm run schedules`). One
 * activity reads the week's closed cases, builds the report with its QA sample and the areas
 * under 80 % satisfaction, and delivers it to the quality team (outbox or webhook).
 */
import {
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { rcaWorkflowId } from '../root-cause-analysis/contract';
import { rootCauseAnalysis } from '../root-cause-analysis/workflow';
import type { Activities } from '../../activities/types';
import { idempotencyKey } from '../kernel/activity-calls';
import { FailureType } from '../kernel/errors';
import { parseWorkflowInput } from '../kernel/input';
import { formatInstant, nowIso } from '../kernel/time';
import { RCA_FROM_WEEKLY_REPORT } from '../kernel/versions';
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

// Its commands were the same as before the redesign; opening analyses is patched (versions.ts).

export async function weeklyQaReport(input: WeeklyQaReportInput = {}): Promise<WeeklyQaReportSummary> {
  const parsed = parseWorkflowInput(WeeklyQaReportInput, input ?? {}, WEEKLY_QA_REPORT_WORKFLOW);
  const to = parsed.to ?? nowIso();
  const from = new Date(Date.parse(to) - parsed.days * DAY).toISOString();
  setCurrentDetails(`**Weekly QA report** for ${formatInstant(from)} – ${formatInstant(to)}: building…`);
  const summary = await buildWeeklyQaReport.executeWithOptions(
    { summary: `report ${from.slice(0, 10)} – ${to.slice(0, 10)}` },
    [{ idempotencyKey: idempotencyKey('report'), from, to }],
  );
  if (patched(RCA_FROM_WEEKLY_REPORT)) summary.rootCauseAnalyses = await openAnalyses(summary);
  setCurrentDetails(
    `**Weekly QA report** for ${formatInstant(from)} – ${formatInstant(to)}\n\n` +
      `${summary.cases} closed cases · ${summary.qaSample} drawn for QA review · ` +
      `${summary.flaggedAreas.length ? `below 80 %: ${summary.flaggedAreas.join(', ')}` : 'no area below 80 %'} · ` +
      `delivered as ${summary.deliveryId}` +
      (summary.rootCauseAnalyses
        ? ` · root-cause analyses opened: ${summary.rootCauseAnalyses.opened.length}, already open: ${summary.rootCauseAnalyses.alreadyOpen.length}`
        : ''),
  );
  return summary;
}

/**
 * Rule LE-4: every flagged area gets a root-cause analysis with an owner (a team's lead for a
 * team, the quality lead otherwise; ours). An area whose analysis is still open keeps that one.
 */
async function openAnalyses(
  summary: WeeklyQaReportSummary,
): Promise<NonNullable<WeeklyQaReportSummary['rootCauseAnalyses']>> {
  const opened: string[] = [];
  const alreadyOpen: string[] = [];
  for (const area of summary.flagged ?? []) {
    const workflowId = rcaWorkflowId(area);
    try {
      await startChild(rootCauseAnalysis, {
        workflowId,
        // The analysis outlives the report that opened it.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [
          {
            area: { dimension: area.dimension, value: area.value },
            trigger: {
              satisfactionRate: area.satisfactionRate ?? 0,
              answers: area.answers,
              target: 0.8,
              from: summary.from,
              to: summary.to,
            },
            owner: area.dimension === 'team' ? `${area.value}-lead` : 'quality-lead',
          },
        ],
        staticSummary: `root-cause analysis: ${area.dimension} ${area.value}`,
      });
      opened.push(workflowId);
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      alreadyOpen.push(workflowId);
    }
  }
  return { opened, alreadyOpen };
}
