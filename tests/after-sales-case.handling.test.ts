/**
 * After-sales handling to the letter (rules AS-13, AS-17, AS-18, AS-19) on the time-skipping test
 * server: the guarantee's month and who caused the fault decide between replace/refund and a free
 * repair with parts at cost; a complaint of any category follows the six steps and a serious one
 * goes to management at once; a case escalated to management by hand gets management's round;
 * technical faults to senior engineers first (AS-3), assisted replies for routine non-technical
 * questions awaiting a person's review (AS-6), the functional defect's windows (AS-20), a recall
 * that asks for its batch (AS-9), carrier claims followed to settlement (AS-7).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentRespondedSignal,
  carrierUpdateSignal,
  closeCaseUpdate,
  completeComplaintStepUpdate,
  escalateUpdate,
  collaboratorAnsweredSignal,
  getCaseTimelineQuery,
  handOverUpdate,
  involveTeamUpdate,
  visitCompletedSignal,
  productDetailsSignal,
  resolveUpdate,
  reviewReplyUpdate,
  submitFeedbackUpdate,
  type AfterSalesCaseInput,
} from '../workflows/after-sales-case/contract';
import { clockOf, HOUR, MINUTE, withCaseWorker } from './helpers/case-harness';
import { rejectionOf, timeSkippingEnvironment } from './helpers/temporal';

/**
 * Polls until what a user would see holds: several activities in a row (terms, triage, the
 * claim, the message) take more than a second on a loaded machine.
 */
const patient = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

/**
 * Skips the server's clock to the next Saturday 10:00 in Shanghai (02:00 UTC, UTC+8 all year),
 * when the default desk is closed until Monday 09:00.
 */
async function skipToSaturdayMorning(): Promise<number> {
  const now = await env.currentTimeMs();
  const target = new Date(now);
  target.setUTCHours(2, 0, 0, 0);
  while (target.getUTCDay() !== 6 || target.getTime() <= now) target.setUTCDate(target.getUTCDate() + 1);
  await env.sleep(target.getTime() - now);
  return target.getTime();
}

/** The server's today, minus `days`, as YYYY-MM-DD. */
async function daysAgo(days: number): Promise<string> {
  return new Date((await env.currentTimeMs()) - days * 86_400_000).toISOString().slice(0, 10);
}

const broken = (purchasedAt: string, extra: Partial<AfterSalesCaseInput> = {}): AfterSalesCaseInput => ({
  customerId: 'C-G1',
  description: 'Blender stopped working',
  category: 'quality',
  severity: 'function-failure',
  product: { sku: 'BL-1', purchasedAt },
  ...extra,
});

describe('the guarantee (AS-18)', () => {
  // Asserts the numbers of docs/rules.md AS-18.
  it('past the month, replace and refund are refused naming why; the repair is free with parts at cost, and the customer is told', async () => {
    const bought = await daysAgo(45);
    await withCaseWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(broken(bought));
      for (const type of ['replace', 'refund'] as const) {
        expect(await rejectionOf(handle.executeUpdate(resolveUpdate, { args: [{ type }] }))).toBe(
          `${type} is offered within 30 days of purchase for faults of ours; bought on ${bought}, 45 days ago (more than 30): repair it free, parts at cost`,
        );
      }
      const repair = await handle.executeUpdate(resolveUpdate, {
        args: [{ type: 'repair', mode: 'in-store' }],
      });
      expect(repair).toMatchObject({ status: 'repair-scheduled' });
      expect(recorder.of('scheduleRepair')[0]!.request).toMatchObject({
        partsAtCost: true,
        inWarranty: true,
      });
      await waitFor(handle, (v) => v.stage === 'repairing');
      await patient(() => recorder.of('notifyCustomer', { template: 'repair-scheduled' }).length).toBe(1);
      expect(recorder.of('notifyCustomer', { template: 'repair-scheduled' })[0]!.request.data).toMatchObject({
        partsAtCost: true,
      });
    });
  });

  it('a customer-caused fault is repaired, not refunded, even in the first month', async () => {
    const bought = await daysAgo(3);
    await withCaseWorker(env, async ({ start }) => {
      const handle = await start(broken(bought, { cause: 'customer-caused' }));
      expect(await rejectionOf(handle.executeUpdate(resolveUpdate, { args: [{ type: 'refund' }] }))).toMatch(
        /^refund is offered within 30 days of purchase for faults of ours; the customer caused the fault/,
      );
    });
  });

  // Asserts the numbers of docs/rules.md AS-18.
  it('within the month a fault of ours is replaced on request; a safety hazard always is', async () => {
    const recent = await daysAgo(10);
    const old = await daysAgo(200);
    await withCaseWorker(env, async ({ start, recorder }) => {
      const fresh = await start(broken(recent, { customerId: 'C-G2', cause: 'quality' }));
      expect(await fresh.executeUpdate(resolveUpdate, { args: [{ type: 'replace' }] })).toMatchObject({
        resolutionType: 'replace',
      });
      const hazard = await start(
        broken(old, { customerId: 'C-G3', severity: 'safety-hazard', description: 'Battery swells' }),
      );
      expect(await hazard.executeUpdate(resolveUpdate, { args: [{ type: 'refund' }] })).toMatchObject({
        resolutionType: 'refund',
      });
      expect(recorder.of('shipReplacement')).toHaveLength(1);
      // Without a purchase date the month cannot be checked, so it does not stand in the way.
      const undated = await start({ ...broken(old, { customerId: 'C-G4' }), product: { sku: 'BL-1' } });
      expect(await undated.executeUpdate(resolveUpdate, { args: [{ type: 'refund' }] })).toMatchObject({
        resolutionType: 'refund',
      });
      expect(recorder.of('issueRefund')).toHaveLength(2);
    });
  });
});

