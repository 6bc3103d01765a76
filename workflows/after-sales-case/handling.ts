/**
 * Handling the case between triage and resolution: the first reply (rules AS-4 … AS-6), waiting
 * on the customer with the clocks paused (AS-16), the person who takes the case, and the
 * carrier's news on a logistics claim (AS-7).
 */
import type { z } from 'zod';
import type {
  AgentAssigned,
  AgentResponded,
  AwaitingCustomer,
  CarrierUpdate,
  CustomerReplied,
} from './contract';
import type { Case } from './model';
import { notifyCaseStaff } from './windows';

export function onAgentResponded(c: Case, message: z.output<typeof AgentResponded>): void {
  const s = c.s;
  if (message.agentId) s.assignee ??= message.agentId;
  if (!c.windows.open('first-reply')) {
    c.entity.record('agent-responded', `agent ${message.agentId ?? 'unknown'} replied`, {
      data: { kind: message.kind },
    });
    return;
  }
  // Rule AS-6: an assisted (drafted) reply counts only for routine priorities.
  if (message.kind === 'assisted' && !s.policy.assistedReplyPriorities.includes(s.priority)) {
    c.entity.record(
      'assisted-reply-not-counted',
      `an assisted reply does not count as the first reply of a ${s.priority} case; a person must answer`,
    );
    return;
  }
  if (message.kind === 'assisted') {
    s.needsHumanReview = true;
    c.entity.record('human-review-required', 'assisted reply sent; marked for human review');
  }
  c.windows.fulfil('first-reply', `${message.kind} reply by ${message.agentId ?? 'an agent'}`);
  if (s.stage === 'awaiting-reply') c.entity.moveTo('in-progress', 'first reply sent');
}

export function onCustomerReplied(c: Case, message: z.output<typeof CustomerReplied>): void {
  c.entity.record(
    'customer-replied',
    message.note ? `customer replied: ${message.note}` : 'customer replied',
  );
  if (c.s.stage === 'awaiting-customer' && !c.s.pendingOffer) {
    c.windows.resumeAll('the customer answered');
    c.entity.moveTo('in-progress', 'the customer answered');
  }
}

export function onAwaitingCustomer(c: Case, message: z.output<typeof AwaitingCustomer>): void {
  // Asking the customer for something is itself a reply.
  c.windows.fulfil('first-reply', 'the agent asked the customer for information');
  pauseForCustomer(c, message.reason);
  c.entity.moveTo('awaiting-customer', message.reason);
}

/** Rule AS-16: the windows the policy names stop while we wait on the customer. */
export function pauseForCustomer(c: Case, why: string): void {
  c.windows.pause((clock) => c.s.policy.pausableWindows.some((window) => window === clock.window), why);
}

export async function onCarrierUpdate(c: Case, message: z.output<typeof CarrierUpdate>): Promise<void> {
  const s = c.s;
  if (s.input.category !== 'logistics') {
    return c.entity.rejectSignal('carrierUpdate', [`case category is ${s.input.category}, not logistics`]);
  }
  if (message.claimId) s.carrierClaimId = message.claimId;
  c.entity.record('carrier-update', `carrier: ${message.status}${message.note ? ` — ${message.note}` : ''}`, {
    window: 'carrier-solution',
    data: { status: message.status, claimId: message.claimId },
  });
  if (message.status === 'solution-agreed')
    c.windows.fulfil('carrier-solution', 'solution agreed with the carrier');
  if (message.status === 'closed') {
    c.entity.record('carrier-claim-closed', 'carrier claim followed to closure', {
      window: 'carrier-solution',
    });
  }
  if (message.status === 'rejected') {
    s.needsHumanReview = true;
    c.entity.touch();
    await notifyCaseStaff(c, `carrier-rejected/${s.timeline.length}`, {
      audience: 'team-lead',
      reason: 'the carrier rejected the claim',
    });
  }
}

export function onAgentAssigned(c: Case, message: z.output<typeof AgentAssigned>): void {
  c.s.assignee = message.agentId;
  if (message.team) c.s.team = message.team;
  c.entity.record('assigned', `taken by ${message.agentId}${message.team ? ` (${message.team})` : ''}`);
}
