/**
 * Promised terms for every case (rule AS-21): what pre-sales promised is honoured however the
 * case was started. A case reported through the journey brings the contract's terms; one started
 * from the Web UI, `startCase` or the ingress without them asks for them (the customer's journey,
 * else the customer archive) before it tells the customer when to expect an answer, and its
 * windows and warranty follow what it finds. The case view says where its terms came from.
 */
import { idempotencyKey } from '../kernel/activity-calls';
import { caseActivities as activities } from './activities';
import type { PromisedTerms } from '../kernel/contract';
import { nowIso } from '../kernel/time';
import { inWarrantyOn, type Case, type TermsSource } from './model';
import { resolveCasePolicy } from './policy-overrides';

/** Where the terms of a case with these inputs come from before any lookup. */
export function initialTermsSource(input: {
  promisedTerms?: PromisedTerms;
  journeyId?: string;
}): TermsSource {
  if (!input.promisedTerms) return 'default';
  return input.journeyId ? 'journey' : 'input';
}

/** Looks the customer's signed terms up and applies them to the windows and the warranty. */
export async function lookUpPromisedTerms(c: Case): Promise<void> {
  const s = c.s;
  const found = await c.entity.attempt('terms', 'looking up the customer’s contract terms', () =>
    activities.lookupPromisedTerms.executeWithOptions({ summary: 'contract terms of the customer' }, [
      {
        idempotencyKey: idempotencyKey('terms'),
        customerId: s.input.customerId,
        journeyId: s.input.journeyId,
      },
    ]),
  );
  // A failed lookup is in the timeline (integration-failed); the default terms stay.
  if (!found) return;
  if (!found.terms || found.source === 'none') {
    c.entity.record('terms-default', 'no signed contract found for the customer: default terms');
    return;
  }
  s.termsSource = found.source;
  s.policy = resolveCasePolicy(s.input.policy, found.terms, {
    grade: s.input.customerGrade,
    atRisk: s.input.slaAtRisk,
  });
  if (s.slaJournal) s.appliedTerms = found.terms;
  s.inWarranty = inWarrantyOn(found.terms, nowIso());
  c.entity.record(
    'terms-applied',
    `contract ${found.terms.contractId ?? '(no id)'} terms from the ${found.source} applied` +
      (found.terms.warrantyUntil ? `; warranty until ${found.terms.warrantyUntil}` : ''),
    { data: { source: found.source, contractId: found.terms.contractId, inWarranty: s.inWarranty } },
  );
  c.windows.rebudget('first-reply', s.policy.firstReply[s.priority]);
  c.windows.rebudget('resolution', s.policy.resolution[s.priority]);
}
