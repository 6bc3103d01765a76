/**
 * Collect and compute in one call: what `npm run report` and the weekly QA report activity share.
 */
import type { Client } from '@temporalio/client';
import { collectCaseResults, countOpenCases } from './collect';
import { buildReport, type Report, type SkippedCase } from './metrics';
import { collectAnalyses } from './analyses';
import { collectQaReviews } from './qa-reviews';
import { collectCustomersAtRisk } from './at-risk';
import { collectJourneyReports, presalesMetrics } from './presales';

export interface GenerateOptions {
  from: Date;
  to: Date;
  /** An extra visibility filter, ANDed with the range. */
  extraQuery?: string;
  minAnswers?: number;
  /** Days within which a case of the same customer and product repeats an earlier one (30). */
  repeatWindowDays?: number;
  /** An area's NPS below this flags it (0). */
  npsTarget?: number;
  onProgress?: (done: number, total: number) => void;
  /** Read every result from its history, even when its memo has it (compares the two paths). */
  ignoreMemo?: boolean;
  /** Leave out the pre-sales figures (journeys are not listed). */
  withoutPresales?: boolean;
  /** Leave out the root-cause analyses and the QA reviews. */
  withoutAnalyses?: boolean;
  /** The weekly draw's case ids, the report's QA sample. */
  qaSampleIds?: readonly string[];
  /** An extra visibility filter for the journeys (the case filter may name case-only attributes). */
  journeyQuery?: string;
}

/** Reads the closed cases of the range and the open ones, and builds the report. */
export async function generateReport(client: Client, options: GenerateOptions): Promise<Report> {
  const skipped: SkippedCase[] = [];
  const [cases, openCases, journeys, analyses, qaReviews, atRisk] = await Promise.all([
    collectCaseResults(client, {
      from: options.from,
      to: options.to,
      extraQuery: options.extraQuery,
      onProgress: options.onProgress,
      ignoreMemo: options.ignoreMemo,
      onSkipped: (skip) => skipped.push(skip),
    }),
    countOpenCases(client, { to: options.to, extraQuery: options.extraQuery }),
    options.withoutPresales
      ? undefined
      : collectJourneyReports(client, {
          from: options.from,
          to: options.to,
          extraQuery: options.journeyQuery,
        }),
    options.withoutAnalyses ? undefined : collectAnalyses(client, { from: options.from, to: options.to }),
    options.withoutAnalyses ? undefined : collectQaReviews(client, { from: options.from, to: options.to }),
    options.withoutPresales ? undefined : collectCustomersAtRisk(client, options.journeyQuery),
  ]);
  const generatedAt = new Date();
  return buildReport({
    results: cases.map((entry) => entry.result),
    range: { from: options.from, to: options.to },
    generatedAt,
    // In the order of the cases, not of whichever history was read first.
    skipped: skipped.sort((a, b) => (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0)),
    openCases,
    rootCauseAnalyses: analyses,
    qaReviews,
    customersAtRisk: atRisk,
    presales: journeys && presalesMetrics(journeys, { from: options.from, to: options.to }, generatedAt),
    options: {
      minAnswers: options.minAnswers,
      repeatWindowDays: options.repeatWindowDays,
      npsTarget: options.npsTarget,
      qaSampleIds: options.qaSampleIds,
    },
  });
}
