/**
 * Customer-level SLA health (rule OU-2, ours; journeys since the `customer-sla-health` patch).
 *
 * Breaches are counted per case by every SLA product; a customer whose cases keep breaching is
 * about to leave, and only the journey sees all of them. It counts the cases that closed with a
 * breach in a rolling window (`slaHealth.window`, 30 days); with more than
 * `slaHealth.maxBreachedCases` (2) the customer is at risk: flagged once (`NeedsAttention =
 * customer-at-risk`, a saved view), the account owner told, and for the grades the policy names
 * (A) the next cases run on shortened windows. When the oldest breach leaves the window the
 * journey looks again, and the flag goes once the count is back at the threshold.
 */
import { durationMs } from '../kernel/contract';
import { addMs, formatInstant, nowIso, nowMs } from '../kernel/time';
import type { CaseResult } from '../after-sales-case/contract';
import type { Journey } from './model';

const SLA_HEALTH = 'sla-health';

/** The value `NeedsAttention` carries on a journey while its customer is at risk. */
export const CUSTOMER_AT_RISK = 'customer-at-risk';

/** Registers the look again when a counted breach leaves the window. */
export function watchSlaHealth(j: Journey): void {
  j.agenda.on(SLA_HEALTH, () => evaluate(j));
}

/** The breached cases inside the window now (the state keeps older ones until it looks again). */
export function breachedCasesNow(j: Journey): number {
  const windowMs = durationMs(j.policy.slaHealth.window);
  const now = nowMs();
  return (j.s.slaHealth?.breaches ?? []).filter((breach) => now - Date.parse(breach.at) < windowMs).length;
}

export function isAtRisk(j: Journey): boolean {
  return j.s.slaHealth?.atRiskSince !== undefined;
}

/** The next case runs on shortened windows: the customer is at risk and of a grade the policy names. */
export function shortensNextCase(j: Journey): boolean {
  const grade = j.s.grade?.grade;
  return isAtRisk(j) && grade !== undefined && j.policy.slaHealth.shortenFor.includes(grade);
}

/** A case closed: one that breached counts from now. */
export async function countClosedCase(j: Journey, result: CaseResult): Promise<void> {
  const health = j.s.slaHealth;
  if (!health || !result.slaBreached) return;
  health.breaches.push({ caseId: result.caseId, at: nowIso() });
  await evaluate(j);
}

async function evaluate(j: Journey): Promise<void> {
  const health = j.s.slaHealth;
  if (!health) return;
  const { window, maxBreachedCases } = j.policy.slaHealth;
  const windowMs = durationMs(window);
  const now = nowMs();
  // Only breaches inside the window are kept: the state stays small across years of cases.
  health.breaches = health.breaches.filter((breach) => now - Date.parse(breach.at) < windowMs);
  const count = health.breaches.length;
  if (count > maxBreachedCases && !health.atRiskSince) {
    health.atRiskSince = nowIso();
    health.flagged += 1;
    j.entity.record(
      'customer-at-risk',
      `${count} cases closed with a breached window within ${window}: the customer is at risk`,
      { data: { breachedCases: count } },
    );
    await j.entity.notifyStaff(`sla-health/${health.flagged}`, {
      audience: 'owner',
      staffId: j.s.owner,
      reason: `${count} of the customer's cases breached their windows within ${window}: the customer is at risk`,
    });
  } else if (count <= maxBreachedCases && health.atRiskSince) {
    j.entity.record(
      'customer-no-longer-at-risk',
      `at risk since ${formatInstant(health.atRiskSince)}; ${count} breached cases within ${window} now`,
    );
    health.atRiskSince = undefined;
  }
  const oldest = health.breaches[0];
  if (health.atRiskSince && oldest) {
    j.agenda.set({
      key: SLA_HEALTH,
      kind: SLA_HEALTH,
      dueAt: addMs(oldest.at, windowMs),
      summary: 'customer SLA health: a breached case leaves the window',
    });
  } else {
    j.agenda.clear(SLA_HEALTH);
  }
  j.progress += 1;
}
