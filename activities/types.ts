/**
 * Every activity a worker must implement: the union of the contracts the workflows declare
 * beside their rules (`workflows/kernel/activities.ts` for the shared ones, and an
 * `activities.ts` in each workflow folder). `createActivities` returns exactly this.
 */
import type { CaseActivities } from '../workflows/after-sales-case/activities';
import type { JourneyActivities } from '../workflows/customer-journey/activities';
import type { KernelActivities } from '../workflows/kernel/activities';
import type { MonthlyIssueSummaryActivities } from '../workflows/monthly-issue-summary/activities';
import type { WeeklyQaReportActivities } from '../workflows/weekly-qa-report/activities';

export type * from '../workflows/kernel/activities';
export type * from '../workflows/after-sales-case/activities';
export type * from '../workflows/customer-journey/activities';
export type * from '../workflows/weekly-qa-report/activities';
export type * from '../workflows/monthly-issue-summary/activities';

export type Activities = KernelActivities &
  CaseActivities &
  JourneyActivities &
  WeeklyQaReportActivities &
  MonthlyIssueSummaryActivities;
