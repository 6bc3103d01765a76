/**
 * The customer's answer to a refund offered when a replacement cannot ship (rule AS-12's
 * compensation, offered in resolution.ts): accepted, the refund is issued and the case resolved;
 * declined, the case goes back in progress and the assignee chooses another remedy.
 */
import type { z } from 'zod';
import { RuleViolation } from '../kernel/validation';
import type { ResolveResult, RespondToOffer } from './contract';
import type { Case } from './model';
import { resumeFromPause } from './pauses';
import { refund } from './resolution';
import { notifyCaseStaff } from './windows';

export function validateRespondToOffer(c: Case): void {
  if (!c.s.pendingOffer) throw new RuleViolation('there is no offer waiting for the customer');
  if (c.resolving) throw new RuleViolation('the previous answer is still being carried out');
}

export async function respondToOffer(
  c: Case,
  answer: z.output<typeof RespondToOffer>,
): Promise<ResolveResult> {
  c.resolving = true;
  try {
    const offer = c.s.pendingOffer!;
    c.s.pendingOffer = undefined;
    if (answer.accepted) {
      c.entity.record('offer-accepted', 'the customer accepted the refund');
      resumeFromPause(c, 'the customer answered the offer');
      return await refund(c, offer.amount, offer.currency);
    }
    c.entity.record(
      'offer-declined',
      `the customer declined the refund${answer.note ? `: ${answer.note}` : ''}`,
    );
    resumeFromPause(c, 'the customer answered the offer');
    c.entity.moveTo('in-progress', 'refund declined; another remedy is needed');
    await notifyCaseStaff(c, `offer-declined/${c.windows.cycleOf('resolution')}`, {
      audience: 'assignee',
      reason: 'the customer declined the refund; choose another remedy',
    });
    return {
      status: 'failed',
      stage: c.s.stage,
      resolutionType: 'replace',
      message: 'the customer declined the refund; the case is back in progress',
    };
  } finally {
    c.resolving = false;
    c.entity.touch();
  }
}