describe('complaints of any kind (AS-13, AS-19)', () => {
  // Asserts the numbers of docs/rules.md AS-13.
  it('a technical case marked a complaint follows the six steps before its remedy', async () => {
    await withCaseWorker(env, async ({ start }) => {
      const handle = await start({
        customerId: 'C-K1',
        description: 'Third outage this month, nobody called back',
        category: 'technical',
        complaint: 'ordinary',
      });
      expect(
        await rejectionOf(
          handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'explained' }] }),
        ),
      ).toBe(
        'a complaint is resolved after its first five steps; missing: listen, apologise, collect-facts, propose-solution, ask-opinion',
      );
      for (const step of [
        'listen',
        'apologise',
        'collect-facts',
        'propose-solution',
        'ask-opinion',
      ] as const) {
        await handle.executeUpdate(completeComplaintStepUpdate, { args: [{ step }] });
      }
      expect(
        await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'explained' }] }),
      ).toMatchObject({
        status: 'resolved',
      });
    });
  });

  // Asserts the numbers of docs/rules.md AS-19.
  it('a serious complaint is reported to management at once and handled by it', async () => {
    await withCaseWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start({
        customerId: 'C-K2',
        description: 'Staff were rude and the refund never came',
        category: 'logistics',
        complaint: 'serious',
      });
      const view = await waitFor(handle, (v) => v.escalationLevel === 'management');
      expect(view.team).toBe('management');
      await patient(() =>
        recorder.of('notifyStaff', { audience: 'management' }).map((call) => call.request.idempotencyKey),
      ).toEqual([`${handle.workflowId}/complaint/serious`]);
    });
  });
});

describe('management (AS-17)', () => {
  // Asserts the numbers of docs/rules.md AS-17.
  it('a case escalated to management by hand is handled again after its first unhappy revisit, then closes', async () => {
    await withCaseWorker(env, async ({ start, view }) => {
      const handle = await start({ customerId: 'C-M1', description: 'Keeps failing', category: 'service' });
      for (const step of [
        'listen',
        'apologise',
        'collect-facts',
        'propose-solution',
        'ask-opinion',
      ] as const) {
        await handle.executeUpdate(completeComplaintStepUpdate, { args: [{ step }] });
      }
      await handle.executeUpdate(escalateUpdate, { args: [{ level: 'management', reason: 'key account' }] });
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'first try' }] });
      const first = await handle.executeUpdate(submitFeedbackUpdate, {
        args: [{ csat: 1, resolved: false }],
      });
      expect(first.outcome).toBe('escalated-to-management');
      await patient(async () => (await view(handle)).stage).toBe('in-progress');
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'management visit' }] });
      const second = await handle.executeUpdate(submitFeedbackUpdate, {
        args: [{ csat: 2, resolved: false }],
      });
      expect(second.outcome).toBe('closed');
      expect(await handle.result()).toMatchObject({
        outcome: 'closed-unsatisfied',
        reopenCount: 1,
        team: 'management',
      });
    });
  });
});

