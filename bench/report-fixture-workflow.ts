// The report-scale section's stand-in for closed cases (bench/report-scale.ts): an
// `afterSalesCase` that completes at once with the result it is given. The bench starts it with
// the same result in its memo, as a real case writes it when it closes, so the report reads these
// executions exactly as it reads real ones, for one workflow task each.
import type { CaseResult } from '../workflows/after-sales-case/contract';

export async function afterSalesCase(result: CaseResult): Promise<CaseResult> {
  return await Promise.resolve(result);
}
