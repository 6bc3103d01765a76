/**
 * Complaints follow six steps, in order (rule AS-13): let the customer vent, apologise, collect
 * the facts, propose a solution (a manager if needed), ask the customer's opinion, follow up. The
 * first five come before the remedy; the revisit's answer is the sixth. A complaint is a kind of
 * case, not a category: any case marked a complaint at the start follows the steps (a service
 * case is one by default), and a serious one goes to management at once (rule AS-19).
 */
import type { z } from 'zod';
import { nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import { ComplaintStep, type CompleteComplaintStep } from './contract';
import type { Case } from './model';

/** The case is a complaint: marked so at the start, or a service case. */
export function isComplaint(c: Case): boolean {
  return c.s.input.complaint !== undefined || c.s.input.category === 'service';
}

export function validateComplaintStep(c: Case, request: z.output<typeof CompleteComplaintStep>): void {
  const s = c.s;
  if (!isComplaint(c))
    throw new RuleViolation(
      'complaint steps apply to complaints only (a service case, or complaint set at the start)',
    );
  const next = ComplaintStep.options[s.complaintSteps.length];
  if (!next) throw new RuleViolation('all six complaint steps are complete');
  if (request.step !== next)
    throw new RuleViolation(`the next complaint step is ${next}, not ${request.step}`);
}

export function completeComplaintStep(c: Case, request: z.output<typeof CompleteComplaintStep>): void {
  const s = c.s;
  s.complaintSteps.push({
    step: request.step,
    at: nowIso(),
    managerInvolved: request.managerInvolved ?? false,
  });
  c.windows.fulfil('first-reply', 'the complaint is being heard');
  if (s.stage === 'awaiting-reply') c.entity.moveTo('in-progress', 'complaint handling started');
  c.entity.record(
    'complaint-step',
    `complaint step ${s.complaintSteps.length}/6: ${request.step}${request.note ? ` — ${request.note}` : ''}`,
    { data: { step: request.step, managerInvolved: request.managerInvolved ?? false } },
  );
}

/** The satisfied revisit answer is the complaint's sixth step. */
export function completeFollowUpStep(c: Case): void {
  const s = c.s;
  if (isComplaint(c) && s.complaintSteps.length === 5) {
    s.complaintSteps.push({ step: 'follow-up', at: nowIso(), managerInvolved: false });
    c.entity.record('complaint-step', 'complaint step 6/6: follow-up (revisit answered)');
  }
}
