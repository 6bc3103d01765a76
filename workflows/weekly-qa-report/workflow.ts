/**
 * `weeklyQaReport`: started every Monday by a Temporal Schedule (`npm run schedules`). One
 * activity reads the week's closed cases, builds the report with its QA sample and the areas
 * under 80 % satisfaction, and delivers it to the quality team (outbox or webhook).
 */
import {
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  startChild,
  uuid4,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { CustomerIdKey } from '../kernel/search-attributes';
import { qaReviewWorkflowId } from '../qa-review/contract';
import { qaReview } from '../qa-review/workflow';
import { rcaWorkflowId } from '../root-cause-analysis/contract';
import { rootCauseAnalysis } from '../root-cause-analysis/workflow';
import { idempotencyKey } from '../kernel/activity-calls';
import type { WeeklyQaReportActivities } from './activities';
import { FailureType } from '../kernel/errors';
import { parseWorkflowInput } from '../kernel/input';
import { formatInstant, nowIso } from '../kernel/time';
import { QA_WEEKLY_DRAW, RCA_FROM_WEEKLY_REPORT } from '../kernel/versions';
import {
  WEEKLY_QA_REPORT_WORKFLOW,
  WeeklyQaReportInput,
  type QaPopulation,
  type WeeklyQaReportSummary,
} from './contract';
import { drawSample, seedFrom } from './sample';

// Reading a week of histories takes a while: the activity heartbeats its progress, so a crashed
// worker is noticed within a minute and the report restarts on another one.
const { buildWeeklyQaReport, listQaPopulation } = proxyActivities<WeeklyQaReportActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '10 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [FailureType.IntegrationRejected],
  },
});

const DAY = 86_400_000;

// Its commands were the same as before the redesign; opening analyses is patched (versions.ts).

export async function weeklyQaReport(input: WeeklyQaReportInput = {}): Promise<WeeklyQaReportSummary> {
  const parsed = parseWorkflowInput(WeeklyQaReportInput, input ?? {}, WEEKLY_QA_REPORT_WORKFLOW);
  const to = parsed.to ?? nowIso();
  const from = new Date(Date.parse(to) - parsed.days * DAY).toISOString();
  setCurrentDetails(`**Weekly QA report** for ${formatInstant(from)} – ${formatInstant(to)}: building…`);
  const draw = patched(QA_WEEKLY_DRAW) ? await drawWeek(from, to, parsed) : undefined;
  const summary = await buildWeeklyQaReport.executeWithOptions(
    { summary: `report ${from.slice(0, 10)} – ${to.slice(0, 10)}` },
    [
      {
        idempotencyKey: idempotencyKey('report'),
        from,
        to,
        ...(draw ? { sample: { seed: draw.seed, caseIds: draw.cases.map((c) => c.id) } } : {}),
      },
    ],
  );
  if (draw) summary.qaDraw = await startReviews(draw, from, to);
  if (patched(RCA_FROM_WEEKLY_REPORT)) summary.rootCauseAnalyses = await openAnalyses(summary);
  setCurrentDetails(
    `**Weekly QA report** for ${formatInstant(from)} – ${formatInstant(to)}\n\n` +
      `${summary.cases} closed cases · ${summary.qaSample} drawn for QA review` +
      (summary.qaDraw
        ? ` (seed ${summary.qaDraw.seed}; ${summary.qaDraw.inquiries.drawn.length} of ${summary.qaDraw.inquiries.population} answered inquiries)`
        : '') +
      ' · ' +
      `${summary.flaggedAreas.length ? `below 80 %: ${summary.flaggedAreas.join(', ')}` : 'no area below 80 %'} · ` +
      `delivered as ${summary.deliveryId}` +
      (summary.rootCauseAnalyses
        ? ` · root-cause analyses opened: ${summary.rootCauseAnalyses.opened.length}, already open: ${summary.rootCauseAnalyses.alreadyOpen.length}`
        : ''),
  );
  return summary;
}

