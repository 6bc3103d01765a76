/**
 * Closing a case and what follows (rules LE-1, LE-2, RT-1): its open windows are closed with it;
 * the customer is told; a share of closed cases is drawn for quality review; typical cases go to
 * the knowledge base; a promoter of a case without a journey is asked for a referral (a journey
 * decides that itself); the journey hears of the close.
 */
import { idempotencyKey } from '../kernel/activity-calls';
import { caseActivities as activities } from './activities';
import * as metrics from '../kernel/metrics';
import { tellJourney } from '../kernel/tell-parent';
import { nowIso } from '../kernel/time';
import { QA_DRAW_AT_CLOSE, QA_WEEKLY_DRAW } from '../kernel/versions';
import { caseClosedSignal, type CaseOutcome } from './contract';
import { isClosed, type Case } from './model';
import { caseResult, isPromoter } from './view';

export function closeCase(c: Case, outcome: CaseOutcome, why: string): void {
  const s = c.s;
  if (isClosed(c)) return;
  c.windows.cancelAll('case closed');
  c.agenda.stop();
  s.outcome = outcome;
  s.closedAt = nowIso();
  s.pendingOffer = undefined;
  c.entity.moveTo('closed', why);
  c.entity.record('closed', `${outcome}: ${why}`, { data: { outcome } });
  metrics.caseClosed({ outcome, team: s.team, priority: s.priority });
  // The weekly report draws the sample (exactly 20 % of the week); a case whose own policy names a
  // rate (a team reviewing all of its cases, or none) still draws itself, with its close, so both
  // reach the index in the same upsert. Before qa-weekly-draw every case drew itself.
  if (c.code.has(QA_WEEKLY_DRAW) && s.input.policy?.qaSampleRate === undefined) s.qaByWeeklyDraw = true;
  else if (c.code.has(QA_DRAW_AT_CLOSE)) drawQaSample(c);
}

/**
 * Rule LE-2: 20 % of after-sales tickets are sampled for quality review. The sandbox's
 * Math.random is seeded per workflow, so replays draw the same sample.
 */
function drawQaSample(c: Case): void {
  const s = c.s;
  s.qaSampled = Math.random() < s.policy.qaSampleRate;
  c.entity.record('qa-sampling', s.qaSampled ? 'drawn for quality review' : 'not drawn for quality review');
}

/** QA sample, knowledge base, referral and the parent journey, once closed. */
export async function afterClose(c: Case): Promise<void> {
  const s = c.s;
  if (s.qaSampled === undefined && !s.qaByWeeklyDraw) drawQaSample(c);
  const outcome = s.outcome ?? 'closed';
  await Promise.all([
    c.entity.notifyCustomer('customer/closed', 'case-closed', { outcome }),
    s.qaSampled
      ? c.entity.attempt('qa-review', 'requesting the QA review', () =>
          activities.requestQaReview.executeWithOptions({ summary: 'QA review (20 % sample)' }, [
            {
              idempotencyKey: idempotencyKey('qa-review'),
              caseId: s.caseId,
              team: s.team,
              priority: s.priority,
              category: s.input.category,
              outcome,
            },
          ]),
        )
      : undefined,
    s.typical ? recordTypicalCase(c) : undefined,
    isPromoter(c) && !s.input.journeyId ? requestReferral(c) : undefined,
  ]);
  // A case heard through its result tells its journey as the last step (tellJourneyOfClose).
  if (s.input.reportBack !== 'result') await tellJourneyOfClose(c);
}

/**
 * The close, told to the case's journey. A case started with `reportBack: 'result'` calls this
 * last, in the step that completes it: a `reportBySignal` arriving meanwhile makes the server
 * refuse the completion, and the step runs again with the news.
 */
export async function tellJourneyOfClose(c: Case): Promise<void> {
  const s = c.s;
  if (!s.input.journeyId) return;
  if (s.input.reportBack === 'result' && !s.reportBySignal) {
    c.entity.record('journey-informed', `journey ${s.input.journeyId} hears of the close through the result`);
    return;
  }
  const delivery = await tellJourney(s.input.journeyId, caseClosedSignal, caseResult(c));
  if (delivery.delivered) c.entity.record('journey-informed', `journey ${s.input.journeyId} informed`);
  else
    c.entity.record(
      'journey-not-informed',
      `journey ${s.input.journeyId} could not be informed: ${delivery.reason}`,
    );
}

/** Rule LE-1: typical cases go to the knowledge base. */
async function recordTypicalCase(c: Case): Promise<void> {
  const s = c.s;
  const result = await c.entity.attempt('knowledge-base', 'recording the knowledge-base entry', () =>
    activities.recordKnowledgeBaseEntry.executeWithOptions({ summary: 'knowledge base: typical case' }, [
      {
        idempotencyKey: idempotencyKey('knowledge-base'),
        caseId: s.caseId,
        category: s.input.category,
        severity: s.input.severity,
        resolutionType: s.resolution?.type,
        summary: `${s.input.category}/${s.input.severity}: ${s.resolution?.type ?? 'no resolution'} → ${s.outcome}`,
        problem: s.input.description,
        solution: s.resolution
          ? `${s.resolution.type} (${s.resolution.status})${s.resolutionNote ? `: ${s.resolutionNote}` : ''}`
          : undefined,
        product: s.input.product?.sku,
        cause: s.input.cause,
      },
    ]),
  );
  if (result) c.entity.record('knowledge-base', `knowledge-base entry ${result.entryId} recorded`);
}

/** Rule RT-1: a promoter is asked for a referral. */
async function requestReferral(c: Case): Promise<void> {
  const s = c.s;
  const result = await c.entity.attempt('referral', 'requesting a referral', () =>
    activities.requestReferral.executeWithOptions({ summary: 'referral request (promoter)' }, [
      {
        idempotencyKey: idempotencyKey('referral'),
        customerId: s.input.customerId,
        channel: s.input.channel,
        subjectId: s.caseId,
      },
    ]),
  );
  if (result) c.entity.record('referral-requested', 'promoter asked for a referral');
}
