/**
 * Collaboration (rule AS-22): a complex case brings in other teams — technical, supply chain,
 * logistics — each asked a question with a response window of its own on the case's clock. The
 * case's owner stays; a late answer is told to that team's lead and to the owner, not escalated
 * as the case's own breach.
 */
import type { z } from 'zod';
import { nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import type { CollaboratorAnswered, InvolveTeam } from './contract';
import type { Case } from './model';

function openRequest(c: Case, team: string) {
  return c.s.collaborators?.find((entry) => entry.team === team && entry.answeredAt === undefined);
}

export function validateInvolveTeam(c: Case, request: z.output<typeof InvolveTeam>): void {
  if (request.team === c.s.team) throw new RuleViolation(`${request.team} already owns the case`);
  if (openRequest(c, request.team)) {
    throw new RuleViolation(`${request.team} was already asked and has not answered yet`);
  }
}

export async function involveTeam(c: Case, request: z.output<typeof InvolveTeam>): Promise<void> {
  const s = c.s;
  (s.collaborators ??= []).push({ team: request.team, reason: request.reason, askedAt: nowIso() });
  const clock = c.windows.start('collaboration', s.policy.collaborationReply, { subject: request.team });
  c.entity.record(
    'team-involved',
    `${request.team} brought in${request.by ? ` by ${request.by}` : ''}: ${request.reason}`,
    { window: 'collaboration', data: { team: request.team, by: request.by } },
  );
  await c.entity.notifyStaff(
    `collaboration/${request.team}/${c.windows.cycleOf('collaboration', request.team)}`,
    {
      audience: 'team-lead',
      team: request.team,
      priority: s.priority,
      window: 'collaboration',
      reason: `asked to help on a ${s.priority} ${s.input.category} case by ${c.windows.dueAt(clock) ?? 'soon'}: ${request.reason}`,
    },
  );
  c.entity.touch();
}

export function onCollaboratorAnswered(c: Case, message: z.output<typeof CollaboratorAnswered>): void {
  const request = openRequest(c, message.team);
  if (!request) {
    return c.entity.rejectSignal('collaboratorAnswered', [`team: ${message.team} was not asked`]);
  }
  request.answeredAt = nowIso();
  request.note = message.note;
  c.windows.fulfil('collaboration', `${message.team} answered`, message.team);
  c.entity.record(
    'collaborator-answered',
    `${message.team} answered${message.note ? `: ${message.note}` : ''}`,
    { window: 'collaboration', data: { team: message.team } },
  );
}
