/**
 * `customerJourney` follow-up on the time-skipping test server (rule PS-9): an undecided prospect
 * followed up on a cadence, a response restarting it, a loss after silence or by hand.
 */
import { describe, expect, it } from 'vitest';
import { customerRespondedSignal, markLostUpdate } from '../workflows/customer-journey/contract';
import { DAY, sampleInquiry as inquiry, withJourneyWorker, toNegotiation } from './helpers/journey-harness';
import { timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

describe('follow-up plan', () => {
  it('follows an undecided prospect up at 2, 5 and 10 days and marks it lost after 21 days without response', async () => {
    await withJourneyWorker(env(), async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await env().sleep(3 * DAY);
      expect(recorder.of('createTask', { kind: 'follow-up' })).toHaveLength(1);
      await env().sleep(8 * DAY);
      expect(recorder.of('createTask', { kind: 'follow-up' })).toHaveLength(3);
      expect(
        recorder.of('createTask', { kind: 'follow-up' }).every((call) => call.request.owner === 'sales-7'),
      ).toBe(true);
      await env().sleep(11 * DAY);
      const result = await handle.result();
      expect(result).toMatchObject({ outcome: 'lost', lostReason: 'no-response', quotes: 1 });
    });
  });

  it('a response from the prospect restarts the cadence', async () => {
    await withJourneyWorker(env(), async ({ start, waitFor, view }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await env().sleep(15 * DAY);
      await handle.signal(customerRespondedSignal, { note: 'board meets next week' });
      await env().sleep(15 * DAY);
      expect((await view(handle)).stage).toBe('negotiation');
    });
  });

  it('markLost ends the journey with its reason', async () => {
    await withJourneyWorker(env(), async ({ start }) => {
      const handle = await start(inquiry);
      const view = await handle.executeUpdate(markLostUpdate, {
        args: [{ reason: 'competitor', note: 'chose another vendor' }],
      });
      expect(view.stage).toBe('lost');
      expect(await handle.result()).toMatchObject({ outcome: 'lost', lostReason: 'competitor' });
    });
  });
});
