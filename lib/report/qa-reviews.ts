/**
 * The QA reviews in the report (rule LE-2, "feeding a weekly improvement report"): the reviews
 * finished in the range with their scores and findings, and those still open or overdue, from
 * visibility (a finished review keeps its scores in its memo).
 */
import type { Client } from '@temporalio/client';
import { QA_REVIEW_MEMO, QA_REVIEW_WORKFLOW, QaReviewView } from '../../workflows/qa-review/contract';

export interface QaReviewsSummary {
  completed: {
    subject: string;
    kind: 'case' | 'inquiry';
    reviewedBy?: string;
    scores: { solution: number; communication: number; satisfaction: number };
    findings: string;
    overdue: boolean;
  }[];
  /** Averages of the completed reviews' scores (1–5). */
  averages: { solution: number | null; communication: number | null; satisfaction: number | null };
  open: number;
  overdue: number;
}

const average = (values: number[]) =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

export async function collectQaReviews(
  client: Client,
  range: { from: Date; to: Date },
): Promise<QaReviewsSummary> {
  const type = `WorkflowType = '${QA_REVIEW_WORKFLOW}'`;
  const completed: QaReviewsSummary['completed'] = [];
  const query =
    `${type} AND ExecutionStatus = 'Completed' ` +
    `AND CloseTime >= '${range.from.toISOString()}' AND CloseTime < '${range.to.toISOString()}'`;
  for await (const execution of client.workflow.list({ query })) {
    const parsed = QaReviewView.safeParse(execution.memo?.[QA_REVIEW_MEMO]);
    if (!parsed.success || !parsed.data.scores) continue;
    const review = parsed.data;
    completed.push({
      subject: review.subject.id,
      kind: review.subject.kind,
      reviewedBy: review.reviewedBy,
      scores: review.scores!,
      findings: review.findings ?? '',
      overdue: review.overdue,
    });
  }
  completed.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  const running = `${type} AND ExecutionStatus = 'Running'`;
  const [{ count: open }, { count: overdue }] = await Promise.all([
    client.workflow.count(running),
    client.workflow.count(`${running} AND SlaBreached = true`),
  ]);
  return {
    completed,
    averages: {
      solution: average(completed.map((review) => review.scores.solution)),
      communication: average(completed.map((review) => review.scores.communication)),
      satisfaction: average(completed.map((review) => review.scores.satisfaction)),
    },
    open,
    overdue,
  };
}
