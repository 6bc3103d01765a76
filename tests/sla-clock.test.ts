/**
 * SLA clocks as pure data: budgets, pauses, ladders and re-budgeting, on calendar and business
 * time, without a server.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUSINESS_CALENDAR } from '../workflows/kernel/business-hours';
import { DEFAULT_CASE_POLICY } from '../workflows/after-sales-case/policy';
import * as sla from '../workflows/kernel/sla-clock';

const calendar = DEFAULT_BUSINESS_CALENDAR;
const ladder = DEFAULT_CASE_POLICY.ladder;
const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso).toISOString();

describe('SLA clock', () => {
  it('is due budget after its start on calendar time', () => {
    const clock = sla.startClock('first-reply', { hours: 2, basis: 'calendar' }, at('2026-03-02T10:00:00Z'));
    expect(sla.dueAt(clock, calendar)).toBe(at('2026-03-02T12:00:00Z'));
    expect(sla.remaining(clock, at('2026-03-02T11:30:00Z'), calendar)).toBe(0.5 * HOUR);
  });

  it('does not consume budget while paused and accounts the paused time', () => {
    let clock = sla.startClock('resolution', { hours: 10, basis: 'calendar' }, at('2026-03-02T00:00:00Z'));
    clock = sla.pause(clock, at('2026-03-02T04:00:00Z'), calendar);
    expect(sla.dueAt(clock, calendar)).toBeUndefined();
    expect(sla.remaining(clock, at('2026-03-05T00:00:00Z'), calendar)).toBe(6 * HOUR);
    clock = sla.resume(clock, at('2026-03-05T00:00:00Z'));
    expect(clock.pausedMs).toBe(68 * HOUR);
    expect(sla.dueAt(clock, calendar)).toBe(at('2026-03-05T06:00:00Z'));
  });

  it('fires the ladder steps in order and marks the breach once', () => {
    const clock = sla.startClock('first-reply', { hours: 2, basis: 'calendar' }, at('2026-03-02T10:00:00Z'));
    expect(sla.nextStepAt(clock, ladder, calendar)).toBe(at('2026-03-02T11:00:00Z'));
    const warned = sla.collectDueSteps(clock, ladder, at('2026-03-02T11:40:00Z'), calendar);
    expect(warned.due.map((step) => step.step.percent)).toEqual([50, 75]);
    expect(sla.nextStepAt(warned.clock, ladder, calendar)).toBe(at('2026-03-02T11:48:00Z'));
    const breached = sla.collectDueSteps(warned.clock, ladder, at('2026-03-02T12:00:00Z'), calendar);
    expect(breached.due.map((step) => [step.step.percent, step.breach])).toEqual([
      [90, false],
      [100, true],
    ]);
    expect(breached.clock.breachedAt).toBe(at('2026-03-02T12:00:00Z'));
    expect(sla.collectDueSteps(breached.clock, ladder, at('2026-03-02T15:00:00Z'), calendar).due).toEqual([]);
    expect(sla.nextStepAt(breached.clock, ladder, calendar)).toBeUndefined();
  });

  it('counts only working hours on a business basis', () => {
    // Friday 2026-03-06 17:00 in Shanghai = 09:00 UTC; 4 working hours end Monday 12:00 (04:00 UTC).
    const clock = sla.startClock('first-reply', { hours: 4, basis: 'business' }, at('2026-03-06T09:00:00Z'));
    expect(sla.dueAt(clock, calendar)).toBe(at('2026-03-09T04:00:00Z'));
    expect(sla.remaining(clock, at('2026-03-08T12:00:00Z'), calendar)).toBe(3 * HOUR);
  });

  it('keeps its start and consumption when re-budgeted, and may be over budget at once', () => {
    let clock = sla.startClock('first-reply', { hours: 4, basis: 'calendar' }, at('2026-03-02T10:00:00Z'));
    clock = sla.collectDueSteps(clock, ladder, at('2026-03-02T12:30:00Z'), calendar).clock;
    clock = sla.rebudget(clock, { hours: 2, basis: 'calendar' });
    expect(sla.dueAt(clock, calendar)).toBe(at('2026-03-02T12:00:00Z'));
    const due = sla.collectDueSteps(clock, ladder, at('2026-03-02T12:30:00Z'), calendar).due;
    expect(due.map((step) => step.step.percent)).toEqual([75, 90, 100]);
  });

  it('records a late fulfilment as fulfilled and breached', () => {
    let clock = sla.startClock('revisit', { hours: 48, basis: 'calendar' }, at('2026-03-02T00:00:00Z'));
    clock = sla.collectDueSteps(clock, ladder, at('2026-03-04T01:00:00Z'), calendar).clock;
    clock = sla.fulfil(clock, at('2026-03-04T02:00:00Z'), calendar);
    expect(clock.state).toBe('fulfilled');
    expect(sla.isBreached(clock)).toBe(true);
    expect(clock.consumedMs).toBe(50 * HOUR);
  });
});