describe('seniors first (AS-3)', () => {
  // Asserts the numbers of docs/rules.md AS-3.
  it('a routine technical fault goes to senior engineers, who may hand it to technical support with a reason; an urgent one stays', async () => {
    await withCaseWorker(env, async ({ start, view, timelineTypes, recorder }) => {
      const routine = await start({
        customerId: 'C-R1',
        description: 'App slow at login',
        category: 'technical',
      });
      expect(await view(routine)).toMatchObject({ priority: 'P3', team: 'senior-engineers' });
      const handed = await routine.executeUpdate(handOverUpdate, {
        args: [{ to: 'technical-support', reason: 'known cache setting', by: 'eng-3' }],
      });
      expect(handed.team).toBe('technical-support');
      expect(await timelineTypes(routine)).toContain('handed-over');
      // Once: a retried activity carries the same idempotency key.
      await patient(
        () =>
          new Set(
            recorder
              .of('assignCase', { team: 'technical-support' })
              .map((call) => call.request.idempotencyKey),
          ).size,
      ).toBe(1);

      const urgent = await start({
        customerId: 'C-R2',
        description: 'Site down',
        category: 'technical',
        severity: 'service-outage',
      });
      expect(
        await rejectionOf(
          urgent.executeUpdate(handOverUpdate, { args: [{ to: 'technical-support', reason: 'busy' }] }),
        ),
      ).toBe('a P2 technical fault stays with senior engineers; only P3/P4 may be handed over');
      expect((await view(urgent)).team).toBe('senior-engineers');
    });
  });
});

describe('assisted replies (AS-6)', () => {
  // Asserts the numbers of docs/rules.md AS-6.
  it('do not answer a technical fault; answer a routine question and await a person, whose correction reaches the customer', async () => {
    await withCaseWorker(env, async ({ start, waitFor, timelineTypes, recorder }) => {
      const fault = await start({ customerId: 'C-A1', description: 'Router reboots', category: 'technical' });
      await fault.signal(agentRespondedSignal, { kind: 'assisted', agentId: 'bot-1' });
      await patient(() => timelineTypes(fault)).toContain('assisted-reply-not-counted');
      await waitFor(fault, (v) => clockOf(v, 'first-reply').state === 'running');

      const question = await start({ customerId: 'C-A2', description: 'Opening hours?', category: 'other' });
      await question.signal(agentRespondedSignal, { kind: 'assisted', agentId: 'bot-1' });
      const drafted = await waitFor(question, (v) => clockOf(v, 'first-reply').state === 'fulfilled');
      expect(drafted.needsAttention).toEqual(['reply-review']);
      expect(drafted.replyReviews).toMatchObject([{ agentId: 'bot-1', status: 'awaiting-review' }]);

      const reviewed = await question.executeUpdate(reviewReplyUpdate, {
        args: [{ reviewer: 'agent-7', verdict: 'corrected', correction: 'We open at 9:00, not 8:00.' }],
      });
      expect(reviewed.needsAttention).toEqual([]);
      expect(reviewed.replyReviews).toMatchObject([{ status: 'corrected', reviewer: 'agent-7' }]);
      await patient(() =>
        recorder.of('notifyCustomer', { template: 'reply-corrected' }).map((call) => call.request.data),
      ).toEqual([{ correction: 'We open at 9:00, not 8:00.' }]);
      expect(
        await rejectionOf(
          question.executeUpdate(reviewReplyUpdate, {
            args: [{ reviewer: 'agent-7', verdict: 'confirmed' }],
          }),
        ),
      ).toBe('no assisted reply is awaiting review');
      expect(
        await rejectionOf(
          question.executeUpdate(reviewReplyUpdate, {
            args: [{ reviewer: 'agent-7', verdict: 'corrected' }],
          }),
        ),
      ).toMatch(/correction.*must say what the customer is told instead/);
    });
  });

  // Asserts the numbers of docs/rules.md AS-6.
  it('count for P3 and P4 questions on logistics, service and other; not for a P2 or a quality fault', async () => {
    await withCaseWorker(env, async ({ start, view, waitFor, timelineTypes }) => {
      const question = { description: 'Where is my parcel?', product: { orderId: 'O-1' } } as const;
      const answered = [
        await start({ ...question, customerId: 'C-A3', category: 'logistics' }),
        await start({ ...question, customerId: 'C-A4', category: 'service' }),
        await start({ ...question, customerId: 'C-A5', category: 'other', severity: 'cosmetic' }),
      ];
      const refused = [
        await start({ ...question, customerId: 'C-A6', category: 'other', severity: 'service-outage' }),
        await start({ ...question, customerId: 'C-A7', category: 'quality' }),
      ];
      expect(await Promise.all([...answered, ...refused].map(async (h) => (await view(h)).priority))).toEqual(
        ['P3', 'P3', 'P4', 'P2', 'P3'],
      );
      for (const handle of [...answered, ...refused])
        await handle.signal(agentRespondedSignal, { kind: 'assisted', agentId: 'bot-1' });
      for (const handle of answered) {
        const v = await waitFor(handle, (view) => clockOf(view, 'first-reply').state === 'fulfilled');
        expect(v.needsAttention).toContain('reply-review');
      }
      for (const handle of refused) {
        await patient(() => timelineTypes(handle)).toContain('assisted-reply-not-counted');
        const v = await view(handle);
        expect(clockOf(v, 'first-reply').state).toBe('running');
        expect(v.needsAttention).not.toContain('reply-review');
      }
    });
  });
});

