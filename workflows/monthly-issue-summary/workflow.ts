/**
 * `monthlyIssueSummary`: one activity reads the month's closed cases and the month before from
 * Temporal, summarises the frequent issues, records the repeated ones in the knowledge base and
 * delivers the summary to the quality team and training (outbox or webhook).
 */
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import { idempotencyKey } from '../kernel/activity-calls';
import type { MonthlyIssueSummaryActivities } from './activities';
import { FailureType } from '../kernel/errors';
import { parseWorkflowInput } from '../kernel/input';
import { nowIso } from '../kernel/time';
import {
  MONTHLY_ISSUE_SUMMARY_WORKFLOW,
  MonthlyIssueSummaryInput,
  monthRange,
  previousMonth,
  type MonthlyIssueSummary,
} from './contract';

// Two months of cases take a while to read: the activity heartbeats, like the weekly report's.
const { buildMonthlyIssueSummary } = proxyActivities<MonthlyIssueSummaryActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '10 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [FailureType.IntegrationRejected],
  },
});

export async function monthlyIssueSummary(
  input: MonthlyIssueSummaryInput = {},
): Promise<MonthlyIssueSummary> {
  const parsed = parseWorkflowInput(MonthlyIssueSummaryInput, input ?? {}, MONTHLY_ISSUE_SUMMARY_WORKFLOW);
  const month = parsed.month ?? previousMonth(nowIso());
  const range = monthRange(month);
  setCurrentDetails(`**Monthly frequent-issue summary** for ${month}: building…`);
  const summary = await buildMonthlyIssueSummary.executeWithOptions({ summary: `summary of ${month}` }, [
    { idempotencyKey: idempotencyKey('summary'), month, ...range, query: parsed.query },
  ]);
  const top = (list: MonthlyIssueSummary['topCategories']) =>
    list.length ? list.map((entry) => `${entry.key} ${entry.count} (${entry.trend})`).join(', ') : '—';
  setCurrentDetails(
    `**Monthly frequent-issue summary** for ${month}\n\n` +
      `${summary.cases} closed cases (${summary.previousCases} the month before)\n\n` +
      `**Categories:** ${top(summary.topCategories)}\n\n**Products:** ${top(summary.topProducts)}\n\n` +
      `**Causes:** ${top(summary.topCauses)}\n\n` +
      `${summary.repeatIssues} repeated issues, ${summary.knowledgeBaseEntries} knowledge-base entries · delivered as ${summary.deliveryId}`,
  );
  return summary;
}
