/**
 * The activity the monthly frequent-issue summary calls. `activities/` implements it.
 */
import type { Keyed } from '../kernel/activities';
import type { MonthlyIssueSummary } from './contract';

export interface MonthlySummaryRequest extends Keyed {
  month: string;
  from: string;
  to: string;
  /** Start of the month before, for the trend. */
  previousFrom: string;
  /** An extra visibility filter on the cases. */
  query?: string;
}

/** As the workflow sees it. */
export interface MonthlyIssueSummaryActivities {
  /** Safe to run twice: it only reads, and every delivery and entry carries an idempotency key. */
  buildMonthlyIssueSummary(request: MonthlySummaryRequest): Promise<MonthlyIssueSummary>;
}
