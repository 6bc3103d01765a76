/**
 * Business-hours calendar math: response windows that count only working time, across weekends,
 * holidays, custom working weeks and DST changes. Pure functions, so no Temporal server is used.
 *
 * Instants are written with the local offset of the calendar's zone (e.g. `+08:00` for Shanghai)
 * so each case reads in the desk's wall-clock time; `utc()` turns them into the `Z` form the
 * functions return.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  addTime,
  addWorkingTime,
  CalendarError,
  BusinessCalendar,
  ClockTime,
  DEFAULT_BUSINESS_CALENDAR,
  IsoDate,
  isWorkingTime,
  nextOpening,
  timeBetween,
  type TimeBasis,
  workingTimeBetween,
} from '../workflows/kernel/business-hours';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];

/** The `toISOString` form of an instant written with any offset. */
function utc(iso: string): string {
  return new Date(iso).toISOString();
}

function calendar(overrides: Partial<BusinessCalendar>): BusinessCalendar {
  return BusinessCalendar.parse({ ...DEFAULT_BUSINESS_CALENDAR, ...overrides });
}

const shanghai = DEFAULT_BUSINESS_CALENDAR;
const berlin = calendar({
  timeZone: 'Europe/Berlin',
  workingDays: ALL_DAYS,
  opensAt: '08:00',
  closesAt: '18:00',
});
const newYork = calendar({ timeZone: 'America/New_York', opensAt: '09:00', closesAt: '17:00' });
/** A Sunday–Thursday week, as many desks in the Gulf work. */
const riyadh = calendar({
  timeZone: 'Asia/Riyadh',
  workingDays: [7, 1, 2, 3, 4],
  opensAt: '08:00',
  closesAt: '17:00',
});

describe('addWorkingTime on the default calendar (Shanghai, Monday–Friday 09:00–18:00)', () => {
  it('a 4-hour window opened Friday 17:00 ends Monday 12:00', () => {
    expect(addWorkingTime('2026-03-27T17:00:00+08:00', 4 * HOUR, shanghai)).toBe(
      utc('2026-03-30T12:00+08:00'),
    );
  });

  it('a window that fits in the day ends the same day', () => {
    expect(addWorkingTime('2026-03-25T10:15:00+08:00', 2 * HOUR, shanghai)).toBe(
      utc('2026-03-25T12:15+08:00'),
    );
  });

  it('a window that ends exactly at closing ends at the closing, not at the next opening', () => {
    expect(addWorkingTime('2026-03-25T14:00:00+08:00', 4 * HOUR, shanghai)).toBe(
      utc('2026-03-25T18:00+08:00'),
    );
  });

  it('weekend start counts from Monday opening', () => {
    expect(addWorkingTime('2026-03-28T10:00:00+08:00', 2 * HOUR, shanghai)).toBe(
      utc('2026-03-30T11:00+08:00'),
    );
  });

  it('a start before opening counts from that morning, a start after closing from the next morning', () => {
    expect(addWorkingTime('2026-03-25T06:30:00+08:00', HOUR, shanghai)).toBe(utc('2026-03-25T10:00+08:00'));
    expect(addWorkingTime('2026-03-25T21:30:00+08:00', HOUR, shanghai)).toBe(utc('2026-03-26T10:00+08:00'));
  });

  it('a holiday is skipped', () => {
    const withHoliday = calendar({ holidays: ['2026-03-30'] });
    expect(addWorkingTime('2026-03-27T17:00:00+08:00', 4 * HOUR, withHoliday)).toBe(
      utc('2026-03-31T12:00+08:00'),
    );
  });

  it('a run of holidays (the October golden week) is skipped as a whole', () => {
    const goldenWeek = calendar({
      holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
    });
    // Wednesday 30 September 17:00: one hour that day, nine on Thursday 8 October, to its closing.
    expect(addWorkingTime('2026-09-30T17:00:00+08:00', 10 * HOUR, goldenWeek)).toBe(
      utc('2026-10-08T18:00+08:00'),
    );
  });

  it('zero duration returns the start unchanged, in toISOString form, even outside working time', () => {
    expect(addWorkingTime('2026-03-28T10:00:00+08:00', 0, shanghai)).toBe('2026-03-28T02:00:00.000Z');
    expect(addWorkingTime('2026-03-25T02:00:00Z', 0, shanghai)).toBe('2026-03-25T02:00:00.000Z');
  });

  // Asserts the numbers of docs/rules.md AS-11.
  it('months of working time: a year of 45-hour weeks ends at the 52nd Friday closing', () => {
    expect(addWorkingTime('2026-01-05T09:00:00+08:00', 52 * 45 * HOUR, shanghai)).toBe(
      utc('2027-01-01T18:00+08:00'),
    );
  });

  it('rounds fractional durations to whole milliseconds and rejects negative or infinite ones', () => {
    expect(addWorkingTime('2026-03-25T10:00:00+08:00', 0.1 * HOUR + 0.4, shanghai)).toBe(
      utc('2026-03-25T10:06+08:00'),
    );
    expect(() => addWorkingTime('2026-03-25T10:00:00+08:00', -1, shanghai)).toThrow(/durationMs/);
    expect(() => addWorkingTime('2026-03-25T10:00:00+08:00', Infinity, shanghai)).toThrow(/durationMs/);
  });

  it('rejects instants without a UTC offset (they would be read in the host time zone) or with impossible dates', () => {
    expect(() => addWorkingTime('2026-03-25T10:00:00', HOUR, shanghai)).toThrow(
      /startIso: "2026-03-25T10:00:00"/,
    );
    expect(() => addWorkingTime('2026-02-30T10:00:00Z', HOUR, shanghai)).toThrow(/startIso/);
    expect(() => workingTimeBetween('2026-03-25T10:00:00Z', 'tomorrow', shanghai)).toThrow(/toIso/);
  });
});

