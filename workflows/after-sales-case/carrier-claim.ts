/**
 * The carrier claim of a logistics case, followed to closure (rule AS-7): loss, damage and delay
 * are told apart, each with the compensation standard the customer is offered; the claim moves
 * opened → carrier answered → compensation agreed (within 24 hours) → settled (within the
 * settlement window), and the case does not close while its claim is open. Executions before
 * handling-v4 open the claim and record the carrier's news only.
 */
import type { z } from 'zod';
import { idempotencyKey } from '../kernel/activity-calls';
import { caseActivities as activities } from './activities';
import type { CarrierStatus, CarrierUpdate } from './contract';
import { closeCase } from './after-close';
import { claimName, claimOpen, type Case, type ClaimState, type HeldClose } from './model';
import type { ShipmentProblem } from './policy';
import { notifyCaseStaff } from './windows';

/** The claim state each carrier status moves to; shipment news moves nothing. */
const CLAIM_STATE: Readonly<Partial<Record<z.infer<typeof CarrierStatus>, ClaimState>>> = Object.freeze({
  'claim-opened': 'opened',
  'carrier-answered': 'carrier-answered',
  'solution-agreed': 'compensation-agreed',
  'compensation-agreed': 'compensation-agreed',
  settled: 'settled',
  closed: 'settled',
  rejected: 'rejected',
});

export async function openCarrierClaim(c: Case): Promise<void> {
  const { caseId, input } = c.s;
  if (c.handlingV4) c.s.claim ??= { state: 'opened', problem: input.shipmentProblem };
  const problem = input.shipmentProblem;
  const result = await c.entity.attempt('carrier-claim', 'opening the carrier claim', () =>
    activities.openCarrierClaim.executeWithOptions(
      { summary: `open carrier claim${problem ? ` (${problem})` : ''} (24 h to agree a solution)` },
      [
        {
          idempotencyKey: idempotencyKey('carrier-claim'),
          caseId,
          orderId: input.product?.orderId,
          carrier: input.product?.carrier,
          ...(c.handlingV4 && problem ? { problem } : {}),
        },
      ],
    ),
  );
  if (!result) return;
  c.s.carrierClaimId = result.claimId;
  if (c.s.claim) c.s.claim.id = result.claimId;
  c.entity.record('carrier-claim-opened', `carrier claim ${result.claimId} opened`, {
    window: 'carrier-solution',
  });
  if (problem && c.handlingV4) await offerCompensation(c, problem);
}

/** The customer hears the standard for the problem at once; they do not wait for the carrier. */
async function offerCompensation(c: Case, problem: ShipmentProblem): Promise<void> {
  const claim = c.s.claim!;
  if (claim.offered) return;
  const standard = c.s.policy.carrierCompensation[problem];
  claim.offered = standard;
  c.entity.record('compensation-offered', `${problem}: ${standard.offer} offered to the customer`, {
    window: 'carrier-solution',
    data: { problem, refundPercent: standard.refundPercent },
  });
  await c.entity.notifyCustomer(`customer/compensation/${problem}`, 'carrier-compensation', {
    problem,
    offer: standard.offer,
    refundPercent: standard.refundPercent,
  });
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
  if (c.handlingV4) return await followClaim(c, message);
  if (message.status === 'solution-agreed')
    c.windows.fulfil('carrier-solution', 'solution agreed with the carrier');
  if (message.status === 'closed') {
    c.entity.record('carrier-claim-closed', 'carrier claim followed to closure', {
      window: 'carrier-solution',
    });
  }
  if (message.status === 'rejected') await carrierRejected(c);
}

async function followClaim(c: Case, message: z.output<typeof CarrierUpdate>): Promise<void> {
  const s = c.s;
  const claim = (s.claim ??= { state: 'opened', problem: s.input.shipmentProblem });
  if (message.claimId) claim.id = message.claimId;
  const work: Promise<unknown>[] = [];
  if (message.problem && message.problem !== claim.problem) {
    claim.problem = message.problem;
    c.entity.record('shipment-problem', `the carrier's finding: ${message.problem}`, {
      data: { problem: message.problem },
    });
    work.push(offerCompensation(c, message.problem));
  }
  const next = CLAIM_STATE[message.status];
  if (next && next !== claim.state && claim.state !== 'settled') {
    const before = claim.state;
    claim.state = next;
    c.entity.record('claim-state', `carrier claim ${claimName(c)}: ${before} → ${next}`, {
      data: { from: before, to: next },
    });
    if (next === 'compensation-agreed') {
      c.windows.fulfil('carrier-solution', 'compensation agreed with the carrier');
      if (!c.windows.latest('claim-settlement'))
        c.windows.start('claim-settlement', s.policy.claimSettlement);
    }
    if (next === 'settled') {
      c.windows.fulfil('carrier-solution', 'claim settled');
      c.windows.fulfil('claim-settlement', 'claim settled');
      c.entity.record('carrier-claim-closed', 'carrier claim followed to closure', {
        window: 'claim-settlement',
      });
      if (s.heldClose) {
        const held = s.heldClose;
        s.heldClose = undefined;
        closeCase(c, held.outcome, `${held.reason} (held until the carrier claim settled)`);
      }
    }
    if (next === 'rejected') work.push(carrierRejected(c));
  }
  await Promise.all(work);
  c.entity.touch();
}

async function carrierRejected(c: Case): Promise<void> {
  c.s.needsHumanReview = true;
  c.entity.touch();
  await notifyCaseStaff(c, `carrier-rejected/${c.s.timeline.length}`, {
    audience: 'team-lead',
    reason: 'the carrier rejected the claim',
  });
}

/**
 * Closes the case, or, while its carrier claim is open, holds the close until the claim settles
 * (rule AS-7: followed to closure). Returns whether it closed now.
 */
export function closeUnlessClaimOpen(c: Case, held: HeldClose): boolean {
  if (!claimOpen(c)) {
    closeCase(c, held.outcome, held.reason);
    return true;
  }
  if (!c.s.heldClose) {
    c.s.heldClose = held;
    c.entity.record(
      'close-held',
      `${held.outcome} held: carrier claim ${claimName(c)} is ${c.s.claim?.state ?? 'open'}`,
      { data: { outcome: held.outcome } },
    );
  }
  return false;
}
