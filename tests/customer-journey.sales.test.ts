/**
 * `customerJourney` sales on the time-skipping test server (rules PS-3, PS-4, PS-5, PS-7): needs
 * ranked, a proposal that answers them, objections looping back, a quote explained. Quote approval
 * by margin has its own file (quote-approval.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  recordNeedsUpdate,
  recordObjectionUpdate,
  signContractUpdate,
  reviewProposalUpdate,
  submitProposalUpdate,
  submitQuoteUpdate,
} from '../workflows/customer-journey/contract';
import { DAY, sampleInquiry as inquiry, withJourneyWorker, toNegotiation } from './helpers/journey-harness';
import { rejectionOf, timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

describe('needs, proposal and quote', () => {
  // Asserts the numbers of docs/rules.md PS-3.
  it('records requirements by must/should/could and ranks pain points by impact, urgency and difficulty', async () => {
    await withJourneyWorker(env(), async ({ start }) => {
      const handle = await start(inquiry);
      const ranked = await handle.executeUpdate(recordNeedsUpdate, {
        args: [
          {
            requirements: [
              { title: 'Reports', priority: 'could', urgency: 5, businessValue: 5 },
              { title: 'SSO', priority: 'must', urgency: 2, businessValue: 3 },
              { title: 'Booking', priority: 'must', urgency: 5, businessValue: 4 },
              { title: 'SMS', priority: 'should', urgency: 4, businessValue: 4 },
            ],
            painPoints: [
              { title: 'No-shows', impact: 5, urgency: 4, difficulty: 2 },
              { title: 'Paper files', impact: 4, urgency: 2, difficulty: 4 },
              { title: 'Phone queues', impact: 5, urgency: 5, difficulty: 5 },
            ],
          },
        ],
      });
      expect(ranked.requirements.map((r) => r.title)).toEqual(['Booking', 'SSO', 'SMS', 'Reports']);
      expect(ranked.painPoints.map((p) => [p.title, p.score])).toEqual([
        ['No-shows', 80],
        ['Phone queues', 25],
        ['Paper files', 16],
      ]);
    });
  });

  // Asserts the numbers of docs/rules.md PS-3, PS-4.
  it('a proposal answers the needs: must-haves and the top pain point covered, pain points tracked, a blocked alternative not quoted (PS-3, PS-4)', async () => {
    await withJourneyWorker(env(), async ({ start, view }) => {
      const handle = await start(inquiry);
      const needs = await handle.executeUpdate(recordNeedsUpdate, {
        args: [
          {
            requirements: [
              { title: 'Booking', priority: 'must', urgency: 5, businessValue: 5 },
              { title: 'Reports', priority: 'could', urgency: 2, businessValue: 2 },
            ],
            painPoints: [
              { title: 'No-shows', impact: 5, urgency: 4, difficulty: 2 },
              { title: 'Paper files', impact: 3, urgency: 2, difficulty: 4 },
            ],
            scenario: '40 clinics, patients book by phone today',
            budget: { min: 50_000, max: 120_000, currency: 'CNY' },
          },
        ],
      });
      expect(needs).toMatchObject({
        scenario: '40 clinics, patients book by phone today',
        budget: { min: 50_000, max: 120_000, currency: 'CNY' },
      });
      expect(needs.painPoints.map((p) => [p.title, p.status])).toEqual([
        ['No-shows', 'open'],
        ['Paper files', 'open'],
      ]);
      expect(
        await rejectionOf(
          handle.executeUpdate(submitProposalUpdate, {
            args: [{ alternatives: [{ id: 'A', title: 'Cloud plan', addresses: ['Reports', 'Faxes'] }] }],
          }),
        ),
      ).toBe(
        'alternatives.0.addresses: no requirement or pain point "Faxes"; ' +
          'no alternative addresses the must-have "Booking"; no alternative addresses the top pain point "No-shows"',
      );
      await handle.executeUpdate(submitProposalUpdate, {
        args: [
          {
            alternatives: [
              {
                id: 'A',
                title: 'Cloud plan',
                addresses: ['Booking', 'No-shows'],
                estimatedCost: 80_000,
                expectedBenefit: 200_000,
              },
              {
                id: 'B',
                title: 'On-premise',
                addresses: ['Booking', 'No-shows', 'Paper files'],
                feasibility: { function: 'ok', process: 'ok', resources: 'blocker', risk: 'concern' },
              },
            ],
          },
        ],
      });
      const proposed = await view(handle);
      expect(proposed.alternatives[0]!.roi).toBe(1.5);
      expect(proposed.requirements.map((r) => [r.title, r.addressedBy])).toEqual([
        ['Booking', ['A', 'B']],
        ['Reports', []],
      ]);
      expect(proposed.painPoints.map((p) => [p.title, p.status])).toEqual([
        ['No-shows', 'addressed'],
        ['Paper files', 'addressed'],
      ]);
      await handle.executeUpdate(reviewProposalUpdate, {
        args: [{ decision: 'approve', reviewer: 'sales-lead' }],
      });
      expect(
        await rejectionOf(
          handle.executeUpdate(submitQuoteUpdate, {
            args: [{ alternativeId: 'B', price: 100_000, cost: 60_000, currency: 'CNY' }],
          }),
        ),
      ).toBe('alternativeId: "B" has a feasibility blocker (resources); propose it again without one first');
      await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 100_000, cost: 60_000, currency: 'CNY' }],
      });
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-PP', terms: {} }] });
      // Signed for A: the pain point A addresses is accepted; the one only B addressed stays addressed.
      expect((await view(handle)).painPoints.map((p) => [p.title, p.status])).toEqual([
        ['No-shows', 'accepted'],
        ['Paper files', 'addressed'],
      ]);
    });
  });

  // Asserts the numbers of docs/rules.md PS-4.
  it('coverage is checked of a proposal that says what it addresses, or of every proposal with requireCoverage', async () => {
    await withJourneyWorker(env(), async ({ start }) => {
      const needs = {
        requirements: [{ title: 'Booking', priority: 'must' as const, urgency: 5, businessValue: 5 }],
        painPoints: [{ title: 'No-shows', impact: 5, urgency: 4, difficulty: 2 }],
      };
      const silent = { alternatives: [{ id: 'A', title: 'Cloud plan' }] };
      // Off by default: a proposal that says nothing of coverage is taken as it is.
      const lenient = await start(inquiry);
      await lenient.executeUpdate(recordNeedsUpdate, { args: [needs] });
      expect(await lenient.executeUpdate(submitProposalUpdate, { args: [silent] })).toMatchObject({
        version: 1,
        stage: 'proposal',
      });
      // On: the same proposal is refused, naming the must-have and the top pain point it leaves out.
      const strict = await start({ ...inquiry, policy: { requireCoverage: true } });
      await strict.executeUpdate(recordNeedsUpdate, { args: [needs] });
      expect(await rejectionOf(strict.executeUpdate(submitProposalUpdate, { args: [silent] }))).toBe(
        'no alternative addresses the must-have "Booking"; no alternative addresses the top pain point "No-shows"',
      );
      expect(
        await strict.executeUpdate(submitProposalUpdate, {
          args: [{ alternatives: [{ id: 'A', title: 'Cloud plan', addresses: ['Booking', 'No-shows'] }] }],
        }),
      ).toMatchObject({ version: 1, stage: 'proposal' });
    });
  });

  // Asserts the numbers of docs/rules.md PS-5.
  it('objections loop back: price to the quote, an unclear need to the needs analysis', async () => {
    await withJourneyWorker(env(), async ({ start, waitFor, view }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      const price = await handle.executeUpdate(recordObjectionUpdate, {
        args: [{ reason: 'price', detail: 'Competitor is 20 % cheaper' }],
      });
      expect(price.stage).toBe('proposal');
      const requote = await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 90_000, cost: 60_000, currency: 'CNY' }],
      });
      expect(requote.autoApproved).toBe(true);
      await waitFor(handle, (v) => v.stage === 'negotiation');
      const unclear = await handle.executeUpdate(recordObjectionUpdate, {
        args: [{ reason: 'unclear-need', detail: 'Not sure they need SMS reminders' }],
      });
      expect(unclear.stage).toBe('needs-analysis');
      expect((await view(handle)).objections.map((o) => o.loopBackTo)).toEqual(['quote', 'needs-analysis']);

      // Any other cause goes back to the proposal.
      for (const reason of ['competitor', 'product-understanding'] as const) {
        await handle.executeUpdate(submitProposalUpdate, {
          args: [{ alternatives: [{ id: 'A', title: 'Cloud plan' }] }],
        });
        await handle.executeUpdate(reviewProposalUpdate, {
          args: [{ decision: 'approve', reviewer: 'sales-lead' }],
        });
        await handle.executeUpdate(submitQuoteUpdate, {
          args: [{ alternativeId: 'A', price: 90_000, cost: 60_000, currency: 'CNY' }],
        });
        await waitFor(handle, (v) => v.stage === 'negotiation');
        const other = await handle.executeUpdate(recordObjectionUpdate, {
          args: [{ reason, detail: `objection: ${reason}` }],
        });
        expect(other.stage).toBe('proposal');
      }
      expect((await view(handle)).objections.map((o) => o.loopBackTo)).toEqual([
        'quote',
        'needs-analysis',
        'proposal',
        'proposal',
      ]);
    });
  });

  // Asserts the numbers of docs/rules.md PS-5, PS-7.
  it('a quote goes out explained: what it includes, its breakdown, how long it holds (PS-7)', async () => {
    await withJourneyWorker(env(), async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(recordObjectionUpdate, {
        args: [{ reason: 'delivery-lead-time', detail: 'Needs it live before the spring season' }],
      });
      // Lead time, like price, is answered with a new quote.
      expect((await waitFor(handle, (v) => v.objections.length === 1)).objections[0]!.loopBackTo).toBe(
        'quote',
      );
      const explanation = {
        included: ['Online booking for 40 clinics', 'Two days of on-site training'],
        breakdown: [
          { item: 'Licences', amount: 70_000 },
          { item: 'Installation', amount: 20_000 },
        ],
        validDays: 30,
      };
      expect(
        await rejectionOf(
          handle.executeUpdate(submitQuoteUpdate, {
            args: [{ alternativeId: 'A', price: 95_000, cost: 60_000, currency: 'CNY', explanation }],
          }),
        ),
      ).toBe('explanation.breakdown: adds up to 90000, the price is 95000');
      await handle.executeUpdate(submitQuoteUpdate, {
        args: [{ alternativeId: 'A', price: 90_000, cost: 60_000, currency: 'CNY', explanation }],
      });
      const sent = await waitFor(handle, (v) => v.stage === 'negotiation' && v.quotes.length === 2);
      const quote = sent.quotes[1]!;
      expect(quote.validUntil).toBe(
        new Date(Date.parse(quote.sentAt!) + 30 * DAY).toISOString().slice(0, 10),
      );
      const message = recorder.of('notifyCustomer', { template: 'quote-sent' }).at(-1)!.request;
      expect(message.data).toEqual({
        quoteId: 'Q2',
        price: 90_000,
        currency: 'CNY',
        included: 'Online booking for 40 clinics; Two days of on-site training',
        breakdown: 'Licences: 70000 CNY; Installation: 20000 CNY',
        validUntil: quote.validUntil,
      });
    });
  });
});