describe('working days other than Monday–Friday', () => {
  it('a Sunday–Thursday desk continues a Thursday afternoon window on Sunday', () => {
    expect(addWorkingTime('2026-03-26T15:00:00+03:00', 4 * HOUR, riyadh)).toBe(utc('2026-03-29T10:00+03:00'));
  });

  it('a Sunday–Thursday desk is closed on Friday and Saturday and open on Sunday', () => {
    expect(isWorkingTime('2026-03-27T10:00:00+03:00', riyadh)).toBe(false); // Friday
    expect(isWorkingTime('2026-03-28T10:00:00+03:00', riyadh)).toBe(false); // Saturday
    expect(isWorkingTime('2026-03-29T10:00:00+03:00', riyadh)).toBe(true); // Sunday
    expect(nextOpening('2026-03-27T10:00:00+03:00', riyadh)).toBe(utc('2026-03-29T08:00+03:00'));
  });

  it('a Sunday–Thursday week has 45 working hours', () => {
    expect(workingTimeBetween('2026-03-27T00:00:00+03:00', '2026-04-03T00:00:00+03:00', riyadh)).toBe(
      45 * HOUR,
    );
  });
});

describe('isWorkingTime and nextOpening', () => {
  it('opening is inclusive and closing exclusive', () => {
    expect(isWorkingTime('2026-03-25T08:59:59.999+08:00', shanghai)).toBe(false);
    expect(isWorkingTime('2026-03-25T09:00:00+08:00', shanghai)).toBe(true);
    expect(isWorkingTime('2026-03-25T17:59:59.999+08:00', shanghai)).toBe(true);
    expect(isWorkingTime('2026-03-25T18:00:00+08:00', shanghai)).toBe(false);
  });

  it('nextOpening is the instant itself inside working hours', () => {
    expect(nextOpening('2026-03-25T11:22:33.444+08:00', shanghai)).toBe(utc('2026-03-25T11:22:33.444+08:00'));
  });

  it('nextOpening after Friday closing is Monday opening, and skips holidays', () => {
    expect(nextOpening('2026-03-27T18:00:00+08:00', shanghai)).toBe(utc('2026-03-30T09:00+08:00'));
    expect(nextOpening('2026-03-27T18:00:00+08:00', calendar({ holidays: ['2026-03-30'] }))).toBe(
      utc('2026-03-31T09:00+08:00'),
    );
  });
});

