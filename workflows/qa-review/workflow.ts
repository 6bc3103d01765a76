/**
 * `qaReview`: one drawn case or answered inquiry reviewed as tracked work (rule LE-2): the
 * reviewer is told, reminded at 75 % of the window, the quality lead told when it is overdue; the
 * scores and findings close it and go into its memo for the next weekly report.
 */
import { upsertMemo, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../kernel/contract';
import { assertWorkableCalendar, parseWorkflowInput } from '../kernel/input';
import { registerMessages } from '../kernel/messages';
import { formatInstant, nowIso } from '../kernel/time';
import { TrackedWork } from '../kernel/tracked-work';
import {
  QA_REVIEW_MEMO,
  QA_REVIEW_MESSAGES,
  QA_REVIEW_WORKFLOW,
  QaReviewInput,
  type QaReviewView,
  type SubmitQaReview,
} from './contract';

type Parsed = ReturnType<typeof QaReviewInput.parse>;

export async function qaReview(input: QaReviewInput): Promise<QaReviewView> {
  const parsed = parseWorkflowInput(QaReviewInput, input, QA_REVIEW_WORKFLOW);
  assertWorkableCalendar(
    QA_REVIEW_WORKFLOW,
    parsed.calendar,
    'calendar',
    [{ field: 'dueWithin', ms: durationMs(parsed.dueWithin) }],
    nowIso(),
  );
  const review = new Review(parsed);
  await review.work.run(`${parsed.subject.kind} ${parsed.subject.id} drawn for quality review`);
  // The scores, no personal data, where the report's listing returns them.
  upsertMemo({ [QA_REVIEW_MEMO]: review.view() });
  return review.view();
}

class Review {
  readonly work: TrackedWork;
  private submitted?: SubmitQaReview & { findings: string };

  constructor(private readonly input: Parsed) {
    this.work = new TrackedWork({
      owner: input.reviewer,
      lead: input.lead,
      dueWithin: input.dueWithin,
      calendar: input.calendar,
      what: `quality review of ${input.subject.kind} ${input.subject.id}`,
      window: 'qa-review',
      details: () => this.details(),
    });
    registerMessages(
      QA_REVIEW_MESSAGES,
      {
        submitQaReview: {
          run: (request) => {
            this.submitted = request;
            this.work.close(request.reviewer);
            return this.view();
          },
        },
        getQaReview: () => this.view(),
      },
      {
        stage: () => this.work.entity.stage,
        rejectSignal: (name, problems) => this.work.entity.rejectSignal(name, problems),
      },
    );
  }

  private details(): string {
    const { subject, reviewer } = this.input;
    const stage = this.work.entity.stage;
    const scores = this.submitted?.scores;
    return [
      `**Quality review** · ${subject.kind} ${subject.id} · reviewer ${reviewer}`,
      stage === 'closed' && scores
        ? `**Scores:** solution ${scores.solution}, communication ${scores.communication}, satisfaction ${scores.satisfaction}`
        : `**${stage === 'overdue' ? 'Overdue' : 'Due'}:** ${formatInstant(this.work.dueAt)}`,
    ].join('\n\n');
  }

  view(): QaReviewView {
    return {
      workflowId: workflowInfo().workflowId,
      subject: this.input.subject,
      stage: this.work.entity.stage,
      reviewer: this.input.reviewer,
      openedAt: this.work.openedAt,
      dueAt: this.work.dueAt,
      overdue: this.work.overdue,
      closedAt: this.work.closedAt,
      scores: this.submitted?.scores,
      findings: this.submitted?.findings,
      reviewedBy: this.submitted?.reviewer,
    };
  }
}
