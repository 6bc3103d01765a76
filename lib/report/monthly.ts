/**
 * The monthly frequent-issue summary's numbers (rule X6): the most frequent categories, products
 * and causes of a month's closed cases, each with its count the month before and the trend.
 */
import type { CaseResult } from '../../workflows/after-sales-case/contract';
import type { IssueCount } from '../../workflows/monthly-issue-summary/contract';

/** How many of each list the summary shows (ours). */
export const TOP_ISSUES = 5;

function counts(
  cases: readonly CaseResult[],
  key: (result: CaseResult) => string | undefined,
): Map<string, number> {
  const result = new Map<string, number>();
  for (const entry of cases) {
    const value = key(entry);
    if (value !== undefined) result.set(value, (result.get(value) ?? 0) + 1);
  }
  return result;
}

/** The `top` most frequent values of `key` this month, with last month's count and the trend. */
export function frequentIssues(
  current: readonly CaseResult[],
  previous: readonly CaseResult[],
  key: (result: CaseResult) => string | undefined,
  top = TOP_ISSUES,
): IssueCount[] {
  const now = counts(current, key);
  const before = counts(previous, key);
  return [...now.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, top)
    .map(([value, count]) => {
      const was = before.get(value) ?? 0;
      const trend = was === 0 ? 'new' : count > was ? 'up' : count < was ? 'down' : 'same';
      return { key: value, count, previous: was, trend };
    });
}
