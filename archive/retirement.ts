/**
 * When `archive/` can go: the visibility queries that count, per workflow type, the executions
 * still running the archived code. Every run of the current code marks the `redesign-v2` patch or,
 * since the patches were settled, `patches-settled-1` (which stands for it), both indexed by the
 * server in `TemporalChangeVersion`; a run of the archived code marks neither.
 * All three at zero (and no history of the archived code left to replay) is the signal to retire
 * it: see archive/README.md.
 */
const ARCHIVED = `ExecutionStatus = 'Running' AND (TemporalChangeVersion IS NULL OR TemporalChangeVersion NOT IN ('redesign-v2', 'patches-settled-1'))`;

export const ARCHIVED_EXECUTIONS_QUERY = {
  customerJourney: `WorkflowType = 'customerJourney' AND ${ARCHIVED}`,
  afterSalesCase: `WorkflowType = 'afterSalesCase' AND ${ARCHIVED}`,
  quoteApproval: `WorkflowType = 'quoteApproval' AND ${ARCHIVED}`,
} as const;