describe('three quality tiers (AS-8, AS-9, AS-20)', () => {
  // Asserts the numbers of docs/rules.md AS-20.
  it('a functional defect gets its remedy decided within 24 hours and completed within 72; a late decision escalates', async () => {
    await withCaseWorker(env, async ({ start, view, waitFor }) => {
      const input = {
        description: 'Blender motor stops under load',
        category: 'quality',
        severity: 'function-failure',
      } as const;
      const onTime = await start({ customerId: 'C-Q1', ...input });
      const v = await view(onTime);
      expect(clockOf(v, 'defect-decision')).toMatchObject({ budgetHours: 24, state: 'running' });
      expect(clockOf(v, 'defect-completion')).toMatchObject({ budgetHours: 72, state: 'running' });
      await onTime.executeUpdate(resolveUpdate, { args: [{ type: 'replace' }] });
      const done = await view(onTime);
      expect(clockOf(done, 'defect-decision')).toMatchObject({ state: 'fulfilled', breached: false });
      expect(clockOf(done, 'defect-completion')).toMatchObject({ state: 'fulfilled', breached: false });

      const late = await start({ customerId: 'C-Q2', ...input });
      await env.sleep(25 * HOUR);
      const breached = await waitFor(late, (view) => clockOf(view, 'defect-decision').breached);
      expect(breached.escalationLevel).toBe('specialist-team');
      expect(clockOf(breached, 'defect-completion').state).toBe('running');
    });
  });

  // Asserts the numbers of docs/rules.md AS-20.
  it('a repair decided for a functional defect but not completed within 72 hours breaches then, not a minute before', async () => {
    await withCaseWorker(env, async ({ start, view, recorder }) => {
      const handle = await start({
        customerId: 'C-Q5',
        description: 'Blender motor stops under load',
        category: 'quality',
        severity: 'function-failure',
      });
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'repair', mode: 'in-store' }] });
      const decided = await view(handle);
      expect(clockOf(decided, 'defect-decision')).toMatchObject({ state: 'fulfilled', breached: false });
      const completion = clockOf(decided, 'defect-completion');
      await env.sleep(Date.parse(completion.dueAt!) - MINUTE - (await env.currentTimeMs()));
      expect(clockOf(await view(handle), 'defect-completion')).toMatchObject({
        state: 'running',
        breached: false,
      });
      expect(recorder.of('notifyStaff', { window: 'defect-completion', percent: 100 })).toHaveLength(0);
      await env.sleep(2 * MINUTE);
      const late = await view(handle);
      expect(clockOf(late, 'defect-completion')).toMatchObject({ state: 'running', breached: true });
      expect(Date.parse(completion.dueAt!) - Date.parse(completion.startedAt)).toBe(72 * HOUR);
      expect(late.slaBreached).toBe(true);
      await patient(() =>
        recorder
          .of('notifyStaff', { window: 'defect-completion', percent: 100 })
          .map((call) => call.request.audience)
          .sort(),
      ).toEqual(['specialist-team', 'team-lead']);
    });
  });

  // Asserts the numbers of docs/rules.md AS-9.
  it('a recall without batch or order asks the customer for them, and opens when they arrive', async () => {
    await withCaseWorker(env, async ({ start, view, waitFor, recorder }) => {
      const handle = await start({
        customerId: 'C-Q3',
        description: 'Charger sparks',
        category: 'quality',
        severity: 'safety-hazard',
      });
      await patient(() => recorder.of('notifyCustomer', { template: 'recall-details-needed' }).length).toBe(
        1,
      );
      const asking = await view(handle);
      expect(clockOf(asking, 'recall-details')).toMatchObject({ budgetHours: 4, state: 'running' });
      expect(asking.clocks.some((clock) => clock.window === 'recall')).toBe(false);
      expect(recorder.of('openRecall')).toHaveLength(0);

      // Neither batch nor order: recorded and ignored.
      await handle.signal(productDetailsSignal, { sku: 'CH-9' });
      await patient(async () => (await handle.query(getCaseTimelineQuery)).rejectedSignals).toBe(1);
      await handle.signal(productDetailsSignal, { batch: 'B-2026-10' });
      const opened = await waitFor(handle, (v) => clockOf(v, 'recall').state === 'fulfilled');
      expect(clockOf(opened, 'recall-details').state).toBe('fulfilled');
      expect(recorder.of('openRecall').map((call) => call.request.batch)).toEqual(['B-2026-10']);
    });
  });

  // Asserts the numbers of docs/rules.md AS-9.
  it('a customer who sends no batch or order within 4 hours breaches the details window, and the recall waits', async () => {
    await withCaseWorker(env, async ({ start, view, recorder }) => {
      const handle = await start({
        customerId: 'C-Q4',
        description: 'Charger sparks again',
        category: 'quality',
        severity: 'safety-hazard',
      });
      await patient(() => recorder.of('notifyCustomer', { template: 'recall-details-needed' }).length).toBe(
        1,
      );
      await env.sleep(4 * HOUR - MINUTE);
      expect(clockOf(await view(handle), 'recall-details')).toMatchObject({
        state: 'running',
        breached: false,
      });
      await env.sleep(2 * MINUTE);
      const late = await view(handle);
      expect(clockOf(late, 'recall-details')).toMatchObject({ state: 'running', breached: true });
      expect(late.slaBreached).toBe(true);
      expect(recorder.of('openRecall')).toHaveLength(0);
    });
  });
});

