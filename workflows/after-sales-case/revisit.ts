/**
 * The revisit (rules AS-14, AS-15, AS-17): within 48 hours of the resolution the customer is
 * asked whether the fix worked. Satisfied closes the case; not satisfied reopens it with the
 * specialist team — handled again, revisited again — and after the reopen limit with management;
 * no answer at all closes it as "no feedback" after a week (our default).
 */
import { condition } from '@temporalio/workflow';
import type { z } from 'zod';
import { idempotencyKey } from '../kernel/activity-calls';
import { caseActivities as activities } from './activities';
import * as metrics from '../kernel/metrics';
import { addMs, formatInstant, nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import { closeUnlessClaimOpen } from './carrier-claim';
import { completeFollowUpStep } from './complaint';
import type { FeedbackResult, SubmitFeedback } from './contract';
import { isClosed, type Case } from './model';
import { assign } from './triage';
import { notifyCaseStaff, raiseEscalation } from './windows';

const NO_FEEDBACK = 'no-feedback';

/** Registers the revisit's deadline on the case's agenda. */
export function watchRevisits(c: Case): void {
  c.agenda.on(NO_FEEDBACK, () => {
    if (isClosed(c) || c.s.feedbackOutcome) return;
    closeUnlessClaimOpen(c, {
      outcome: 'closed-no-feedback',
      reason: `no feedback within ${c.s.policy.noFeedbackCloseHours} hours of the resolution`,
    });
  });
}

/** Resolution rounds until the case closes; bounded by the reopen limit. */
export async function revisitUntilClosed(c: Case): Promise<void> {
  const s = c.s;
  while (!isClosed(c)) {
    await condition(() => s.resolvedAt !== undefined || isClosed(c));
    if (isClosed(c)) return;
    await startRevisit(c);
    await condition(() => s.feedbackOutcome !== undefined || isClosed(c));
    if (isClosed(c)) return;
    const outcome = s.feedbackOutcome!;
    if (outcome.satisfied) {
      completeFollowUpStep(c);
      closeUnlessClaimOpen(c, { outcome: 'closed-satisfied', reason: 'the customer confirmed the fix' });
      // A close held for the carrier claim is carried out when the claim settles.
      if (!isClosed(c)) await condition(() => isClosed(c));
      return;
    }
    if (outcome.outcome === 'closed') {
      closeUnlessClaimOpen(c, {
        outcome: 'closed-unsatisfied',
        reason: 'still not satisfied after management handled the case',
      });
      if (!isClosed(c)) await condition(() => isClosed(c));
      await notifyCaseStaff(c, `unsatisfied/${s.reopenCount}`, {
        audience: 'management',
        reason: 'case closed unsatisfied after management handling; follow the relationship up',
      });
      return;
    }
    await reopen(c, outcome.outcome === 'escalated-to-management');
  }
}

async function startRevisit(c: Case): Promise<void> {
  const s = c.s;
  const round = s.reopenCount + 1;
  const clock = c.windows.start('revisit', s.policy.revisit);
  const closeAfter = addMs(s.resolvedAt!, s.policy.noFeedbackCloseHours * 3_600_000);
  c.agenda.set({
    key: `${NO_FEEDBACK}/${round}`,
    kind: NO_FEEDBACK,
    dueAt: closeAfter,
    summary: 'close as "no feedback"',
  });
  const dueAt = c.windows.dueAt(clock) ?? nowIso();
  await Promise.all([
    c.entity.attempt(`revisit/${round}`, 'creating the revisit task', () =>
      activities.scheduleRevisit.executeWithOptions({ summary: `revisit task due ${formatInstant(dueAt)}` }, [
        {
          idempotencyKey: idempotencyKey(`revisit/${round}`),
          caseId: s.caseId,
          team: s.team,
          assignee: s.assignee,
          dueAt,
        },
      ]),
    ),
    c.entity.attempt(`survey/${round}`, 'sending the satisfaction survey', () =>
      activities.sendSurvey.executeWithOptions({ summary: 'satisfaction survey' }, [
        {
          idempotencyKey: idempotencyKey(`survey/${round}`),
          caseId: s.caseId,
          customerId: s.input.customerId,
          channel: s.input.channel,
          replyTo: { workflowId: s.caseId, update: 'submitFeedback' },
        },
      ]),
    ),
  ]);
  c.entity.record('revisit-scheduled', `revisit ${round} due ${formatInstant(dueAt)}; survey sent`, {
    window: 'revisit',
  });
}

export function validateFeedback(c: Case): void {
  if (c.s.feedback) throw new RuleViolation('feedback for this round was already received');
}

/** Decides what the answer means; the revisit loop carries it out. */
export function submitFeedback(c: Case, feedback: z.output<typeof SubmitFeedback>): FeedbackResult {
  const s = c.s;
  s.feedback = { ...feedback, at: nowIso() };
  const satisfied = feedback.resolved && feedback.csat >= s.policy.satisfiedCsat;
  // Rule AS-17: management is the last round; a case escalated to management by hand gets that
  // round too before it can close unsatisfied (executions before handling-v3 closed at once).
  const managementDone = s.escalation === 'management' && (!c.handlingV3 || s.managementHandled === true);
  const outcome: FeedbackResult['outcome'] = satisfied
    ? 'closed'
    : managementDone
      ? 'closed'
      : s.reopenCount >= s.policy.maxReopens || s.escalation === 'management'
        ? 'escalated-to-management'
        : 'reopened';
  s.feedbackOutcome = { outcome, satisfied, reopenCount: s.reopenCount + (outcome === 'closed' ? 0 : 1) };
  c.windows.fulfil('revisit', 'feedback received');
  metrics.feedbackReceived({ csat: feedback.csat, nps: feedback.nps, satisfied, team: s.team });
  c.agenda.clear(`${NO_FEEDBACK}/${s.reopenCount + 1}`);
  c.entity.record(
    'feedback-received',
    `CSAT ${feedback.csat}${feedback.nps !== undefined ? `, NPS ${feedback.nps}` : ''}, ${feedback.resolved ? 'fixed' : 'not fixed'} → ${satisfied ? 'satisfied' : 'not satisfied'}`,
    { data: { csat: feedback.csat, nps: feedback.nps, resolved: feedback.resolved, satisfied } },
  );
  return s.feedbackOutcome;
}

/** Rule AS-15: not satisfied → the specialist team handles it again (then management). */
async function reopen(c: Case, toManagement: boolean): Promise<void> {
  const s = c.s;
  s.reopenCount += 1;
  s.feedback = undefined;
  s.feedbackOutcome = undefined;
  s.resolvedAt = undefined;
  s.resolution = undefined;
  const level = toManagement ? 'management' : 'specialist-team';
  if (toManagement) s.managementHandled = true;
  if (!raiseEscalation(c, level, `revisit not satisfied (reopening ${s.reopenCount})`)) s.team = level;
  c.entity.record('reopened', `reopened (${s.reopenCount}/${s.policy.maxReopens}) for ${level}`, {
    data: { reopenCount: s.reopenCount, team: level },
  });
  c.windows.start('resolution', s.policy.resolution[s.priority]);
  c.entity.moveTo('in-progress', `reopened for ${level}`);
  metrics.caseReopened({ team: s.team, priority: s.priority });
  await Promise.all([
    assign(c, `reopen/${s.reopenCount}`),
    notifyCaseStaff(c, `reopen/${s.reopenCount}`, {
      audience: level,
      reason: `customer not satisfied after resolution; reopening ${s.reopenCount}`,
    }),
  ]);
  c.entity.touch();
}
