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
  /** Share of the period's closed cases drawn for quality review, rounded up (rule LE-2). */
  caseShare: z.number().min(0).max(1).default(0.2),
  /** Share of the period's answered inquiries drawn for a spot check, rounded up (rule X16; ours). */
  inquiryShare: z.number().min(0).max(1).default(0.1),
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
        /** The area's NPS and what put it below target (reports since NPS flags areas too). */
        nps: z.number().nullable().optional(),
        below: z.array(z.enum(['csat', 'nps'])).optional(),
      }),
    )
    .optional(),
  /** The QA draw (since qa-weekly-draw): its seed, and what was drawn from how many. */
  qaDraw: z
    .object({
      seed: z.number(),
      cases: z.object({ population: z.number(), drawn: z.array(z.string()) }),
      inquiries: z.object({ population: z.number(), drawn: z.array(z.string()) }),
      reviewsStarted: z.number(),
    })
    .optional(),
  /** Root-cause analyses this report opened, and those already open for an area it flagged again. */
  rootCauseAnalyses: z.object({ opened: z.array(z.string()), alreadyOpen: z.array(z.string()) }).optional(),
  satisfactionRate: z.number().nullable(),
  slaCompliance: z.number().nullable(),
  /** The receiver's id for the delivered report. */
  deliveryId: z.string(),
});
export type WeeklyQaReportSummary = z.infer<typeof WeeklyQaReportSummary>;

/** What the week's QA draw is taken from: closed cases and answered inquiries, with their customers. */
export const QaPopulation = z.object({
  cases: z.array(z.object({ id: z.string(), customerId: z.string() })),
  inquiries: z.array(z.object({ id: z.string(), customerId: z.string().optional() })),
});
export type QaPopulation = z.infer<typeof QaPopulation>;
