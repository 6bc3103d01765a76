/**
 * Complaints follow six steps, in order (rule AS-13): let the customer vent, apologise, collect
 * the facts, propose a solution (a manager if needed), ask the customer's opinion, follow up. The
 * first five come before the remedy; the revisit's answer is the sixth.
 */
import type { z } from 'zod';
import { nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import { ComplaintStep, type CompleteComplaintStep } from './contract';
import type { Case } from './model';

export function validateComplaintStep(c: Case, request: z.output<typeof CompleteComplaintStep>): void {
  const s = c.s;
  if (s.input.category !== 'service')
    throw new RuleViolation('complaint steps apply to service complaints only');
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
  if (s.input.category === 'service' && s.complaintSteps.length === 5) {
    s.complaintSteps.push({ step: 'follow-up', at: nowIso(), managerInvolved: false });
    c.entity.record('complaint-step', 'complaint step 6/6: follow-up (revisit answered)');
  }
}