describe('carrier claims to closure (AS-7)', () => {
  // Asserts the numbers of docs/rules.md AS-7.
  it('the problem decides the compensation offered; the claim moves to settlement on its clock, and the case waits for it to close', async () => {
    await withCaseWorker(env, async ({ start, view, waitFor, recorder }) => {
      const handle = await start({
        customerId: 'C-L1',
        description: 'Parcel arrived three days late',
        category: 'logistics',
        shipmentProblem: 'delay',
        product: { orderId: 'O-9', carrier: 'SF' },
      });
      await patient(() =>
        recorder.of('notifyCustomer', { template: 'carrier-compensation' }).map((c) => c.request.data),
      ).toEqual([{ problem: 'delay', offer: 'a voucher worth 10 % of the order', refundPercent: 10 }]);
      expect(recorder.of('openCarrierClaim')[0]!.request).toMatchObject({ problem: 'delay', orderId: 'O-9' });
      expect((await view(handle)).needsAttention).toEqual(['carrier-claim']);

      await handle.signal(carrierUpdateSignal, { status: 'carrier-answered', claimId: 'CL-7' });
      await env.sleep(10 * HOUR);
      await handle.signal(carrierUpdateSignal, { status: 'compensation-agreed' });
      const agreed = await waitFor(handle, (v) => v.carrierClaim?.state === 'compensation-agreed');
      expect(clockOf(agreed, 'carrier-solution')).toMatchObject({ state: 'fulfilled', breached: false });
      expect(clockOf(agreed, 'claim-settlement')).toMatchObject({ budgetHours: 168, state: 'running' });

      expect(
        await rejectionOf(
          handle.executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] }),
        ),
      ).toBe('the carrier claim CL-7 is compensation-agreed: follow it to settlement first');
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'voucher sent' }] });
      await handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 5, resolved: true }] });
      const held = await waitFor(handle, (v) => v.closeHeld !== undefined);
      expect(held.stage).toBe('revisit');
      expect(held.closeHeld).toMatchObject({ outcome: 'closed-satisfied' });

      await handle.signal(carrierUpdateSignal, { status: 'settled' });
      expect(await handle.result()).toMatchObject({ outcome: 'closed-satisfied' });
      const closed = await view(handle);
      expect(clockOf(closed, 'claim-settlement')).toMatchObject({ state: 'fulfilled', breached: false });
      expect(closed.carrierClaim).toMatchObject({ id: 'CL-7', state: 'settled', problem: 'delay' });
    });
  });

  // Asserts the numbers of docs/rules.md AS-7.
  it('a claim agreed but not settled within 7 days breaches its settlement window then, not a minute before', async () => {
    await withCaseWorker(env, async ({ start, waitFor, view, recorder }) => {
      const handle = await start({
        customerId: 'C-L4',
        description: 'Parcel arrived crushed',
        category: 'logistics',
        shipmentProblem: 'damage',
        product: { orderId: 'O-11', carrier: 'SF' },
      });
      await waitFor(handle, (v) => v.carrierClaim?.state === 'opened');
      await handle.signal(carrierUpdateSignal, { status: 'compensation-agreed', claimId: 'CL-8' });
      const agreed = await waitFor(handle, (v) => v.carrierClaim?.state === 'compensation-agreed');
      const settlement = clockOf(agreed, 'claim-settlement');
      expect(Date.parse(settlement.dueAt!) - Date.parse(settlement.startedAt)).toBe(7 * 24 * HOUR);
      await env.sleep(Date.parse(settlement.dueAt!) - MINUTE - (await env.currentTimeMs()));
      expect(clockOf(await view(handle), 'claim-settlement')).toMatchObject({
        state: 'running',
        breached: false,
      });
      await env.sleep(2 * MINUTE);
      const late = await view(handle);
      expect(clockOf(late, 'claim-settlement')).toMatchObject({ state: 'running', breached: true });
      expect(late.slaBreached).toBe(true);
      await patient(() =>
        recorder
          .of('notifyStaff', { window: 'claim-settlement', percent: 100 })
          .map((call) => call.request.audience)
          .sort(),
      ).toEqual(['specialist-team', 'team-lead']);
      // Late is still owed: the claim stays open until the carrier settles.
      await handle.signal(carrierUpdateSignal, { status: 'settled' });
      const settled = await waitFor(handle, (v) => v.carrierClaim?.state === 'settled');
      expect(clockOf(settled, 'claim-settlement')).toMatchObject({ state: 'fulfilled', breached: true });
    });
  });

  // Asserts the numbers of docs/rules.md AS-7.
  it('a claim opened without a known problem offers the standard once the carrier names it', async () => {
    await withCaseWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start({ customerId: 'C-L2', description: 'Box crushed', category: 'logistics' });
      await waitFor(handle, (v) => v.carrierClaim?.state === 'opened');
      expect(recorder.of('notifyCustomer', { template: 'carrier-compensation' })).toHaveLength(0);
      await handle.signal(carrierUpdateSignal, { status: 'carrier-answered', problem: 'damage' });
      await patient(() =>
        recorder.of('notifyCustomer', { template: 'carrier-compensation' }).map((c) => c.request.data),
      ).toEqual([
        { problem: 'damage', offer: 'a replacement, or a refund of the damaged goods', refundPercent: 100 },
      ]);
      await handle.signal(carrierUpdateSignal, { status: 'rejected' });
      const rejected = await waitFor(handle, (v) => v.carrierClaim?.state === 'rejected');
      // A rejected claim is ours to make good: the team lead is told, the case may close.
      expect(rejected.needsAttention).toEqual(['integration-failed']);
    });
  });

  // Asserts the numbers of docs/rules.md AS-7.
  it('a parcel lost in transit is offered the goods sent again or a full refund at once', async () => {
    await withCaseWorker(env, async ({ start, recorder }) => {
      await start({
        customerId: 'C-L3',
        description: 'Parcel never arrived',
        category: 'logistics',
        shipmentProblem: 'loss',
        product: { orderId: 'O-10', carrier: 'SF' },
      });
      await patient(() =>
        recorder.of('notifyCustomer', { template: 'carrier-compensation' }).map((c) => c.request.data),
      ).toEqual([{ problem: 'loss', offer: 'the goods sent again, or a full refund', refundPercent: 100 }]);
    });
  });
});

