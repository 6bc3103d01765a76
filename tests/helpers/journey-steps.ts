/**
 * The happy path of a journey's pre-sales as data the tests and the bench share: the same needs,
 * alternative, review and quote, each caller sending them its own way (plainly, with update ids
 * that survive a restart, or counted for the bench). No vitest here, so the bench can use it.
 */
import type { UpdateDefinition } from '@temporalio/common';
import {
  recordNeedsUpdate,
  reviewProposalUpdate,
  submitProposalUpdate,
  submitQuoteUpdate,
} from '../../workflows/customer-journey/contract';

/** Sends one update of the journey; `step` names it (for update ids and messages). */
export type SendStep = <Ret, Arg>(
  step: string,
  update: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
) => Promise<Ret>;

/** Needs, one alternative and its approving review: the journey can be quoted. */
export async function throughProposal(send: SendStep): Promise<void> {
  await send('needs', recordNeedsUpdate, {
    requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }],
  });
  await send('proposal', submitProposalUpdate, { alternatives: [{ id: 'A', title: 'Cloud plan' }] });
  await send('review', reviewProposalUpdate, { decision: 'approve', reviewer: 'sales-lead' });
}

/** A quote for that alternative at a 40 % margin: approved by policy inside the journey and sent. */
export function quoteApprovedByPolicy(send: SendStep) {
  return send('quote', submitQuoteUpdate, {
    alternativeId: 'A',
    price: 100_000,
    cost: 60_000,
    currency: 'CNY',
  });
}
