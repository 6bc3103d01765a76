/**
 * The pre-sales figures' rules on hand-made journey figures: only inquiries and decisions inside
 * the range count, a late answer is a miss, a window still running is open until it passes, an
 * inquiry without a window counts in the times only.
 */
import { describe, expect, it } from 'vitest';
import { presalesMetrics } from '../lib/report';
import type { JourneyReport } from '../workflows/customer-journey/contract';

const range = { from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-09T00:00:00Z') };
const now = new Date('2026-11-09T00:00:00Z');

const journey = (overrides: Partial<JourneyReport>): JourneyReport => ({
  channel: 'email',
  owner: 'sales-1',
  startedAt: '2026-11-01T08:00:00.000Z',
  inquiries: [],
  ...overrides,
});

describe('pre-sales metrics', () => {
  // Asserts the numbers of docs/rules.md LE-6.
  it('counts only the range, a late answer as missed, a passed window as missed, a running one as open', () => {
    const metrics = presalesMetrics(
      {
        reports: [
          journey({
            inquiries: [
              // Before the range: left out.
              {
                channel: 'email',
                at: '2026-11-01T08:00:00.000Z',
                dueAt: '2026-11-01T12:00:00.000Z',
                breached: false,
              },
              // Answered late, though not (yet) marked breached: missed.
              {
                channel: 'email',
                at: '2026-11-03T08:00:00.000Z',
                dueAt: '2026-11-03T12:00:00.000Z',
                respondedAt: '2026-11-03T13:00:00.000Z',
                breached: false,
              },
              // Answered in 1 h: met.
              {
                channel: 'email',
                at: '2026-11-04T08:00:00.000Z',
                dueAt: '2026-11-04T12:00:00.000Z',
                respondedAt: '2026-11-04T09:00:00.000Z',
                breached: false,
              },
              // Due after the report was made: open.
              {
                channel: 'phone',
                at: '2026-11-08T23:59:00.000Z',
                dueAt: '2026-11-09T00:01:00.000Z',
                breached: false,
              },
              // No window (an older journey): only its time counts.
              {
                channel: 'phone',
                at: '2026-11-05T08:00:00.000Z',
                respondedAt: '2026-11-05T10:00:00.000Z',
                breached: false,
              },
            ],
            outcome: 'won',
            decidedAt: '2026-11-06T08:00:00.000Z',
            winReason: 'price',
          }),
          // Decided before the range: not in the conversion.
          journey({ outcome: 'lost', decidedAt: '2026-11-01T09:00:00.000Z', lostReason: 'price' }),
          journey({
            channel: 'phone',
            owner: undefined,
            outcome: 'lost',
            decidedAt: '2026-11-07T08:00:00.000Z',
            lostReason: 'no-response',
          }),
        ],
        unreported: 2,
      },
      range,
      now,
    );
    expect(metrics.journeys).toEqual({ listed: 5, unreported: 2 });
    expect(metrics.firstResponse).toMatchObject({
      inquiries: 4,
      met: 1,
      missed: 1,
      open: 1,
      compliance: 0.5,
    });
    // 5 h (late), 1 h, 2 h (untimed): mean 8/3 h.
    expect(metrics.firstResponse.meanMs).toBe((8 / 3) * 3_600_000);
    expect(metrics.firstResponse.responseMs).toEqual({
      count: 3,
      mean: (8 / 3) * 3_600_000,
      median: 2 * 3_600_000,
      p90: 5 * 3_600_000,
    });
    expect(metrics.conversion).toMatchObject({ won: 1, lost: 1, rate: 0.5 });
    expect(metrics.conversion.byOwner).toEqual({
      '(no owner)': { won: 0, lost: 1, rate: 0 },
      'sales-1': { won: 1, lost: 0, rate: 1 },
    });
    expect(metrics.conversion.byMonth).toEqual({ '2026-11': { won: 1, lost: 1, rate: 0.5 } });
    expect(metrics.lossReasons).toEqual({ 'no-response': 1 });
    expect(metrics.winReasons).toEqual({ price: 1 });
    expect(metrics.daysToContract).toEqual({ count: 1, mean: 5, median: 5 });
    expect(metrics.satisfaction).toEqual({
      answers: 0,
      csat: null,
      speed: null,
      understanding: null,
      attitude: null,
      effectiveness: null,
    });
  });
});