describe('time zones and DST', () => {
  it('spring-forward day in Berlin has its real length', () => {
    // Sunday 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    const day = ['2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00'] as const;
    expect(workingTimeBetween(...day, berlin)).toBe(10 * HOUR);
    expect(workingTimeBetween(...day, calendar({ ...berlin, opensAt: '01:00', closesAt: '05:00' }))).toBe(
      3 * HOUR,
    );
    expect(nextOpening(day[0], berlin)).toBe(utc('2026-03-29T08:00+02:00'));
  });

  it('an opening inside the spring-forward gap starts at the first valid instant after it', () => {
    const gapOpening = calendar({ ...berlin, opensAt: '02:30', closesAt: '05:00' });
    expect(nextOpening('2026-03-29T00:00:00+01:00', gapOpening)).toBe(utc('2026-03-29T03:00+02:00'));
    expect(workingTimeBetween('2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', gapOpening)).toBe(
      2 * HOUR,
    );
  });

  it('fall-back day in Berlin has its real length, and an ambiguous opening uses the earlier instant', () => {
    // Sunday 25 October 2026: 03:00 CEST falls back to 02:00 CET, so 02:00–03:00 happens twice.
    const day = ['2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00'] as const;
    expect(workingTimeBetween(...day, calendar({ ...berlin, opensAt: '01:00', closesAt: '05:00' }))).toBe(
      5 * HOUR,
    );
    const ambiguousOpening = calendar({ ...berlin, opensAt: '02:30', closesAt: '05:00' });
    expect(nextOpening(day[0], ambiguousOpening)).toBe(utc('2026-10-25T02:30+02:00'));
    expect(workingTimeBetween(...day, ambiguousOpening)).toBe(3.5 * HOUR);
  });

  it('spring-forward day in New York', () => {
    // Sunday 8 March 2026: 02:00 EST jumps to 03:00 EDT.
    const sundayToThursday = calendar({ ...newYork, workingDays: [7, 1, 2, 3, 4], opensAt: '00:00' });
    const day = ['2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00'] as const;
    expect(workingTimeBetween(...day, sundayToThursday)).toBe(16 * HOUR);
    expect(workingTimeBetween(...day, calendar({ ...sundayToThursday, closesAt: '06:00' }))).toBe(5 * HOUR);
  });

  it('fall-back day in New York', () => {
    // Sunday 1 November 2026: 02:00 EDT falls back to 01:00 EST, so 01:00–02:00 happens twice.
    const sundays = calendar({ ...newYork, workingDays: [7], opensAt: '00:00', closesAt: '06:00' });
    const day = ['2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00'] as const;
    expect(workingTimeBetween(...day, sundays)).toBe(7 * HOUR);
    const halfHour = calendar({ ...sundays, opensAt: '01:00', closesAt: '01:30' });
    expect(workingTimeBetween(...day, halfHour)).toBe(30 * MINUTE);
    expect(nextOpening(day[0], calendar({ ...sundays, opensAt: '01:30' }))).toBe(
      utc('2026-11-01T01:30-04:00'),
    );
  });

  it('a New York window spanning the fall-back weekend opens at 09:00 local on both sides', () => {
    // Friday 30 October 16:00 EDT: one hour that day, one from Monday 09:00 EST.
    expect(addWorkingTime('2026-10-30T16:00:00-04:00', 2 * HOUR, newYork)).toBe(
      utc('2026-11-02T10:00-05:00'),
    );
    expect(nextOpening('2026-10-31T12:00:00Z', newYork)).toBe('2026-11-02T14:00:00.000Z');
    expect(nextOpening('2026-10-24T12:00:00Z', newYork)).toBe('2026-10-26T13:00:00.000Z');
  });

  it('Shanghai has no DST: every working day of 2026 opens at 01:00 UTC and lasts 9 hours', () => {
    for (let monday = Date.parse('2026-01-05T00:00:00+08:00'); monday < Date.parse('2027-01-01');) {
      const nextMonday = monday + 7 * 24 * HOUR;
      const from = new Date(monday).toISOString();
      const opening = nextOpening(from, shanghai);
      expect(opening).toBe(new Date(monday + 9 * HOUR).toISOString());
      expect(opening).toMatch(/T01:00:00\.000Z$/);
      expect(workingTimeBetween(from, new Date(nextMonday).toISOString(), shanghai)).toBe(45 * HOUR);
      monday = nextMonday;
    }
  });

  it('a calendar day the time zone skipped has no working time (Samoa, 30 December 2011)', () => {
    const apia = calendar({
      timeZone: 'Pacific/Apia',
      workingDays: ALL_DAYS,
      opensAt: '09:00',
      closesAt: '17:00',
    });
    // Thursday 29th at -10:00, then straight to Saturday 31st at +14:00.
    expect(workingTimeBetween('2011-12-29T00:00:00-10:00', '2012-01-01T00:00:00+14:00', apia)).toBe(
      16 * HOUR,
    );
    expect(nextOpening('2011-12-29T17:00:00-10:00', apia)).toBe(utc('2011-12-31T09:00+14:00'));
  });

  it('agrees, quarter-hour by quarter-hour, with the local wall clock around every 2026 DST change', () => {
    // An independent reading of the rules: an instant is working time when Intl shows a working
    // weekday, a non-holiday date and a wall time in [opensAt, closesAt). That matches the
    // calendar whenever opening and closing are not inside a repeated (fall-back) hour.
    const calendars = [
      calendar({ ...berlin, opensAt: '01:00', closesAt: '05:00', holidays: ['2026-10-26'] }),
      calendar({ ...berlin, opensAt: '07:45', closesAt: '16:15' }),
      calendar({ ...newYork, workingDays: [7, 1, 2, 3, 4], opensAt: '00:15', closesAt: '03:30' }),
      newYork,
    ];
    const changes: Record<string, string[]> = {
      'Europe/Berlin': ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'],
      'America/New_York': ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z'],
    };
    for (const cal of calendars) {
      const wallClock = new Intl.DateTimeFormat('en-GB', {
        timeZone: cal.timeZone,
        weekday: 'short',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
      const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
      const oracle = (instant: number): boolean => {
        const p = Object.fromEntries(wallClock.formatToParts(instant).map((part) => [part.type, part.value]));
        const time = `${p.hour}:${p.minute}`;
        return (
          cal.workingDays.includes(weekdays.indexOf(String(p.weekday)) + 1) &&
          !cal.holidays.includes(`${p.year}-${p.month}-${p.day}`) &&
          time >= cal.opensAt &&
          time < cal.closesAt
        );
      };
      for (const change of changes[cal.timeZone] ?? []) {
        const from = Date.parse(change) - 2 * 24 * HOUR;
        const to = Date.parse(change) + 2 * 24 * HOUR;
        let expected = 0;
        for (let instant = from; instant < to; instant += 15 * MINUTE) {
          const iso = new Date(instant).toISOString();
          expect(isWorkingTime(iso, cal), `${cal.timeZone} ${cal.opensAt}–${cal.closesAt} at ${iso}`).toBe(
            oracle(instant),
          );
          if (oracle(instant)) expected += 15 * MINUTE;
        }
        expect(workingTimeBetween(new Date(from).toISOString(), new Date(to).toISOString(), cal)).toBe(
          expected,
        );
      }
    }
  });
});

describe('workingTimeBetween', () => {
  it('counts the partial days at both ends and skips the weekend', () => {
    expect(workingTimeBetween('2026-03-27T16:30:00+08:00', '2026-03-30T10:15:00+08:00', shanghai)).toBe(
      2.75 * HOUR,
    );
  });

  it('is 0 when to is not after from, or when the span lies outside working hours', () => {
    expect(workingTimeBetween('2026-03-25T12:00:00+08:00', '2026-03-25T10:00:00+08:00', shanghai)).toBe(0);
    expect(workingTimeBetween('2026-03-25T12:00:00+08:00', '2026-03-25T12:00:00+08:00', shanghai)).toBe(0);
    expect(workingTimeBetween('2026-03-28T00:00:00+08:00', '2026-03-30T09:00:00+08:00', shanghai)).toBe(0);
  });

  it('workingTimeBetween is the inverse of addWorkingTime', () => {
    // xorshift32: a deterministic stream, so a failure names a reproducible case.
    let state = 0x2f6b_1d35;
    const random = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 0x1_0000_0000;
    };
    const yearStart = Date.parse('2026-01-01T00:00:00Z');
    const calendars = [
      shanghai,
      berlin,
      riyadh,
      calendar({ ...newYork, holidays: ['2026-11-26', '2026-12-25'] }),
      calendar({ ...newYork, workingDays: [7, 1, 2, 3, 4], opensAt: '01:30', closesAt: '02:30' }),
    ];
    for (const cal of calendars) {
      for (let run = 0; run < 200; run++) {
        const start = new Date(yearStart + Math.floor(random() * 365 * 24 * HOUR)).toISOString();
        const duration = Math.floor(random() * 300 * HOUR);
        const context = `${cal.timeZone} ${cal.opensAt}–${cal.closesAt} from ${start} for ${duration} ms`;

        const end = addWorkingTime(start, duration, cal);
        expect(workingTimeBetween(start, end, cal), context).toBe(duration);
        // The end is inside working time or right at a closing, never in the idle time after it.
        const lastMs = new Date(Date.parse(end) - 1).toISOString();
        if (duration > 0) expect(isWorkingTime(lastMs, cal), context).toBe(true);

        // From the other side: the working time up to any later instant leads back to it when
        // it is working time, and otherwise to the last closing before it.
        const later = new Date(Date.parse(start) + Math.floor(random() * 60 * 24 * HOUR)).toISOString();
        const between = workingTimeBetween(start, later, cal);
        const back = addWorkingTime(start, between, cal);
        expect(Date.parse(back), context).toBeLessThanOrEqual(Date.parse(later));
        if (between > 0 && isWorkingTime(later, cal)) expect(back, context).toBe(later);
      }
    }
  });
});

describe('calendars that never work', () => {
  // Mondays only, and every Monday for the next eleven years is a holiday.
  const mondays: string[] = [];
  for (let day = Date.parse('2026-01-05'); day < Date.parse('2037-01-01'); day += 7 * 24 * HOUR) {
    mondays.push(new Date(day).toISOString().slice(0, 10));
  }
  const never = calendar({ workingDays: [1], holidays: mondays });

  it('fail with a clear error instead of scanning forever', () => {
    expect(() => addWorkingTime('2026-01-01T00:00:00Z', HOUR, never)).toThrow(
      /no working time in the 3660 days after 2026-01-01T00:00:00.000Z/,
    );
    expect(() => nextOpening('2026-01-01T00:00:00Z', never)).toThrow(/are all working days holidays\?/);
    expect(() => nextOpening('2026-01-01T00:00:00Z', never)).toThrow(CalendarError);
  });

  it('refuse a deadline further than ten years away instead of scanning for it', () => {
    const minuteADay = calendar({ timeZone: 'UTC', opensAt: '09:00', closesAt: '09:01' });
    expect(() => addWorkingTime('2026-01-01T00:00:00Z', 8784 * HOUR, minuteADay)).toThrow(CalendarError);
    expect(() => addWorkingTime('2026-01-01T00:00:00Z', 8784 * HOUR, minuteADay)).toThrow(
      /8784 business hours do not fit in the business calendar within 3660 days of 2026-01-01T00:00:00.000Z/,
    );
    // Forty minutes fit in forty working days: about eight weeks.
    expect(addWorkingTime('2026-01-01T00:00:00Z', 40 * 60_000, minuteADay)).toBe('2026-02-25T09:01:00.000Z');
  });

  it('still answer bounded questions', () => {
    expect(workingTimeBetween('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', never)).toBe(0);
    expect(isWorkingTime('2026-01-05T10:00:00+08:00', never)).toBe(false);
  });
});

describe('addTime and timeBetween', () => {
  it('calendar basis counts every millisecond', () => {
    expect(addTime('calendar', '2026-03-27T17:00:00+08:00', 4 * HOUR, shanghai)).toBe(
      utc('2026-03-27T21:00+08:00'),
    );
    expect(timeBetween('calendar', '2026-03-27T17:00:00+08:00', '2026-03-30T12:00:00+08:00', shanghai)).toBe(
      67 * HOUR,
    );
    expect(timeBetween('calendar', '2026-03-30T12:00:00+08:00', '2026-03-27T17:00:00+08:00', shanghai)).toBe(
      0,
    );
  });

  it('business basis counts working time only', () => {
    expect(addTime('business', '2026-03-27T17:00:00+08:00', 4 * HOUR, shanghai)).toBe(
      utc('2026-03-30T12:00+08:00'),
    );
    expect(timeBetween('business', '2026-03-27T17:00:00+08:00', '2026-03-30T12:00:00+08:00', shanghai)).toBe(
      4 * HOUR,
    );
  });

  it('rejects an unknown basis arriving from JSON', () => {
    const basis = 'wall' as TimeBasis;
    expect(() => addTime(basis, '2026-03-27T17:00:00Z', HOUR, shanghai)).toThrow(/unknown time basis "wall"/);
    expect(() => timeBetween(basis, '2026-03-27T17:00:00Z', '2026-03-28T17:00:00Z', shanghai)).toThrow(
      /unknown time basis/,
    );
  });
});

describe('BusinessCalendar schema', () => {
  const problems = (input: unknown): string => {
    const result = BusinessCalendar.safeParse(input);
    expect(result.success).toBe(false);
    return result.success ? '' : z.prettifyError(result.error);
  };

  it('accepts the default calendar and fills in no holidays', () => {
    expect(BusinessCalendar.parse(DEFAULT_BUSINESS_CALENDAR)).toEqual(DEFAULT_BUSINESS_CALENDAR);
    const { holidays: _holidays, ...withoutHolidays } = DEFAULT_BUSINESS_CALENDAR;
    expect(BusinessCalendar.parse(withoutHolidays).holidays).toEqual([]);
  });

  it('rejects closesAt before (or equal to) opensAt, naming closesAt', () => {
    for (const closesAt of ['08:00', '09:00']) {
      const message = problems({ ...DEFAULT_BUSINESS_CALENDAR, closesAt });
      expect(message).toContain('closesAt must be after opensAt');
      expect(message).toContain('→ at closesAt');
    }
  });

  it('rejects an unknown time zone, naming it and timeZone', () => {
    const message = problems({ ...DEFAULT_BUSINESS_CALENDAR, timeZone: 'Mars/Olympus_Mons' });
    expect(message).toContain('unknown time zone "Mars/Olympus_Mons"');
    expect(message).toContain('→ at timeZone');
  });

  it('rejects a bad holiday date, naming the holiday', () => {
    const impossible = problems({ ...DEFAULT_BUSINESS_CALENDAR, holidays: ['2026-10-01', '2026-02-30'] });
    expect(impossible).toContain('"2026-02-30" is not a real calendar date');
    expect(impossible).toContain('→ at holidays[1]');
    const malformed = problems({ ...DEFAULT_BUSINESS_CALENDAR, holidays: ['2026-2-3'] });
    expect(malformed).toContain('must be a date YYYY-MM-DD');
    expect(malformed).toContain('→ at holidays[0]');
  });

  it('rejects malformed clock times and weekdays outside 1–7, naming the field', () => {
    expect(problems({ ...DEFAULT_BUSINESS_CALENDAR, opensAt: '9:00' })).toContain('→ at opensAt');
    expect(problems({ ...DEFAULT_BUSINESS_CALENDAR, closesAt: '24:00' })).toContain('→ at closesAt');
    expect(problems({ ...DEFAULT_BUSINESS_CALENDAR, workingDays: [0, 8] })).toContain('→ at workingDays[0]');
    expect(problems({ ...DEFAULT_BUSINESS_CALENDAR, workingDays: [] })).toContain('→ at workingDays');
  });

  it('IsoDate and ClockTime accept real values and reject impossible ones', () => {
    expect(IsoDate.safeParse('2028-02-29').success).toBe(true);
    expect(IsoDate.safeParse('2026-02-29').success).toBe(false);
    expect(IsoDate.safeParse('2026-13-01').success).toBe(false);
    expect(ClockTime.safeParse('23:59').success).toBe(true);
    expect(ClockTime.safeParse('23:60').success).toBe(false);
  });

  it('the functions refuse an invalid calendar instead of computing wrong deadlines', () => {
    const broken = { ...DEFAULT_BUSINESS_CALENDAR, timeZone: 'Mars/Olympus_Mons' };
    expect(() => addWorkingTime('2026-03-27T17:00:00Z', HOUR, broken)).toThrow(
      /invalid business calendar: .*unknown time zone "Mars\/Olympus_Mons"/s,
    );
  });
});
