/**
 * `afterSalesCase` response windows on the time-skipping test server (rules AS-4, AS-5, AS-10,
 * AS-11, AS-16): first reply and resolution on calendar or business time, the warning ladder, the
 * breach, pauses while we wait on the customer.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  agentRespondedSignal,
  awaitingCustomerSignal,
  customerRepliedSignal,
  getCaseTimelineQuery,
  resolveUpdate,
} from '../workflows/after-sales-case/contract';
import { FailureType } from '../workflows/kernel/errors';
import { clockOf, HOUR, MINUTE, p1Outage, withCaseWorker } from './helpers/case-harness';
import { timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

/**
 * Skips the server's clock to the next `weekday` (0 = Sunday) at `utcHour`:00 UTC, so a window
 * can be seen against the desk's week (Shanghai is UTC+8 all year).
 */
async function skipToNext(weekday: number, utcHour: number): Promise<number> {
  const now = await env().currentTimeMs();
  const target = new Date(now);
  target.setUTCHours(utcHour, 0, 0, 0);
  while (target.getUTCDay() !== weekday || target.getTime() <= now)
    target.setUTCDate(target.getUTCDate() + 1);
  await env().sleep(target.getTime() - now);
  return target.getTime();
}

const SATURDAY = 6;
const FRIDAY = 5;

