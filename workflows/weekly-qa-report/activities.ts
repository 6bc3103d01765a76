/**
 * The activities the weekly QA report calls: the report itself and the population its QA sample
 * is drawn from. `activities/` implements them.
 */
import type { Keyed } from '../kernel/activities';
import type { QaPopulation, WeeklyQaReportSummary } from './contract';

export interface WeeklyReportRequest extends Keyed {
  /** Start of the period (inclusive). */
  from: string;
  /** End of the period (exclusive). */
  to: string;
  /** The weekly draw's cases (since qa-weekly-draw): the report's QA sample. */
  sample?: { seed: number; caseIds: string[] };
}

/** As the workflow sees them. */
export interface WeeklyQaReportActivities {
  buildWeeklyQaReport(request: WeeklyReportRequest): Promise<WeeklyQaReportSummary>;
  /** Only reads: the closed cases and answered inquiries of a period, for the QA draw. */
  listQaPopulation(request: WeeklyReportRequest): Promise<QaPopulation>;
}
