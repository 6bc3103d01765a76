/**
 * Pauses with a reason and a cap (rule OU-3, ours; executions since the `pause-reasons` patch).
 *
 * Rule AS-16 stops the clocks while we wait on the customer. Every such pause now says what it
 * waits on (the policy's `pauseReasons`: customer information, the customer's decision, parts,
 * the carrier, a third party), so paused time adds up per reason for the case and the report. A
 * pause cannot run on unseen: at the policy's `pauseCap` (five working days) the clocks run again
 * and the team lead is asked; the lead may approve a longer pause (`extendPause`), which stops
 * the clocks again for the hours approved, with the same reason.
 */
import { addTime } from '../kernel/business-hours';
import { budgetOf, type WindowSpec } from '../kernel/sla-clock';
import { formatInstant, nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import type { ExtendPause } from './contract';
import type { Case, Pause } from './model';
import { DEFAULT_CASE_POLICY, type PauseReason } from './policy';
import { notifyCaseStaff } from './windows';

const PAUSE_CAP = 'pause-cap';

/** Whether this case accounts its pauses (started since the patch). */
export function accountsPauses(c: Case): boolean {
  return c.s.pauses !== undefined;
}

function policyOf(c: Case): { reasons: readonly PauseReason[]; cap: WindowSpec } {
  return {
    reasons: c.s.policy.pauseReasons ?? DEFAULT_CASE_POLICY.pauseReasons!,
    cap: c.s.policy.pauseCap ?? DEFAULT_CASE_POLICY.pauseCap!,
  };
}

function openPause(c: Case): Pause | undefined {
  const last = c.s.pauses?.at(-1);
  return last && last.to === undefined ? last : undefined;
}

/** The problem with a pause reason, or undefined when the policy lists it. */
export function pauseReasonProblem(c: Case, reason: string): string | undefined {
  const { reasons } = policyOf(c);
  return reasons.includes(reason as PauseReason)
    ? undefined
    : `pauseReason: must be one of ${reasons.join(', ')}`;
}

/** Registers what happens when a pause reaches its cap. */
export function watchPauses(c: Case): void {
  c.agenda.on(PAUSE_CAP, () => capReached(c));
}

/** Rule AS-16: the windows the policy names stop while we wait; since OU-3 with a reason and a cap. */
export function pauseForCustomer(c: Case, why: string, reason: PauseReason = 'customer-information'): void {
  c.windows.pause((clock) => c.s.policy.pausableWindows.some((window) => window === clock.window), why);
  if (!accountsPauses(c)) return;
  const now = nowIso();
  const open = openPause(c);
  if (open?.reason === reason) return;
  // A new reason while paused: the time from now on is the new reason's, under the same cap.
  if (open) open.to = now;
  c.s.pauses!.push({ reason, from: now, why, capAt: open?.capAt ?? capFrom(c, now, policyOf(c).cap) });
  c.entity.record('pause-started', `waiting on ${reason}: ${why}`, { data: { reason } });
}

/** The instant a pause starting `from` reaches `cap`, on the agenda. */
function capFrom(c: Case, from: string, cap: WindowSpec): string {
  const at = addTime(cap.basis, from, budgetOf(cap), c.s.policy.calendar);
  c.agenda.set({
    key: PAUSE_CAP,
    kind: PAUSE_CAP,
    dueAt: at,
    summary: `pause cap (${cap.hours} ${cap.basis} hours)`,
  });
  return at;
}

/** The clocks run again; the open pause, if any, ends now. */
export function resumeFromPause(c: Case, why: string): void {
  c.windows.resumeAll(why);
  const open = openPause(c);
  if (!open) return;
  open.to = nowIso();
  c.agenda.clear(PAUSE_CAP);
}

async function capReached(c: Case): Promise<void> {
  const open = openPause(c);
  if (!open) return;
  const { cap } = policyOf(c);
  const round = c.s.pauses!.filter((pause) => pause.capped).length + 1;
  resumeFromPause(c, `the pause reached its cap of ${cap.hours} ${cap.basis} hours`);
  open.capped = true;
  c.entity.record(
    'pause-capped',
    `waiting on ${open.reason} since ${formatInstant(open.from)}: the clocks run again; the team lead is asked to approve a longer pause`,
    { data: { reason: open.reason } },
  );
  await notifyCaseStaff(c, `pause-cap/${round}`, {
    audience: 'team-lead',
    reason: `${c.s.priority} case paused on ${open.reason} past its cap: approve a longer pause (extendPause) or let the clocks run`,
  });
}

export function validateExtendPause(c: Case): void {
  const last = c.s.pauses?.at(-1);
  if (!accountsPauses(c)) throw new RuleViolation('this case was started before pauses had a cap');
  if (c.s.stage !== 'awaiting-customer' || !last?.capped || last.to === undefined) {
    throw new RuleViolation('no pause has reached its cap: a longer pause is approved only past the cap');
  }
}

/** The lead approves more: the clocks stop again, for the hours approved, with the same reason. */
export function extendPause(c: Case, request: ExtendPause): void {
  const capped = c.s.pauses!.at(-1)!;
  const { cap } = policyOf(c);
  c.windows.pause(
    (clock) => c.s.policy.pausableWindows.some((window) => window === clock.window),
    `longer pause approved by ${request.approvedBy}`,
  );
  const now = nowIso();
  const extension: WindowSpec = { hours: request.hours, basis: cap.basis };
  c.s.pauses!.push({
    reason: capped.reason,
    from: now,
    why: request.note ?? capped.why,
    approvedBy: request.approvedBy,
    capAt: capFrom(c, now, extension),
  });
  c.entity.record(
    'pause-extended',
    `${request.approvedBy} approved ${request.hours} more ${cap.basis} hours waiting on ${capped.reason}`,
    { data: { reason: capped.reason, hours: request.hours } },
  );
}

/** Wall-clock time paused per reason, up to now for a pause still open. */
export function pausedByReason(c: Case, now = nowIso()): Partial<Record<PauseReason, number>> {
  const totals: Partial<Record<PauseReason, number>> = {};
  for (const pause of c.s.pauses ?? []) {
    const ms = Date.parse(pause.to ?? now) - Date.parse(pause.from);
    totals[pause.reason] = (totals[pause.reason] ?? 0) + ms;
  }
  return totals;
}
