/**
 * The `monthlyIssueSummary` contract (rule X6, "a monthly summary of frequent issues and new
 * solutions into the knowledge base"): started on the 1st of every month by a Temporal Schedule,
 * it summarises the previous month's closed cases — top categories, products and causes with their
 * trend against the month before — records the repeated issues in the knowledge base, and hands the
 * summary to the quality team and training.
 */
import { z } from 'zod';
import { IsoTimestamp } from '../kernel/contract';

export const MONTHLY_ISSUE_SUMMARY_WORKFLOW = 'monthlyIssueSummary';
/** The schedule `npm run schedules` creates (overridable with CJ_MONTHLY_SCHEDULE_ID). */
export const MONTHLY_SUMMARY_SCHEDULE_ID = 'monthly-issue-summary';

export const MonthlyIssueSummaryInput = z.strictObject({
  /** The month summarised (`YYYY-MM`, UTC); the month before the run when omitted. */
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month (YYYY-MM)')
    .optional(),
  /** An extra visibility filter on the cases, e.g. `AssignedTeam = 'quality-team'` (all cases when omitted). */
  query: z.string().trim().min(1).max(500).optional(),
});
export type MonthlyIssueSummaryInput = z.input<typeof MonthlyIssueSummaryInput>;

export const IssueCount = z.object({
  key: z.string(),
  count: z.number(),
  /** The same key's count the month before. */
  previous: z.number(),
  trend: z.enum(['new', 'up', 'same', 'down']),
});
export type IssueCount = z.infer<typeof IssueCount>;

export const MonthlyIssueSummary = z.object({
  month: z.string(),
  from: IsoTimestamp,
  to: IsoTimestamp,
  cases: z.number(),
  previousCases: z.number(),
  topCategories: z.array(IssueCount),
  topProducts: z.array(IssueCount),
  topCauses: z.array(IssueCount),
  /** Cases repeating an earlier one of the same customer and product (or category). */
  repeatIssues: z.number(),
  /** Knowledge-base entries recorded for the repeated issues. */
  knowledgeBaseEntries: z.number(),
  /** The receiver's id for the delivered summary. */
  deliveryId: z.string(),
});
export type MonthlyIssueSummary = z.infer<typeof MonthlyIssueSummary>;

/** The month's bounds (UTC) and the month before. */
export function monthRange(month: string): { from: string; to: string; previousFrom: string } {
  const [year, number] = month.split('-').map(Number) as [number, number];
  const at = (y: number, m: number) => new Date(Date.UTC(y, m - 1, 1)).toISOString();
  return { from: at(year, number), to: at(year, number + 1), previousFrom: at(year, number - 1) };
}

/** The month before the given instant (`YYYY-MM`, UTC). */
export function previousMonth(iso: string): string {
  const date = new Date(iso);
  const before = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1));
  return before.toISOString().slice(0, 7);
}
