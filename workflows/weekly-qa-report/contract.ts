/**
 * The `weeklyQaReport` contract: the workflow a Temporal Schedule starts every Monday to build
 * the week's after-sales report and QA sample and deliver them to the quality team.
 */
import { z } from 'zod';
import { IsoTimestamp } from '../kernel/contract';

export const WEEKLY_QA_REPORT_WORKFLOW = 'weeklyQaReport';
/** The schedule `npm run schedules` creates (overridable with CJ_QA_SCHEDULE_ID). */
export const WEEKLY_QA_SCHEDULE_ID = 'weekly-qa-report';

export const WeeklyQaReportInput = z.strictObject({
  /** End of the period (exclusive); the workflow's start time when omitted. */
  to: IsoTimestamp.optional(),
  /** Length of the period in days ("a weekly improvement report", rule LE-3). */
  days: z.number().int().min(1).max(92).default(7),
});
export type WeeklyQaReportInput = z.input<typeof WeeklyQaReportInput>;

export const WeeklyQaReportSummary = z.object({
  from: IsoTimestamp,
  to: IsoTimestamp,
  cases: z.number(),
  qaSample: z.number(),
  /** Areas below the 80 % satisfaction target, e.g. `team=quality-team`. */
  flaggedAreas: z.array(z.string()),
  /** The same areas with their figures (reports built before carry only the names). */
  flagged: z
    .array(
      z.object({
        dimension: z.enum(['team', 'category', 'priority', 'channel']),
        value: z.string(),
        satisfactionRate: z.number().nullable(),
        answers: z.number(),
      }),
    )
    .optional(),
  /** Root-cause analyses this report opened, and those already open for an area it flagged again. */
  rootCauseAnalyses: z.object({ opened: z.array(z.string()), alreadyOpen: z.array(z.string()) }).optional(),
  satisfactionRate: z.number().nullable(),
  slaCompliance: z.number().nullable(),
  /** The receiver's id for the delivered report. */
  deliveryId: z.string(),
});
export type WeeklyQaReportSummary = z.infer<typeof WeeklyQaReportSummary>;