describe('promised terms for every case (AS-21)', () => {
  // Asserts the numbers of docs/rules.md AS-21.
  it('a case started without terms takes the signed contract’s windows and warranty before it tells the customer when to expect an answer', async () => {
    const expired = await daysAgo(10);
    await withCaseWorker(
      env,
      async ({ start, view, recorder, timelineTypes }) => {
        const handle = await start({ customerId: 'C-T1', description: 'Printer jams', category: 'other' });
        await patient(() => recorder.of('notifyCustomer', { template: 'case-received' }).length).toBe(1);
        const v = await view(handle);
        expect(v.termsSource).toBe('archive');
        expect(v.inWarranty).toBe(false);
        expect(clockOf(v, 'first-reply')).toMatchObject({ budgetHours: 1, basis: 'calendar' });
        expect(recorder.of('notifyCustomer', { template: 'case-received' })[0]!.request.data).toMatchObject({
          replyBy: clockOf(v, 'first-reply').dueAt,
        });
        expect(await timelineTypes(handle)).toContain('terms-applied');
        expect(recorder.of('lookupPromisedTerms')[0]!.request).toMatchObject({ customerId: 'C-T1' });

        // A case that brings its terms asks nobody.
        const brought = await start({
          customerId: 'C-T2',
          description: 'Printer jams',
          promisedTerms: { contractId: 'K-2' },
        });
        expect((await view(brought)).termsSource).toBe('input');
        expect(recorder.of('lookupPromisedTerms', { customerId: 'C-T2' })).toHaveLength(0);
      },
      {
        activities: {
          lookupPromisedTerms: () =>
            Promise.resolve({
              source: 'archive',
              terms: {
                contractId: 'K-1',
                warrantyUntil: expired,
                responseWindows: { P3: { firstReplyHours: 1, basis: 'calendar' } },
              },
            }),
        },
      },
    );
  });
});

