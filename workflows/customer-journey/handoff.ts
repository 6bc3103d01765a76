/**
 * The contract and the handoff (rules PS-8, HO-1 … HO-4): the signed agreement's promises become
 * the terms every later case honours; the customer archive is synchronised with the requirements,
 * terms and special requests; after-sales gets a handoff task; the customer a confirmation. After
 * delivery the training schedule is pushed and the relationship begins; before the contract ends
 * the owner is reminded to prepare the renewal.
 */
import { idempotencyKey } from '../kernel/activity-calls';
import { journeyActivities as activities } from './activities';
import { durationMs } from '../kernel/contract';
import * as metrics from '../kernel/metrics';
import { addMs, nowIso, nowMs } from '../kernel/time';
import type { HandoffResult, ParsedJourneyInput, ParsedSignContract } from './contract';
import { consentOf, schedulePresalesSurvey } from './customer';
import { onDelivered, planDelivery } from './delivery';
import { gradeCustomer } from './grade';
import { customerChannel } from './model';
import { stopFollowUps } from './follow-up';
import { createTask, type Journey } from './model';
import { scheduleRevisit } from './relationship';
import type { JourneyState } from './state';

export const RENEWAL = 'renewal';

export async function signContract(
  j: Journey,
  input: ParsedJourneyInput,
  contract: ParsedSignContract,
): Promise<HandoffResult> {
  const s = j.s;
  const signed: NonNullable<JourneyState['contract']> = {
    contractId: contract.contractId,
    terms: contract.terms,
    signedAt: nowIso(),
    ...(contract.winReason ? { winReason: contract.winReason } : {}),
  };
  s.contract = signed;
  stopFollowUps(j);
  j.entity.moveTo('onboarding', `contract ${contract.contractId} signed`);
  planDelivery(j, contract);
  gradeCustomer(j, contract);
  metrics.journeyEnded({ outcome: 'won', channel: s.channel });
  j.entity.record('contract-signed', `contract ${contract.contractId} signed; handing off to after-sales`, {
    data: { terms: contract.terms },
  });
  const handoff = {
    requirements: s.requirements,
    painPoints: s.painPoints,
    acceptedQuote: s.quotes.find((quote) => quote.status === 'approved'),
    terms: contract.terms,
    specialRequests: s.specialRequests,
    ...(s.grade ? { grade: s.grade.grade } : {}),
    // Reception-v3: the contact as last checked, what the customer asked, how to reach them.
    ...(j.receptionV3
      ? {
          contact: s.contact ?? input.contact,
          inquiries: s.inquiries.map(({ inquiryId, channel, at, summary, specialRequests }) => ({
            inquiryId,
            channel,
            at,
            summary,
            specialRequests,
          })),
          preferredChannel: customerChannel(j),
          consent: consentOf(j),
        }
      : { contact: input.contact }),
  };
  const [archive] = await Promise.all([
    j.entity.attempt('archive', 'synchronising the customer archive', () =>
      activities.syncCustomerArchive.executeWithOptions(
        { summary: 'sync customer archive (handoff package)' },
        [
          {
            idempotencyKey: idempotencyKey(`archive/${contract.contractId}`),
            customerId: s.customerId,
            journeyId: s.journeyId,
            record: handoff,
          },
        ],
      ),
    ),
    createTask(
      j,
      `handoff/${contract.contractId}`,
      'handoff',
      nowIso(),
      `after-sales handoff for contract ${contract.contractId}`,
    ),
    j.entity.notifyCustomer(`customer/contract/${contract.contractId}`, 'contract-confirmation', {
      contractId: contract.contractId,
    }),
  ]);
  if (archive) {
    signed.archiveVersion = archive.archiveVersion;
    j.entity.record(
      'handoff',
      `customer archive synchronised (${archive.archiveVersion}); requirements, terms and special requests handed to after-sales`,
    );
  }
  scheduleRenewal(j);
  if (j.receptionV3) schedulePresalesSurvey(j);
  return {
    contractId: contract.contractId,
    archiveVersion: signed.archiveVersion,
    stage: s.stage,
    handoff: {
      requirements: s.requirements.length,
      specialRequests: s.specialRequests.length,
      terms: contract.terms,
    },
  };
}

/** Rule HO-4: the renewal reminder, the policy's period before the contract ends. */
function scheduleRenewal(j: Journey): void {
  const end = j.s.contract?.terms.contractEnd;
  if (!end) return;
  const remindAt = Date.parse(`${end}T00:00:00Z`) - durationMs(j.policy.renewalReminderBefore);
  j.agenda.set({
    key: RENEWAL,
    kind: RENEWAL,
    dueAt: new Date(Math.max(remindAt, nowMs())).toISOString(),
    summary: 'renewal reminder',
  });
}

export function watchRenewal(j: Journey): void {
  j.agenda.on(RENEWAL, async () => {
    const s = j.s;
    const contractId = s.contract?.contractId;
    const reason = `contract ${contractId} ends ${s.contract?.terms.contractEnd}: prepare the renewal conversation`;
    j.entity.record('renewal-reminder', reason);
    await Promise.all([
      createTask(j, 'renewal', 'renewal', nowIso(), `prepare the renewal of ${contractId}`),
      j.entity.notifyStaff('renewal', { audience: 'owner', staffId: s.owner, reason }),
    ]);
  });
}

/** Rule HO-3: delivery done: the training schedule is pushed and the relationship begins. */
export async function onDeliveryConfirmed(j: Journey): Promise<void> {
  const s = j.s;
  const deliveredAt = nowIso();
  s.deliveredAt = deliveredAt;
  onDelivered(j);
  j.entity.moveTo('after-sales', 'delivered');
  j.entity.record('delivered', 'delivery confirmed; training schedule pushed');
  scheduleRevisit(j, addMs(deliveredAt, durationMs(j.policy.revisitEvery)));
  await j.entity.attempt('training', 'pushing the training schedule', () =>
    activities.pushTrainingSchedule.executeWithOptions({ summary: 'push training schedule' }, [
      {
        idempotencyKey: idempotencyKey('training'),
        customerId: s.customerId,
        journeyId: s.journeyId,
        deliveredAt,
      },
    ]),
  );
}
