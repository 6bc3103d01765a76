/**
 * Resolution under the three guarantees (rule AS-12): repair (in-store 1–3 days, factory about
 * 30 days), replace, refund — or advice. A replacement that cannot ship is compensated by a
 * refund offer the customer must accept (clocks paused meanwhile; the answer in offer.ts); a repair's promise replaces
 * the resolution target until the repair shop reports back. A resolved case goes to the revisit.
 */
import type { z } from 'zod';
import { idempotencyKey } from '../kernel/activity-calls';
import { caseActivities as activities } from './activities';
import { budgetOf } from '../kernel/sla-clock';
import { addMs, nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import { RESOLUTION_INDEXED_ONCE } from '../kernel/versions';
import {
  ComplaintStep,
  type RepairCompleted,
  type Resolve,
  type ResolveResult,
  type ResolutionType,
  type VisitCompleted,
} from './contract';
import { pauseForCustomer, resumeFromPause } from './pauses';
import { isComplaint } from './complaint';
import { guaranteeOf } from './guarantee';
import type { Case } from './model';
import { notifyCaseStaff } from './windows';

type ResolveRequest = z.output<typeof Resolve>;

/** The case's own rules for a remedy, after the message table's stage check. */
export function validateResolve(c: Case, request: ResolveRequest): void {
  const s = c.s;
  if (c.resolving) throw new RuleViolation('another resolution is being carried out; wait for its result');
  if (s.pendingOffer)
    throw new RuleViolation('a refund offer is waiting for the customer; answer it with respondToOffer');
  // Rule AS-13: a complaint is resolved after its first five steps.
  if (isComplaint(c)) {
    const missing = ComplaintStep.options
      .slice(0, 5)
      .filter((step) => !s.complaintSteps.some((done) => done.step === step));
    if (missing.length > 0) {
      throw new RuleViolation(
        `a complaint is resolved after its first five steps; missing: ${missing.join(', ')}`,
      );
    }
  }
  if (request.type === 'repair' && s.input.severity === 'safety-hazard') {
    throw new RuleViolation('a safety hazard is not repaired in place: replace or refund');
  }
  // Rule AS-23: a visit is booked ahead, within the policy's horizon.
  if (request.type === 'on-site-service' || request.type === 'installation') {
    const ahead = Date.parse(request.appointmentAt) - Date.parse(nowIso());
    if (ahead <= 0) throw new RuleViolation('appointmentAt: must be in the future');
    if (ahead > s.policy.appointment.bookAheadHours * 3_600_000) {
      throw new RuleViolation(
        `appointmentAt: must be within ${s.policy.appointment.bookAheadHours} hours from now`,
      );
    }
  }
  // Rule AS-18: replace and refund only within the guarantee; otherwise a free repair.
  if (request.type === 'replace' || request.type === 'refund') {
    const guarantee = guaranteeOf(c);
    if (!guarantee.replaceOrRefund) {
      throw new RuleViolation(
        `${request.type} is offered within ${s.policy.guaranteeDays} days of purchase for faults of ours; ` +
          `${guarantee.reason}: repair it free, parts at cost`,
      );
    }
  }
}

export async function resolve(c: Case, request: ResolveRequest): Promise<ResolveResult> {
  c.resolving = true;
  c.indexResolutionOnce = c.code.has(RESOLUTION_INDEXED_ONCE);
  try {
    if (request.typical) c.s.typical = true;
    if (request.note) c.s.resolutionNote = request.note;
    c.windows.fulfil('first-reply', 'answered with a resolution');
    c.windows.fulfil('defect-decision', `${request.type} decided`);
    c.entity.record(
      'resolution-started',
      `${request.type} chosen${request.note ? `: ${request.note}` : ''}`,
      {
        data: { type: request.type },
      },
    );
    switch (request.type) {
      case 'advice':
        await c.entity.notifyCustomer(`customer/advice/${c.windows.cycleOf('resolution')}`, 'advice-given');
        return markResolved(c, 'advice', 'advice given');
      case 'refund':
        return await refund(c, request.refund?.amount, request.refund?.currency);
      case 'replace':
        return await replace(c, request.refundValue);
      case 'repair':
        return await repair(c, request.mode);
      case 'on-site-service':
      case 'installation':
        return await bookVisit(c, request.type, request.appointmentAt);
    }
  } finally {
    c.resolving = false;
    c.entity.touch();
  }
}

function failedResolution(c: Case, type: ResolutionType): ResolveResult {
  return {
    status: 'failed',
    stage: c.s.stage,
    resolutionType: type,
    message: `the ${type} could not be carried out; see the timeline (integration-failed)`,
  };
}

/** Issues a refund and tells the customer: resolved (also the answer to an accepted offer, offer.ts). */
export async function refund(c: Case, amount?: number, currency?: string): Promise<ResolveResult> {
  const cycle = c.windows.cycleOf('resolution');
  const result = await c.entity.attempt(`refund/${cycle}`, 'issuing the refund', () =>
    activities.issueRefund.executeWithOptions(
      { summary: `refund ${amount ?? 'full price'} ${currency ?? ''}`.trim() },
      [{ idempotencyKey: idempotencyKey(`refund/${cycle}`), caseId: c.s.caseId, amount, currency }],
    ),
  );
  if (!result) return failedResolution(c, 'refund');
  c.entity.record('refund-issued', `refund ${result.refundId} issued`, {
    data: { refundId: result.refundId, amount, currency },
  });
  await c.entity.notifyCustomer(`customer/refund/${cycle}`, 'refund-issued', { refundId: result.refundId });
  return markResolved(c, 'refund', 'refunded', result.refundId);
}

async function replace(c: Case, refundValue?: { amount: number; currency: string }): Promise<ResolveResult> {
  const s = c.s;
  const cycle = c.windows.cycleOf('resolution');
  const result = await c.entity.attempt(`replace/${cycle}`, 'shipping the replacement', () =>
    activities.shipReplacement.executeWithOptions({ summary: 'ship replacement' }, [
      {
        idempotencyKey: idempotencyKey(`replace/${cycle}`),
        caseId: s.caseId,
        sku: s.input.product?.sku,
        orderId: s.input.product?.orderId,
      },
    ]),
  );
  if (!result) return failedResolution(c, 'replace');
  if (result.shipped) {
    c.windows.fulfil('exchange', `replacement ${result.shipmentId} shipped`);
    c.entity.record('replacement-shipped', `replacement ${result.shipmentId} shipped`, {
      data: { shipmentId: result.shipmentId },
    });
    await c.entity.notifyCustomer(`customer/replacement/${cycle}`, 'replacement-shipped', {
      shipmentId: result.shipmentId,
    });
    return markResolved(c, 'replace', 'replaced', result.shipmentId);
  }
  // Compensation: the replacement cannot ship. A refund is the fallback, but only with the
  // customer's agreement, so we offer it and wait (clocks paused: we wait on the customer).
  s.pendingOffer = {
    kind: 'refund',
    reason: result.reason,
    amount: refundValue?.amount,
    currency: refundValue?.currency,
  };
  c.entity.record(
    'replacement-failed',
    `replacement cannot ship (${result.reason}); refund offered to the customer`,
  );
  pauseForCustomer(c, 'refund offered; waiting for the customer to agree', 'customer-decision');
  c.entity.moveTo('awaiting-customer', 'refund offer');
  await c.entity.notifyCustomer(`customer/refund-offer/${cycle}`, 'refund-offer', { reason: result.reason });
  return {
    status: 'awaiting-customer-decision',
    stage: s.stage,
    resolutionType: 'replace',
    message: `replacement cannot ship (${result.reason}); a refund was offered to the customer`,
  };
}

async function repair(c: Case, mode: 'in-store' | 'factory'): Promise<ResolveResult> {
  const s = c.s;
  const spec = mode === 'in-store' ? s.policy.repair.inStore : s.policy.repair.factory;
  const cycle = c.windows.cycleOf('repair') + 1;
  const due = addMs(nowIso(), budgetOf(spec));
  const { partsAtCost } = guaranteeOf(c);
  const result = await c.entity.attempt(`repair/${cycle}`, `scheduling the ${mode} repair`, () =>
    activities.scheduleRepair.executeWithOptions(
      { summary: `${mode} repair${partsAtCost ? ' (parts at cost)' : ''}` },
      [
        {
          idempotencyKey: idempotencyKey(`repair/${cycle}`),
          caseId: s.caseId,
          mode,
          inWarranty: s.inWarranty,
          partsAtCost,
          dueAt: due,
        },
      ],
    ),
  );
  if (!result) return failedResolution(c, 'repair');
  // The repair promise ("in-store 1–3 days, factory about 30 days") replaces the resolution
  // target: the customer has been told when the item comes back.
  c.windows.cancel('resolution', `superseded by the ${mode} repair window`);
  const clock = c.windows.start('repair', spec, {
    policyKey: mode === 'in-store' ? 'repair.inStore' : 'repair.factory',
  });
  s.resolution = {
    type: 'repair',
    status: `${mode} repair scheduled`,
    reference: result.repairOrderId,
    at: nowIso(),
  };
  c.entity.record(
    'repair-scheduled',
    `${mode} repair ${result.repairOrderId} scheduled${partsAtCost ? '; free repair, parts at cost' : ''}`,
    {
      window: 'repair',
      data: { mode, repairOrderId: result.repairOrderId, inWarranty: s.inWarranty, partsAtCost },
    },
  );
  c.entity.moveTo('repairing', `${mode} repair`);
  // The customer hears that the parts are charged (at cost) before the repair starts.
  await c.entity.notifyCustomer(`customer/repair/${cycle}`, 'repair-scheduled', {
    mode,
    readyBy: due,
    ...(partsAtCost ? { partsAtCost } : {}),
  });
  return {
    status: 'repair-scheduled',
    stage: s.stage,
    resolutionType: 'repair',
    reference: result.repairOrderId,
    dueAt: c.windows.dueAt(clock),
    message: `${mode} repair scheduled; the case is resolved when repairCompleted arrives`,
  };
}

/**
 * Rule AS-23: on-site service or installation at an agreed appointment. The appointment window
 * runs to the end of its slot and replaces the resolution target, as a repair's promise does.
 */
async function bookVisit(
  c: Case,
  type: 'on-site-service' | 'installation',
  appointmentAt: string,
): Promise<ResolveResult> {
  const s = c.s;
  const cycle = c.windows.cycleOf('appointment') + 1;
  const result = await c.entity.attempt(`visit/${cycle}`, `booking the ${type}`, () =>
    activities.scheduleVisit.executeWithOptions({ summary: `${type} at ${appointmentAt}` }, [
      { idempotencyKey: idempotencyKey(`visit/${cycle}`), caseId: s.caseId, service: type, appointmentAt },
    ]),
  );
  if (!result) return failedResolution(c, type);
  const hours =
    (Date.parse(appointmentAt) - Date.parse(nowIso())) / 3_600_000 + s.policy.appointment.slotHours;
  c.windows.cancel('resolution', `superseded by the ${type} appointment`);
  const clock = c.windows.start('appointment', { hours, basis: 'calendar' });
  s.resolution = { type, status: `${type} booked`, reference: result.visitId, at: nowIso() };
  c.entity.record('visit-booked', `${type} ${result.visitId} booked for ${appointmentAt}`, {
    window: 'appointment',
    data: { type, visitId: result.visitId, appointmentAt },
  });
  c.entity.moveTo('on-site', `${type} booked`);
  await c.entity.notifyCustomer(`customer/visit/${cycle}`, 'visit-booked', { service: type, appointmentAt });
  return {
    status: 'visit-scheduled',
    stage: s.stage,
    resolutionType: type,
    reference: result.visitId,
    dueAt: c.windows.dueAt(clock),
    message: `${type} booked; the case is resolved when visitCompleted arrives`,
  };
}

export async function onVisitCompleted(c: Case, message: z.output<typeof VisitCompleted>): Promise<void> {
  const type = c.s.resolution?.type ?? 'on-site-service';
  if (message.outcome === 'done') {
    c.windows.fulfil('appointment', 'visit done');
    markResolved(c, type, 'visit done', c.s.resolution?.reference);
    return;
  }
  c.windows.cancel('appointment', 'visit not done');
  c.entity.record('visit-failed', `the ${type} was not done${message.note ? `: ${message.note}` : ''}`);
  c.s.resolution = undefined;
  c.windows.start('resolution', c.s.policy.resolution[c.s.priority]);
  c.entity.moveTo('in-progress', 'visit not done');
  await notifyCaseStaff(c, `visit-failed/${c.windows.cycleOf('appointment')}`, {
    audience: 'assignee',
    reason: `the ${type} was not done: book another visit or choose another remedy`,
  });
}

/** The remedy is done: the resolution window is fulfilled and the revisit comes next. */
export function markResolved(
  c: Case,
  type: ResolutionType,
  status: string,
  reference?: string,
): ResolveResult {
  const s = c.s;
  const now = nowIso();
  s.resolution = { type, status, reference, at: now };
  s.resolvedAt = now;
  s.pendingOffer = undefined;
  resumeFromPause(c, 'resolved');
  c.windows.fulfil('resolution', type);
  c.windows.cancel('exchange', `resolved by ${type}`);
  c.windows.fulfil('defect-completion', `resolved by ${type}`);
  c.entity.record('resolved', `resolved by ${type}${reference ? ` (${reference})` : ''}`, {
    data: { type, reference },
  });
  c.entity.moveTo('revisit', 'resolved; revisit within the window');
  return {
    status: 'resolved',
    stage: s.stage,
    resolutionType: type,
    reference,
    message: `resolved by ${type}`,
  };
}

export async function onRepairCompleted(c: Case, message: z.output<typeof RepairCompleted>): Promise<void> {
  if (message.outcome === 'repaired') {
    c.windows.fulfil('repair', 'repaired');
    markResolved(c, 'repair', 'repaired', message.repairOrderId ?? c.s.resolution?.reference);
    return;
  }
  c.windows.cancel('repair', 'unrepairable');
  c.entity.record('repair-failed', 'the item cannot be repaired; choose replace or refund');
  c.s.resolution = undefined;
  c.windows.start('resolution', c.s.policy.resolution[c.s.priority]);
  c.entity.moveTo('in-progress', 'repair impossible');
  await notifyCaseStaff(c, `repair-failed/${c.windows.cycleOf('repair')}`, {
    audience: 'assignee',
    reason: 'repair impossible: choose replace or refund',
  });
}
