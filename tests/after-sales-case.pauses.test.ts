/**
 * Pauses with a reason and a cap (rule OU-3) on the time-skipping test server: every pause says
 * what it waits on and its time adds up per reason; a reason the policy does not list is refused;
 * at the cap (45 business hours) the clocks run again and the team lead is asked, who may approve
 * a longer pause; a longer pause is refused before the cap.
 */
import { describe, expect, it } from 'vitest';
import {
  agentRespondedSignal,
  awaitingCustomerSignal,
  customerRepliedSignal,
  extendPauseUpdate,
  getCaseTimelineQuery,
} from '../workflows/after-sales-case/contract';
import { clockOf, HOUR, MINUTE, withCaseWorker } from './helpers/case-harness';
import { rejectionOf, timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

/** Skips the server's clock to the next Monday 10:00 in Shanghai (02:00 UTC). */
async function skipToMondayTen(): Promise<number> {
  const now = await env().currentTimeMs();
  const target = new Date(now);
  target.setUTCHours(2, 0, 0, 0);
  while (target.getUTCDay() !== 1 || target.getTime() <= now) target.setUTCDate(target.getUTCDate() + 1);
  await env().sleep(target.getTime() - now);
  return target.getTime();
}

const printer = {
  customerId: 'C-PZ1',
  description: 'Printer jams on every second page',
  category: 'technical',
} as const;

describe('pauses with a reason and a cap (OU-3)', () => {
  // Asserts the numbers of docs/rules.md OU-3.
  it('each pause names what it waits on, its time adds up per reason, and a reason the policy does not list is refused', async () => {
    await withCaseWorker(env(), async ({ start, view, waitFor }) => {
      const handle = await start(printer);
      await handle.signal(agentRespondedSignal, { agentId: 'agent-1' });
      await waitFor(handle, (v) => v.stage === 'in-progress');

      await handle.signal(awaitingCustomerSignal, {
        reason: 'waiting for a spare part',
        pauseReason: 'spares',
      });
      await expect
        .poll(async () => (await handle.query(getCaseTimelineQuery)).rejectedSignals, { timeout: 20_000 })
        .toBe(1);
      expect((await view(handle)).stage).toBe('in-progress');

      await handle.signal(awaitingCustomerSignal, { reason: 'pickup roller on order', pauseReason: 'parts' });
      await waitFor(handle, (v) => v.stage === 'awaiting-customer');
      await env().sleep(2 * HOUR);
      await handle.signal(customerRepliedSignal, { note: 'part arrived' });
      await waitFor(handle, (v) => v.stage === 'in-progress');
      await handle.signal(awaitingCustomerSignal, { reason: 'photos of the jam' });
      await waitFor(handle, (v) => v.stage === 'awaiting-customer');
      await env().sleep(HOUR);
      await handle.signal(customerRepliedSignal, { note: 'photos sent' });
      const resumed = await waitFor(handle, (v) => v.stage === 'in-progress');

      expect(resumed.pauses?.map((pause) => [pause.reason, pause.why])).toEqual([
        ['parts', 'pickup roller on order'],
        ['customer-information', 'photos of the jam'],
      ]);
      expect(resumed.pausedByReason?.parts).toBeCloseTo(2 * HOUR, -4);
      expect(resumed.pausedByReason?.['customer-information']).toBeCloseTo(HOUR, -4);
      expect(clockOf(resumed, 'resolution').pausedMs).toBeCloseTo(3 * HOUR, -4);
    });
  });

  // Asserts the numbers of docs/rules.md OU-3.
  it('at the cap of 45 business hours the clocks run again and the lead is asked; an approved extension pauses them for its hours', async () => {
    await withCaseWorker(env(), async ({ start, view, waitFor, recorder }) => {
      await skipToMondayTen();
      const handle = await start({ ...printer, customerId: 'C-PZ2' });
      await handle.signal(awaitingCustomerSignal, { reason: 'waiting for the parts', pauseReason: 'parts' });
      const paused = await waitFor(handle, (v) => v.stage === 'awaiting-customer');
      const pause = paused.pauses![0]!;
      // Five working days of 9 hours from Monday 10:00: the next Monday 10:00.
      expect(Date.parse(pause.capAt!) - Date.parse(pause.from)).toBe(7 * 24 * HOUR);
      expect(
        await rejectionOf(
          handle.executeUpdate(extendPauseUpdate, { args: [{ hours: 9, approvedBy: 'lead-3' }] }),
        ),
      ).toBe('no pause has reached its cap: a longer pause is approved only past the cap');

      await env().sleep(Date.parse(pause.capAt!) - MINUTE - (await env().currentTimeMs()));
      expect(clockOf(await view(handle), 'resolution').state).toBe('paused');
      await env().sleep(2 * MINUTE);
      const capped = await waitFor(handle, (v) => clockOf(v, 'resolution').state === 'running');
      expect(capped.stage).toBe('awaiting-customer');
      expect(capped.pauses![0]).toMatchObject({ reason: 'parts', capped: true });
      expect(Date.parse(capped.pauses![0]!.to!) - Date.parse(pause.capAt!)).toBeLessThan(MINUTE);
      await expect
        .poll(() =>
          recorder.of('notifyStaff', { audience: 'team-lead' }).map((call) => String(call.request.reason)),
        )
        .toEqual([expect.stringContaining('paused on parts past its cap')]);

      const extended = await handle.executeUpdate(extendPauseUpdate, {
        args: [{ hours: 9, approvedBy: 'lead-3', note: 'the supplier ships on Tuesday' }],
      });
      expect(clockOf(extended, 'resolution').state).toBe('paused');
      const again = extended.pauses![1]!;
      expect(again).toMatchObject({
        reason: 'parts',
        approvedBy: 'lead-3',
        why: 'the supplier ships on Tuesday',
      });
      // Nine more business hours: Tuesday 10:00.
      expect(Date.parse(again.capAt!) - Date.parse(again.from)).toBe(24 * HOUR);
      await env().sleep(24 * HOUR + MINUTE);
      const second = await waitFor(handle, (v) => clockOf(v, 'resolution').state === 'running');
      expect(second.pauses![1]).toMatchObject({ capped: true });
      await expect.poll(() => recorder.of('notifyStaff', { audience: 'team-lead' }).length).toBe(2);
      // A week to the cap, a minute to the approval, a day of extension.
      expect(second.pausedByReason?.parts).toBeCloseTo(8 * 24 * HOUR, -5);
    });
  });
});