describe('response windows', () => {
  // Asserts the numbers of docs/rules.md AS-4, AS-10.
  it('P1 technical case escalates to lead and specialists when no reply within 2 hours', async () => {
    await withCaseWorker(env(), async ({ start, view, recorder }) => {
      // Saturday 10:00 in Shanghai: the desk is closed, and an urgent case does not wait for it.
      await skipToNext(SATURDAY, 2);
      const handle = await start(p1Outage);
      const firstReply = clockOf(await view(handle), 'first-reply');
      expect(Date.parse(firstReply.dueAt!) - Date.parse(firstReply.startedAt)).toBe(2 * HOUR);
      await env().sleep(2 * HOUR - MINUTE);
      expect(clockOf(await view(handle), 'first-reply').breached).toBe(false);
      await env().sleep(2 * MINUTE);
      const v = await view(handle);
      expect(clockOf(v, 'first-reply').breached).toBe(true);
      expect(v.slaBreached).toBe(true);
      expect(v.escalationLevel).toBe('specialist-team');
      expect(v.team).toBe('specialist-team');
      const breachNotices = recorder.of('notifyStaff', { window: 'first-reply', percent: 100 });
      expect(breachNotices.map((call) => call.request.audience).sort()).toEqual([
        'specialist-team',
        'team-lead',
      ]);
    });
  });

  // Asserts the numbers of docs/rules.md AS-5.
  it('the golden 4-hour window is met when an agent answers a P2 case after 3 hours', async () => {
    await withCaseWorker(env(), async ({ start, view, waitFor, recorder }) => {
      const handle = await start({ ...p1Outage, scope: 'single-customer' });
      expect((await view(handle)).priority).toBe('P2');
      await env().sleep(3 * HOUR);
      await handle.signal(agentRespondedSignal, { agentId: 'agent-7' });
      const v = await waitFor(handle, (view) => clockOf(view, 'first-reply').state === 'fulfilled');
      expect(v.stage).toBe('in-progress');
      await env().sleep(5 * HOUR);
      const later = await view(handle);
      expect(clockOf(later, 'first-reply').breached).toBe(false);
      expect(recorder.of('notifyStaff', { window: 'first-reply', percent: 100 })).toHaveLength(0);
    });
  });

  // Asserts the numbers of docs/rules.md AS-5.
  it('the golden 4-hour window runs through a weekend for P2, and from Monday’s opening for P3 and P4', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      // Saturday 10:00 in Shanghai (02:00 UTC); the desk opens again Monday 09:00 (01:00 UTC).
      const saturday = await skipToNext(SATURDAY, 2);
      const monday13 = new Date(saturday + 2 * 24 * HOUR + 3 * HOUR).toISOString();
      const outage = await start({ ...p1Outage, scope: 'single-customer' });
      const failure = await start({ customerId: 'C-3', description: 'Printer jams' });
      const flaw = await start({ customerId: 'C-3', description: 'Scratched tray', severity: 'cosmetic' });
      const p2 = clockOf(await view(outage), 'first-reply');
      expect((await view(outage)).priority).toBe('P2');
      expect(p2).toMatchObject({ budgetHours: 4, basis: 'calendar' });
      expect(Date.parse(p2.dueAt!) - Date.parse(p2.startedAt)).toBe(4 * HOUR);
      for (const [handle, priority] of [
        [failure, 'P3'],
        [flaw, 'P4'],
      ] as const) {
        const v = await view(handle);
        expect(v.priority).toBe(priority);
        expect(clockOf(v, 'first-reply')).toMatchObject({
          budgetHours: 4,
          basis: 'business',
          dueAt: monday13,
        });
      }

      await env().sleep(4 * HOUR + MINUTE);
      expect(clockOf(await view(outage), 'first-reply').breached).toBe(true);
      for (const handle of [failure, flaw])
        expect(clockOf(await view(handle), 'first-reply').breached).toBe(false);
    });
  });

  // Asserts the numbers of docs/rules.md AS-10.
  it('climbs the ladder at 50, 75, 90 % and breaches at 100 % of a window', async () => {
    await withCaseWorker(
      env(),
      async ({ start, recorder }) => {
        const started = await env().currentTimeMs();
        await start(p1Outage);
        await env().sleep(2 * HOUR + MINUTE);
        const firstReply = recorder.of('notifyStaff', { window: 'first-reply' });
        const steps = firstReply.map((call) => ({
          percent: call.request.percent,
          audience: call.request.audience,
          minutes: Math.round((call.at! - started) / MINUTE),
        }));
        expect(steps).toEqual(
          expect.arrayContaining([
            { percent: 50, audience: 'assignee', minutes: 60 },
            { percent: 75, audience: 'team-lead', minutes: 90 },
            { percent: 90, audience: 'specialist-team', minutes: 108 },
            { percent: 100, audience: 'team-lead', minutes: 120 },
            { percent: 100, audience: 'specialist-team', minutes: 120 },
          ]),
        );
        expect(steps).toHaveLength(5);
      },
      { timestamps: true },
    );
  });

  it('a P1 answered but not resolved within 24 hours breaches its resolution window then, not a minute before', async () => {
    await withCaseWorker(env(), async ({ start, view, recorder }) => {
      const handle = await start(p1Outage);
      await handle.signal(agentRespondedSignal, {});
      await env().sleep(24 * HOUR - MINUTE);
      expect(clockOf(await view(handle), 'resolution')).toMatchObject({ state: 'running', breached: false });
      await env().sleep(2 * MINUTE);
      expect(clockOf(await view(handle), 'resolution')).toMatchObject({ state: 'running', breached: true });
      expect(recorder.of('notifyStaff', { window: 'resolution', percent: 100 }).length).toBeGreaterThan(0);
    });
  });

  // Asserts the numbers of docs/rules.md AS-16.
  it('pausing while we wait on the customer stops the resolution clock and accounts the paused time', async () => {
    await withCaseWorker(env(), async ({ start, view, waitFor }) => {
      const handle = await start({ ...p1Outage, scope: 'single-customer' }); // P2: resolution 48 h
      await env().sleep(HOUR);
      await handle.signal(awaitingCustomerSignal, { reason: 'waiting for router logs' });
      await waitFor(handle, (v) => v.stage === 'awaiting-customer');
      await env().sleep(100 * HOUR);
      const paused = clockOf(await view(handle), 'resolution');
      expect(paused).toMatchObject({ state: 'paused', paused: true, breached: false });
      expect(paused.remainingMs).toBeCloseTo(47 * HOUR, -4); // ± 10 s of server jitter
      expect(paused.pausedSince).toBeDefined();
      expect(clockOf(await view(handle), 'first-reply').state).toBe('fulfilled');

      await handle.signal(customerRepliedSignal, { note: 'logs attached' });
      const resumed = await waitFor(handle, (v) => v.stage === 'in-progress');
      const clock = clockOf(resumed, 'resolution');
      expect(clock.state).toBe('running');
      expect(clock.pausedMs).toBeCloseTo(100 * HOUR, -4);
      expect(Date.parse(clock.dueAt!) - Date.parse(resumed.asOf)).toBeCloseTo(47 * HOUR, -4);
      const timeline = await handle.query(getCaseTimelineQuery);
      expect(timeline.entries.map((entry) => entry.type)).toEqual(
        expect.arrayContaining(['sla-paused', 'sla-resumed']),
      );
    });
  });

  // Asserts the numbers of docs/rules.md AS-16.
  it('waiting on the customer stops the exchange and functional-defect clocks; carrier, recall and repair clocks run on', async () => {
    await withCaseWorker(
      env(),
      async ({ start, view, waitFor }) => {
        const quality = { description: 'Kettle', category: 'quality' } as const;
        const cosmetic = await start({ ...quality, customerId: 'C-P1', severity: 'cosmetic' });
        const defect = await start({ ...quality, customerId: 'C-P2', severity: 'function-failure' });
        const parcel = await start({
          customerId: 'C-P3',
          description: 'Parcel crushed',
          category: 'logistics',
          product: { orderId: 'O-1', carrier: 'SF' },
        });
        // The recall system refuses: the recall clock stays open, measuring it.
        const hazard = await start({
          ...quality,
          customerId: 'C-P4',
          severity: 'safety-hazard',
          product: { batch: 'B-1' },
        });
        const repaired = await start({
          customerId: 'C-P5',
          description: 'Screen flickers',
          category: 'technical',
        });
        await waitFor(hazard, (v) => v.needsHumanReview);
        await repaired.executeUpdate(resolveUpdate, { args: [{ type: 'repair', mode: 'in-store' }] });

        for (const handle of [cosmetic, defect, parcel, hazard, repaired])
          await handle.signal(awaitingCustomerSignal, { reason: 'waiting for photos' });
        for (const handle of [cosmetic, defect, parcel, hazard])
          await waitFor(handle, (v) => v.stage === 'awaiting-customer');
        // A repair is the shop's work: the case does not wait on the customer meanwhile.
        await expect.poll(async () => (await repaired.query(getCaseTimelineQuery)).rejectedSignals).toBe(1);
        // A day and an hour: past the budget of every clock that would have run on but the repair's.
        await env().sleep(25 * HOUR);

        const state = async (handle: typeof cosmetic, window: Parameters<typeof clockOf>[1]) => {
          const clock = clockOf(await view(handle), window);
          return { state: clock.state, breached: clock.breached };
        };
        const paused = { state: 'paused', breached: false };
        expect(await state(cosmetic, 'exchange')).toEqual(paused);
        expect(await state(defect, 'defect-decision')).toEqual(paused);
        expect(await state(defect, 'defect-completion')).toEqual(paused);
        expect(await state(parcel, 'resolution')).toEqual(paused);
        expect(await state(parcel, 'carrier-solution')).toEqual({ state: 'running', breached: true });
        expect(await state(hazard, 'recall')).toEqual({ state: 'running', breached: true });
        const repair = clockOf(await view(repaired), 'repair');
        expect(repair).toMatchObject({ state: 'running', breached: false });
        expect(Date.parse(repair.dueAt!) - Date.parse(repair.startedAt)).toBe(72 * HOUR);
        // Asking the customer is itself the first reply: it is met, not paused.
        expect(await state(cosmetic, 'first-reply')).toEqual({ state: 'fulfilled', breached: false });
      },
      {
        activities: {
          openRecall: () =>
            Promise.reject(
              ApplicationFailure.nonRetryable(
                'recall system refused (HTTP 422)',
                FailureType.IntegrationRejected,
              ),
            ),
        },
      },
    );
  });

  // Asserts the numbers of docs/rules.md AS-11.
  it('business hours move a Friday-evening deadline to Monday', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      // Skip to the next Friday 17:00 in Shanghai (09:00 UTC); the P3 window counts 4 business hours.
      await skipToNext(FRIDAY, 9);

      const handle = await start({ customerId: 'C-3', description: 'Printer jams', category: 'technical' });
      const v = await view(handle);
      expect(v.priority).toBe('P3');
      const firstReply = clockOf(v, 'first-reply');
      expect(firstReply.basis).toBe('business');
      const due = new Date(firstReply.dueAt!);
      // One hour on Friday (17:00–18:00), three on Monday (09:00–12:00 Shanghai = 04:00 UTC);
      // the case opened a moment after 17:00, so the deadline is that moment after 12:00.
      expect(due.getUTCDay()).toBe(1);
      expect(due.toISOString().slice(11, 16)).toBe('04:00');
      expect(due.getTime() - Date.parse(firstReply.startedAt)).toBe(67 * HOUR);
    });
  });

  // Asserts the numbers of docs/rules.md AS-11.
  it('a contract’s support hours replace the default week: a Saturday desk answers on Saturday', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      // Friday 19:00 in Shanghai (11:00 UTC): the default desk closed at 18:00 and opens Monday.
      await skipToNext(FRIDAY, 11);
      const handle = await start({
        customerId: 'C-3',
        description: 'Printer jams',
        promisedTerms: {
          contractId: 'K-SAT',
          businessCalendar: {
            timeZone: 'Asia/Shanghai',
            workingDays: [1, 2, 3, 4, 5, 6],
            opensAt: '08:00',
            closesAt: '20:00',
          },
        },
      });
      const firstReply = clockOf(await view(handle), 'first-reply');
      expect(firstReply).toMatchObject({ budgetHours: 4, basis: 'business' });
      // One hour on Friday (19:00–20:00), three on Saturday (08:00–11:00 Shanghai = 03:00 UTC),
      // from the moment after 19:00 the case opened.
      const due = new Date(firstReply.dueAt!);
      expect(due.getUTCDay()).toBe(SATURDAY);
      expect(due.toISOString().slice(11, 16)).toBe('03:00');
      expect(due.getTime() - Date.parse(firstReply.startedAt)).toBe(16 * HOUR);
    });
  });

  it('honours the response windows promised in the contract over the defaults', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      const handle = await start({
        ...p1Outage,
        scope: 'single-customer',
        promisedTerms: {
          contractId: 'K-9',
          responseWindows: { P2: { firstReplyHours: 1, resolutionHours: 12 } },
        },
      });
      const v = await view(handle);
      expect(clockOf(v, 'first-reply').budgetHours).toBe(1);
      expect(clockOf(v, 'resolution').budgetHours).toBe(12);
    });
  });

  it('an assisted reply counts for a routine case, awaits a person’s review, and does not count for P1', async () => {
    await withCaseWorker(env(), async ({ start, waitFor, timelineTypes }) => {
      const routine = await start({
        customerId: 'C-4',
        description: 'How do I reset?',
        severity: 'cosmetic',
      });
      await routine.signal(agentRespondedSignal, { kind: 'assisted' });
      const v = await waitFor(routine, (view) => clockOf(view, 'first-reply').state === 'fulfilled');
      // The review mark is its own, apart from integration failures.
      expect(v.needsAttention).toEqual(['reply-review']);
      expect(v.needsHumanReview).toBe(false);

      const urgent = await start(p1Outage);
      await urgent.signal(agentRespondedSignal, { kind: 'assisted' });
      await expect.poll(() => timelineTypes(urgent)).toContain('assisted-reply-not-counted');
      await waitFor(urgent, (view) => clockOf(view, 'first-reply').state === 'running');
    });
  });
});