describe('collaboration and on-site work (AS-22, AS-23)', () => {
  // Asserts the numbers of docs/rules.md AS-22.
  it('a complex case brings in other teams, each answering within its own window; a late one is told to its lead and the owner', async () => {
    await withCaseWorker(env, async ({ start, view, waitFor, recorder }) => {
      const handle = await start({
        customerId: 'C-C1',
        description: 'Controller keeps failing',
        category: 'technical',
        policy: { collaborationReply: { hours: 2, basis: 'calendar' } },
      });
      await handle.signal(agentRespondedSignal, { agentId: 'eng-1' });
      const asked = await handle.executeUpdate(involveTeamUpdate, {
        args: [{ team: 'supply-chain', reason: 'when does the new batch arrive?', by: 'qa-2' }],
      });
      expect(asked.collaborators).toMatchObject([
        { team: 'supply-chain', reason: 'when does the new batch arrive?' },
      ]);
      await handle.executeUpdate(involveTeamUpdate, {
        args: [{ team: 'logistics-desk', reason: 'trace the shipment' }],
      });
      expect(
        await rejectionOf(
          handle.executeUpdate(involveTeamUpdate, { args: [{ team: 'supply-chain', reason: 'again' }] }),
        ),
      ).toBe('supply-chain was already asked and has not answered yet');
      expect(
        await rejectionOf(
          handle.executeUpdate(involveTeamUpdate, { args: [{ team: 'senior-engineers', reason: 'x' }] }),
        ),
      ).toBe('senior-engineers already owns the case');
      await patient(() =>
        recorder.of('notifyStaff', { window: 'collaboration' }).map((call) => call.request.team),
      ).toEqual(['supply-chain', 'logistics-desk']);

      await handle.signal(collaboratorAnsweredSignal, { team: 'supply-chain', note: 'Friday' });
      // A team nobody asked: recorded and ignored.
      await handle.signal(collaboratorAnsweredSignal, { team: 'management' });
      await patient(async () => (await handle.query(getCaseTimelineQuery)).rejectedSignals).toBe(1);
      await env.sleep(3 * HOUR);
      const late = await waitFor(handle, (v) =>
        v.clocks.some((clock) => clock.window === 'collaboration' && clock.breached),
      );
      const byTeam = late.clocks.filter((clock) => clock.window === 'collaboration');
      expect(byTeam.map((clock) => [clock.state, clock.breached])).toEqual([
        ['fulfilled', false],
        // Breached and still waiting for the answer.
        ['running', true],
      ]);
      // The collaborator's breach is not the case's own escalation.
      expect(late.escalationLevel).toBe('none');
      const breachNotes = recorder
        .of('notifyStaff', { window: 'collaboration', percent: 100 })
        .map((call) => [call.request.audience, call.request.team]);
      expect(breachNotes).toEqual(
        expect.arrayContaining([
          ['team-lead', 'logistics-desk'],
          ['assignee', 'senior-engineers'],
        ]),
      );
      expect((await view(handle)).collaborators?.map((entry) => entry.answeredAt !== undefined)).toEqual([
        true,
        false,
      ]);
    });
  });

  // Asserts the numbers of docs/rules.md AS-22.
  it('by default a collaborating team has 4 business hours: asked on a Saturday, it answers by Monday 13:00', async () => {
    await withCaseWorker(env, async ({ start, recorder }) => {
      const saturday = await skipToSaturdayMorning();
      const handle = await start({ customerId: 'C-C2', description: 'Parts missing', category: 'technical' });
      const asked = await handle.executeUpdate(involveTeamUpdate, {
        args: [{ team: 'supply-chain', reason: 'when do the parts arrive?' }],
      });
      // Monday 09:00 in Shanghai (01:00 UTC) plus four working hours.
      const monday13 = new Date(saturday + 2 * 24 * HOUR + 3 * HOUR).toISOString();
      expect(clockOf(asked, 'collaboration')).toMatchObject({
        budgetHours: 4,
        basis: 'business',
        dueAt: monday13,
      });
      await patient(() =>
        recorder
          .of('notifyStaff', { window: 'collaboration', team: 'supply-chain' })
          .map((c) => c.request.reason),
      ).toEqual([expect.stringContaining(`by ${monday13}`)]);
    });
  });

  // Asserts the numbers of docs/rules.md AS-23.
  it('installation is a remedy booked at an appointment: the slot is its window, the visit resolves the case', async () => {
    await withCaseWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start({
        customerId: 'C-V1',
        description: 'New oven to install',
        category: 'service',
      });
      for (const step of [
        'listen',
        'apologise',
        'collect-facts',
        'propose-solution',
        'ask-opinion',
      ] as const) {
        await handle.executeUpdate(completeComplaintStepUpdate, { args: [{ step }] });
      }
      const now = await env.currentTimeMs();
      const tooFar = new Date(now + 8 * 24 * HOUR).toISOString();
      expect(
        await rejectionOf(
          handle.executeUpdate(resolveUpdate, { args: [{ type: 'installation', appointmentAt: tooFar }] }),
        ),
      ).toBe('appointmentAt: must be within 168 hours from now');
      const appointmentAt = new Date(now + 24 * HOUR).toISOString();
      const booked = await handle.executeUpdate(resolveUpdate, {
        args: [{ type: 'installation', appointmentAt }],
      });
      expect(booked).toMatchObject({
        status: 'visit-scheduled',
        resolutionType: 'installation',
        stage: 'on-site',
      });
      // The slot ends two hours after the appointment's start.
      expect(Date.parse(booked.dueAt!)).toBe(Date.parse(appointmentAt) + 2 * HOUR);
      expect(recorder.of('scheduleVisit')[0]!.request).toMatchObject({
        service: 'installation',
        appointmentAt,
      });
      await patient(() =>
        recorder.of('notifyCustomer', { template: 'visit-booked' }).map((call) => call.request.data),
      ).toEqual([{ service: 'installation', appointmentAt }]);

      await env.sleep(25 * HOUR);
      await handle.signal(visitCompletedSignal, { outcome: 'done' });
      const done = await waitFor(handle, (v) => v.stage === 'revisit');
      expect(clockOf(done, 'appointment')).toMatchObject({ state: 'fulfilled', breached: false });
      expect(done.resolution).toMatchObject({
        type: 'installation',
        status: 'visit done',
        reference: 'VISIT-1',
      });
    });
  });

  // Asserts the numbers of docs/rules.md AS-23.
  it('a visit nobody reports by the end of its slot breaches the appointment window then, not before', async () => {
    await withCaseWorker(env, async ({ start, view }) => {
      const handle = await start({ customerId: 'C-V3', description: 'Boiler ticks', category: 'technical' });
      const appointmentAt = (await env.currentTimeMs()) + 4 * HOUR;
      await handle.executeUpdate(resolveUpdate, {
        args: [{ type: 'on-site-service', appointmentAt: new Date(appointmentAt).toISOString() }],
      });
      // The slot ends two hours after the appointment's start.
      await env.sleep(appointmentAt + 2 * HOUR - MINUTE - (await env.currentTimeMs()));
      expect(clockOf(await view(handle), 'appointment')).toMatchObject({ state: 'running', breached: false });
      await env.sleep(2 * MINUTE);
      expect(clockOf(await view(handle), 'appointment')).toMatchObject({ state: 'running', breached: true });
    });
  });

  // Asserts the numbers of docs/rules.md AS-23.
  it('a visit not done brings the case back in progress under a new resolution window, and the assignee is told', async () => {
    await withCaseWorker(env, async ({ start, view, waitFor, recorder, timelineTypes }) => {
      const handle = await start({ customerId: 'C-V2', description: 'Boiler leaks', category: 'technical' });
      const appointmentAt = new Date((await env.currentTimeMs()) + 4 * HOUR).toISOString();
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'on-site-service', appointmentAt }] });
      const booked = await view(handle);
      expect(booked.stage).toBe('on-site');
      expect(clockOf(booked, 'resolution').state).toBe('cancelled');

      await env.sleep(5 * HOUR);
      await handle.signal(visitCompletedSignal, { outcome: 'not-done', note: 'nobody home' });
      const back = await waitFor(handle, (v) => v.stage === 'in-progress');
      expect(back.resolution).toBeUndefined();
      expect(clockOf(back, 'appointment').state).toBe('cancelled');
      const resolution = clockOf(back, 'resolution');
      expect(resolution).toMatchObject({ state: 'running', budgetHours: 45, basis: 'business' });
      expect(Date.parse(resolution.startedAt)).toBeGreaterThanOrEqual(Date.parse(appointmentAt));
      expect(await timelineTypes(handle)).toContain('visit-failed');
      await patient(() =>
        recorder.of('notifyStaff', { audience: 'assignee' }).map((call) => call.request.reason),
      ).toContain('the on-site-service was not done: book another visit or choose another remedy');
      // Another remedy can be chosen.
      expect(
        await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'reset the valve' }] }),
      ).toMatchObject({ status: 'resolved' });
    });
  });
});
