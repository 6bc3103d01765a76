/**
 * The response windows of a case and what their ladders mean (rules AS-4 … AS-10): which windows
 * a case opens, and what happens at each rung — warnings to the assignee, the team lead, the
 * specialist team; at the breach, escalation to the specialists (a missed revisit instead goes
 * to a person).
 */
import type { DueStep } from '../kernel/sla-clock';
import type { Team } from '../kernel/contract';
import * as metrics from '../kernel/metrics';
import { ESCALATION_ORDER, windowLabel, type Case, type Escalation } from './model';
import type { Audience, WindowName } from './policy';

/** Procedures a category brings with its window: a claim with the carrier, a recall. */
export type CategoryProcedure = 'carrier-claim' | 'recall' | 'recall-details';

/** The first-reply and resolution windows of the case's priority, and its category's windows. */
export function startCaseWindows(c: Case): CategoryProcedure[] {
  const { policy, priority } = c.s;
  c.windows.start('first-reply', policy.firstReply[priority]);
  c.windows.start('resolution', policy.resolution[priority]);
  return startCategoryWindows(c);
}

/** Windows that come with the category; returns the procedures to run for them. */
export function startCategoryWindows(c: Case): CategoryProcedure[] {
  const { input, policy } = c.s;
  const procedures: CategoryProcedure[] = [];
  // Rule AS-7: a solution agreed with the carrier within 24 hours.
  if (input.category === 'logistics' && !c.windows.latest('carrier-solution')) {
    c.windows.start('carrier-solution', policy.carrierSolution);
    procedures.push('carrier-claim');
  }
  // Rule AS-8: a cosmetic quality flaw is exchanged within 48 hours.
  if (input.category === 'quality' && input.severity === 'cosmetic' && !c.windows.latest('exchange')) {
    c.windows.start('exchange', policy.cosmeticExchange);
  }
  // Rule AS-20: the functional defect, the middle tier of quality complaints: a remedy decided
  // within 24 hours and completed within 72.
  if (
    c.handlingV4 &&
    input.category === 'quality' &&
    input.severity === 'function-failure' &&
    !c.windows.latest('defect-decision')
  ) {
    c.windows.start('defect-decision', policy.functionalDefect.decision);
    c.windows.start('defect-completion', policy.functionalDefect.completion);
  }
  // Rule AS-9: a safety hazard opens a recall at once — traced by its batch or order, which the
  // customer is asked for when the report has neither.
  if (input.severity === 'safety-hazard' && !c.windows.latest('recall')) {
    if (c.handlingV4 && !input.product?.batch && !input.product?.orderId) {
      if (!c.windows.latest('recall-details')) {
        c.windows.start('recall-details', policy.recallDetails);
        procedures.push('recall-details');
      }
    } else {
      c.windows.start('recall', policy.recallOpening);
      procedures.push('recall');
    }
  }
  return procedures;
}

/** Raises the escalation level (never lowers it); specialists and management take the case. */
export function raiseEscalation(c: Case, level: Exclude<Escalation, 'none'>, why: string): boolean {
  if (ESCALATION_ORDER.indexOf(level) <= ESCALATION_ORDER.indexOf(c.s.escalation)) return false;
  metrics.caseEscalated({ level, team: c.s.team });
  c.s.escalation = level;
  if (level === 'specialist-team' || level === 'management') c.s.team = level;
  c.entity.record('escalated', `escalated to ${level}: ${why}`, { data: { level } });
  return true;
}

/** The team a notification to `audience` goes to. */
export function teamForAudience(c: Case, audience: Audience | 'ops'): Team {
  if (audience === 'specialist-team') return 'specialist-team';
  if (audience === 'management') return 'management';
  return c.s.team;
}

/** Rule AS-10: what a ladder step of a case window does. The kernel recorded it already. */
export async function onLadderStep(
  c: Case,
  { clock, step, breach }: DueStep<Audience, WindowName>,
): Promise<void> {
  const label = windowLabel(clock.window);
  // Rule AS-22: a collaborating team's window warns that team (its members, its lead); its breach
  // is the team's, told to the case's owner, not the case's own escalation.
  const collaborator = clock.window === 'collaboration' ? (clock.subject as Team | undefined) : undefined;
  if (breach) {
    if (clock.window === 'revisit') {
      // Rule AS-14: no feedback within the revisit window: a person takes the revisit over.
      c.entity.moveTo('revisit-overdue', 'no feedback within the revisit window; handed to a person');
    } else if (!collaborator) {
      raiseEscalation(c, 'specialist-team', `${label} window breached`);
    }
  }
  const reason = breach
    ? `${c.s.priority} case ${label} window breached${collaborator ? ` by ${collaborator}` : ''}`
    : `${c.s.priority} case: ${step.percent}% of the ${label} window used${collaborator ? ` (${collaborator})` : ''}`;
  const audiences = collaborator && breach ? [...step.notify, 'assignee' as const] : step.notify;
  const subject = clock.subject ? `/${clock.subject}` : '';
  await Promise.all(
    [...new Set(audiences)].map((audience) =>
      c.entity.notifyStaff(`sla/${clock.window}${subject}/${clock.cycle ?? 1}/${step.percent}/${audience}`, {
        audience,
        team:
          collaborator && (audience === 'team-lead' || (audience === 'assignee' && !breach))
            ? collaborator
            : teamForAudience(c, audience),
        staffId: audience === 'assignee' && (!collaborator || breach) ? c.s.assignee : undefined,
        priority: c.s.priority,
        window: clock.window,
        percent: step.percent,
        reason,
      }),
    ),
  );
}

/** A notification to staff about this case, with its team and priority. */
export function notifyCaseStaff(
  c: Case,
  step: string,
  request: { audience: Audience | 'ops'; reason: string; window?: string },
): Promise<unknown> {
  return c.entity.notifyStaff(step, {
    ...request,
    team: teamForAudience(c, request.audience),
    staffId: request.audience === 'assignee' ? c.s.assignee : undefined,
    priority: c.s.priority,
  });
}
