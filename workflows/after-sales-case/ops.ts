/**
 * What ops do by hand: reclassify (priority, team and deadlines are recomputed, rule AS-2),
 * escalate, or close the case.
 */
import type { z } from 'zod';
import { RuleViolation } from '../kernel/validation';
import { closeCase } from './after-close';
import type { CloseCase, Escalate, Reclassify } from './contract';
import { claimName, claimOpen, ESCALATION_ORDER, type Case } from './model';
import { priorityOf, teamFor } from './policy';
import { assign, runProcedures } from './triage';
import { notifyCaseStaff, raiseEscalation, startCategoryWindows } from './windows';

export function validateReclassify(c: Case, request: z.output<typeof Reclassify>): void {
  const { input } = c.s;
  const same =
    (request.severity ?? input.severity) === input.severity &&
    (request.scope ?? input.scope) === input.scope &&
    (request.category ?? input.category) === input.category;
  if (same) throw new RuleViolation('nothing changes: severity, scope and category are already these');
}

export async function reclassify(c: Case, request: z.output<typeof Reclassify>): Promise<void> {
  const s = c.s;
  const before = { priority: s.priority, team: s.team };
  s.input = {
    ...s.input,
    severity: request.severity ?? s.input.severity,
    scope: request.scope ?? s.input.scope,
    category: request.category ?? s.input.category,
  };
  s.priority = priorityOf(s.policy, s.input.severity, s.input.scope);
  if (s.escalation !== 'specialist-team' && s.escalation !== 'management') {
    s.team = teamFor(s.policy, s.input.category, s.priority);
  }
  c.entity.record(
    'reclassified',
    `${s.input.category} / ${s.input.severity} / ${s.input.scope}: ${before.priority} → ${s.priority}, ${before.team} → ${s.team} (${request.reason})`,
    { data: { ...request, priority: s.priority, team: s.team } },
  );
  c.windows.rebudget('first-reply', s.policy.firstReply[s.priority]);
  c.windows.rebudget('resolution', s.policy.resolution[s.priority]);
  const procedures = startCategoryWindows(c);
  await Promise.all([
    runProcedures(c, procedures),
    s.team !== before.team ? assign(c, `reclassify/${s.timeline.length}`) : undefined,
  ]);
  c.entity.touch();
}

export function validateEscalate(c: Case, request: z.output<typeof Escalate>): void {
  if (ESCALATION_ORDER.indexOf(request.level) <= ESCALATION_ORDER.indexOf(c.s.escalation)) {
    throw new RuleViolation(`the case is already escalated to ${c.s.escalation}`);
  }
}

export async function escalate(c: Case, request: z.output<typeof Escalate>): Promise<void> {
  raiseEscalation(c, request.level, `${request.reason} (by hand)`);
  await notifyCaseStaff(c, `escalate/${request.level}`, { audience: request.level, reason: request.reason });
}

/** Rule AS-7: a case with its carrier claim open cannot be closed by hand either. */
export function validateClose(c: Case): void {
  if (claimOpen(c)) {
    throw new RuleViolation(
      `the carrier claim ${claimName(c)} is ${c.s.claim?.state ?? 'open'}: follow it to settlement first`,
    );
  }
}

export function closeByOps(c: Case, request: z.output<typeof CloseCase>): void {
  closeCase(
    c,
    'closed-by-ops',
    `closed by ops: ${request.reason}${request.note ? ` — ${request.note}` : ''}`,
  );
}
