/**
 * The root-cause analyses in the report (rule LE-4): those still open, which of them are overdue,
 * and how many closed in the range, read from visibility (the analysis indexes its due date in
 * `NextDeadlineAt` and being overdue in `SlaBreached`).
 */
import type { Client } from '@temporalio/client';
import { ROOT_CAUSE_ANALYSIS_WORKFLOW } from '../../workflows/root-cause-analysis/contract';
import { NextDeadlineAtKey, SlaBreachedKey } from '../../workflows/kernel/search-attributes';

export interface OpenAnalysis {
  workflowId: string;
  dueAt: string | null;
  overdue: boolean;
}

export interface AnalysesSummary {
  open: OpenAnalysis[];
  overdue: number;
  /** Closed with findings in the report's range. */
  closedInRange: number;
}

export async function collectAnalyses(
  client: Client,
  range: { from: Date; to: Date },
): Promise<AnalysesSummary> {
  const type = `WorkflowType = '${ROOT_CAUSE_ANALYSIS_WORKFLOW}'`;
  const open: OpenAnalysis[] = [];
  for await (const execution of client.workflow.list({ query: `${type} AND ExecutionStatus = 'Running'` })) {
    const due = execution.typedSearchAttributes.get(NextDeadlineAtKey);
    open.push({
      workflowId: execution.workflowId,
      dueAt: due ? due.toISOString() : null,
      overdue: execution.typedSearchAttributes.get(SlaBreachedKey) === true,
    });
  }
  open.sort(
    (a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || a.workflowId.localeCompare(b.workflowId),
  );
  const { count: closedInRange } = await client.workflow.count(
    `${type} AND ExecutionStatus = 'Completed' AND CloseTime >= '${range.from.toISOString()}' AND CloseTime < '${range.to.toISOString()}'`,
  );
  return { open, overdue: open.filter((entry) => entry.overdue).length, closedInRange };
}
