/**
 * Delivery tracked (rule HO-5), on the time-skipping test server with the default calendar
 * (Asia/Shanghai): the contract's promised date and milestones on the SLA clock, reached and told
 * to the customer, late ones warned, escalated and searchable, impossible promises refused.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliveryConfirmedSignal,
  milestoneReachedUpdate,
  signContractUpdate,
  type JourneyInput,
} from '../workflows/customer-journey/contract';
import { BreachedWindowsKey } from '../workflows/kernel/search-attributes';
import { DAY, HOUR, toNegotiation, withJourneyWorker } from './helpers/journey-harness';
import { rejectionOf, timeSkippingEnvironment } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const inquiry: Omit<JourneyInput, 'customerId'> = {
  channel: 'email',
  inquiry: 'Booking system for 12 clinics',
  owner: 'sales-7',
};

/** The Shanghai calendar date `days` from the server's now. */
async function shanghaiDate(days: number): Promise<string> {
  return new Date((await env.currentTimeMs()) + 8 * HOUR + days * DAY).toISOString().slice(0, 10);
}

/** When a Shanghai calendar date ends: midnight after it, +08:00. */
const endOf = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + DAY - 8 * HOUR).toISOString();

describe('delivery on the SLA clock (HO-5)', () => {
  // Asserts the numbers of docs/rules.md HO-5.
  it('milestones reached are told to the customer; delivery on time closes the promise', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder, timelineTypes }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      const [survey, delivery] = [await shanghaiDate(10), await shanghaiDate(30)];
      await handle.executeUpdate(signContractUpdate, {
        args: [
          {
            contractId: 'K-DL-1',
            terms: { deliveryDate: delivery },
            milestones: [
              { name: 'site-survey', dueDate: survey, owner: 'delivery-2' },
              { name: 'installation', dueDate: delivery },
            ],
          },
        ],
      });
      const signed = await waitFor(handle, (view) => view.delivery !== undefined);
      expect(signed.delivery).toMatchObject({
        promisedDate: delivery,
        dueAt: endOf(delivery),
        late: false,
        milestones: [
          { name: 'site-survey', dueAt: endOf(survey), owner: 'delivery-2', late: false },
          { name: 'installation', dueAt: endOf(delivery), late: false },
        ],
      });
      // The promise is the next deadline ops sort by.
      await env.sleep(5 * DAY);
      const reached = await handle.executeUpdate(milestoneReachedUpdate, {
        args: [{ name: 'site-survey', note: 'survey done' }],
      });
      expect(reached.milestones[0]!.reachedAt).toBeDefined();
      expect(recorder.of('notifyCustomer', { template: 'delivery-progress' })[0]!.request).toMatchObject({
        data: { milestone: 'site-survey', reached: 1, of: 2, promisedDate: delivery },
      });
      expect(
        await rejectionOf(handle.executeUpdate(milestoneReachedUpdate, { args: [{ name: 'site-survey' }] })),
      ).toMatch(/^name: milestone "site-survey" was reached on /);
      expect(
        await rejectionOf(handle.executeUpdate(milestoneReachedUpdate, { args: [{ name: 'training' }] })),
      ).toBe('name: no milestone "training" in the contract (its milestones: site-survey, installation)');
      await handle.signal(deliveryConfirmedSignal, {});
      const delivered = await waitFor(handle, (view) => view.stage === 'after-sales');
      expect(delivered.delivery).toMatchObject({
        late: false,
        milestones: [{ late: false }, { late: false }],
      });
      // Delivered within the promise: nobody was warned, nothing is late.
      expect(recorder.of('notifyStaff', { window: 'delivery' })).toEqual([]);
      expect(await timelineTypes(handle)).toEqual(expect.arrayContaining(['milestone-reached', 'delivered']));
      expect((await handle.describe()).typedSearchAttributes.get(BreachedWindowsKey)).toBeUndefined();
    });
  });

  // Asserts the numbers of docs/rules.md HO-5.
  it('a late milestone warns its owner, then tells the lead and escalates; a late delivery is searchable', async () => {
    await withJourneyWorker(
      env,
      async ({ start, waitFor, recorder }) => {
        const handle = await start(inquiry);
        await toNegotiation(handle, waitFor);
        const [survey, delivery] = [await shanghaiDate(2), await shanghaiDate(4)];
        await handle.executeUpdate(signContractUpdate, {
          args: [
            {
              contractId: 'K-DL-2',
              terms: { deliveryDate: delivery },
              milestones: [{ name: 'site-survey', dueDate: survey, owner: 'delivery-2' }],
            },
          ],
        });
        const signedAt = Date.parse(
          (await waitFor(handle, (view) => view.contract !== undefined)).contract!.signedAt,
        );
        await env.sleep(3 * DAY);
        const late = await waitFor(handle, (view) => view.delivery?.milestones[0]?.late === true);
        expect(late.escalated).toBe(true);
        expect(late.delivery!.late).toBe(false);
        const calls = recorder.of('notifyStaff', { window: 'milestone' });
        expect(calls.map(({ request }) => request)).toEqual([
          expect.objectContaining({ audience: 'owner', staffId: 'delivery-2', percent: 90 }),
          expect.objectContaining({
            audience: 'owner-lead',
            staffId: 'delivery-2',
            reason: `milestone site-survey is late: promised for ${survey}`,
          }),
        ]);
        // The owner when 90 % of the time from the signature to the day's end has gone, the lead
        // when the day is over.
        const due = Date.parse(endOf(survey));
        expect(Math.abs(calls[0]!.at! - (signedAt + 0.9 * (due - signedAt)))).toBeLessThan(60_000);
        expect(Math.abs(calls[1]!.at! - due)).toBeLessThan(60_000);
        await env.sleep(3 * DAY);
        await waitFor(handle, (view) => view.delivery?.late === true);
        await expect
          .poll(async () => (await handle.describe()).typedSearchAttributes.get(BreachedWindowsKey))
          .toEqual(['milestone', 'delivery']);
        // Delivered late: the promise stays broken on record; the relationship starts all the same.
        await handle.signal(deliveryConfirmedSignal, {});
        expect((await waitFor(handle, (view) => view.stage === 'after-sales')).delivery!.late).toBe(true);
      },
      { timestamps: true },
    );
  });

  // Asserts the numbers of docs/rules.md HO-5, PS-8.
  it('a contract promising a day that has passed, or a milestone after delivery, is refused naming the field', async () => {
    await withJourneyWorker(env, async ({ start, waitFor }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      const [yesterday, soon, later] = [await shanghaiDate(-1), await shanghaiDate(5), await shanghaiDate(9)];
      expect(
        await rejectionOf(
          handle.executeUpdate(signContractUpdate, {
            args: [
              {
                contractId: 'K-DL-3',
                terms: { deliveryDate: soon },
                milestones: [
                  { name: 'survey', dueDate: yesterday },
                  { name: 'install', dueDate: later },
                  { name: 'install', dueDate: soon },
                ],
              },
            ],
          }),
        ),
      ).toBe(
        `milestones.0.dueDate: ${yesterday} has passed; promise a date from today on; ` +
          `milestones.1.dueDate: ${later} is after the promised delivery date ${soon}; ` +
          'milestones.2.name: "install" is named twice',
      );
      expect(
        await rejectionOf(
          handle.executeUpdate(signContractUpdate, {
            args: [{ contractId: 'K-DL-3', terms: {}, milestones: [{ name: 'Site Survey', dueDate: soon }] }],
          }),
        ),
      ).toMatch(/milestones\.0\.name: must be a short name in lower case/);
      const farAway = await shanghaiDate(11 * 366);
      expect(
        await rejectionOf(
          handle.executeUpdate(signContractUpdate, {
            args: [{ contractId: 'K-DL-3', terms: { deliveryDate: farAway } }],
          }),
        ),
      ).toBe(`terms.deliveryDate: ${farAway} is more than 10 years ahead`);
      // The same day ten years on is still a promise.
      const now = new Date((await env.currentTimeMs()) + 8 * HOUR);
      now.setUTCFullYear(now.getUTCFullYear() + 10);
      const tenYears = now.toISOString().slice(0, 10);
      await handle.executeUpdate(signContractUpdate, {
        args: [{ contractId: 'K-DL-3', terms: { deliveryDate: tenYears } }],
      });
      expect((await waitFor(handle, (view) => view.delivery !== undefined)).delivery).toMatchObject({
        promisedDate: tenYears,
        dueAt: endOf(tenYears),
      });
    });
  });
});