/**
 * Rule LE-4: every flagged area gets a root-cause analysis with an owner (a team's lead for a
 * team, the quality lead otherwise; ours). An area whose analysis is still open keeps that one.
 */
async function openAnalyses(
  summary: WeeklyQaReportSummary,
): Promise<NonNullable<WeeklyQaReportSummary['rootCauseAnalyses']>> {
  const opened: string[] = [];
  const alreadyOpen: string[] = [];
  for (const area of summary.flagged ?? []) {
    const workflowId = rcaWorkflowId(area);
    try {
      await startChild(rootCauseAnalysis, {
        workflowId,
        // The analysis outlives the report that opened it.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [
          {
            area: { dimension: area.dimension, value: area.value },
            trigger: {
              satisfactionRate: area.satisfactionRate ?? 0,
              answers: area.answers,
              target: 0.8,
              ...(area.below?.includes('nps') && area.nps !== null && area.nps !== undefined
                ? { nps: area.nps, npsTarget: 0 }
                : {}),
              from: summary.from,
              to: summary.to,
            },
            owner: area.dimension === 'team' ? `${area.value}-lead` : 'quality-lead',
          },
        ],
        staticSummary: `root-cause analysis: ${area.dimension} ${area.value}`,
      });
      opened.push(workflowId);
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      alreadyOpen.push(workflowId);
    }
  }
  return { opened, alreadyOpen };
}

interface WeekDraw {
  seed: number;
  population: QaPopulation;
  cases: QaPopulation['cases'];
  inquiries: QaPopulation['inquiries'];
}

/**
 * Rule LE-2: exactly the share (20 %, rounded up) of the week's closed cases, and a share of its
 * answered inquiries (X16), drawn with a seed recorded in the result: the same week and seed give
 * the same sample.
 */
async function drawWeek(from: string, to: string, input: WeeklyQaReportInput): Promise<WeekDraw> {
  const { caseShare = 0.2, inquiryShare = 0.1 } = input;
  const population = await listQaPopulation.executeWithOptions(
    { summary: `QA population ${from.slice(0, 10)} – ${to.slice(0, 10)}` },
    [{ idempotencyKey: idempotencyKey('qa-population'), from, to }],
  );
  const seed = seedFrom(uuid4());
  const pick = <T extends { id: string }>(items: T[], share: number, salt: number): T[] => {
    const drawn = new Set(
      drawSample(
        items.map((item) => item.id),
        share,
        seed + salt,
      ),
    );
    return items.filter((item) => drawn.has(item.id));
  };
  return {
    seed,
    population,
    cases: pick(population.cases, caseShare, 0),
    inquiries: pick(population.inquiries, inquiryShare, 1),
  };
}

/** Each drawn case and inquiry gets its review (tracked work that outlives this report). */
async function startReviews(
  draw: WeekDraw,
  from: string,
  to: string,
): Promise<NonNullable<WeeklyQaReportSummary['qaDraw']>> {
  let started = 0;
  const subjects = [
    ...draw.cases.map((c) => ({ kind: 'case' as const, id: c.id, customerId: c.customerId })),
    ...draw.inquiries.map((i) => ({ kind: 'inquiry' as const, id: i.id, customerId: i.customerId })),
  ];
  for (const subject of subjects) {
    try {
      await startChild(qaReview, {
        workflowId: qaReviewWorkflowId(subject),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ subject, draw: { from, to, seed: draw.seed } }],
        // Searchable by customer from the start (an opaque id; not billed as an upsert).
        ...(subject.customerId
          ? { typedSearchAttributes: [{ key: CustomerIdKey, value: subject.customerId }] }
          : {}),
        staticSummary: `QA review: ${subject.kind} ${subject.id}`,
      });
      started += 1;
    } catch (error) {
      // Drawn in an earlier week's run of the same period: its review stands.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
  return {
    seed: draw.seed,
    cases: { population: draw.population.cases.length, drawn: draw.cases.map((c) => c.id) },
    inquiries: { population: draw.population.inquiries.length, drawn: draw.inquiries.map((i) => i.id) },
    reviewsStarted: started,
  };
}
