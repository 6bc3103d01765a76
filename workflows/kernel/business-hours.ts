/**
 * Business-hours calendar math: response windows that count only the desk's working time.
 *
 * This module runs inside Temporal's deterministic workflow sandbox, so it is pure: every "now"
 * arrives as an ISO string, nothing reads the clock, the environment or the host's time zone.
 * Time-zone conversion goes through `Intl.DateTimeFormat` with an explicit `timeZone`, whose
 * answer depends only on the ICU data shipped with Node (the same on every replay of a worker).
 *
 * Model: each working local date has one window `[open, close)`, where `open` and `close` are the
 * calendar's wall-clock times resolved to instants with the zone's offset on that date. A wall
 * time resolves to the earliest instant whose local time is at or after it: the single instant
 * on an ordinary day, the earlier one when the clock falls back, and the end of the gap when the
 * clock springs forward. That rule is monotone, so windows never overlap and always have their
 * real length (10 h for 08:00–18:00 with a 02:00 spring-forward, 3 h for 01:00–05:00).
 */
import { z } from 'zod';
import {
  MINUTE_MS,
  DAY_MS,
  ISO_DATE_PATTERN,
  CLOCK_TIME_PATTERN,
  civilDay,
  isRealDate,
  isoDateFields,
  clockMinutes,
  isKnownTimeZone,
  offsetAt,
  localDay,
  resolveWallTime,
} from './time-zones';

/** How many consecutive local dates without working time we scan before giving up (ten years). */
const MAX_IDLE_DAYS = 3660;
/** A business-time deadline further away than this (ten years) is refused, not searched for. */
const MAX_HORIZON_DAYS = 3660;

/**
 * A calendar that cannot answer: no working time for years, or not enough of it to fit a window.
 * Workflows refuse such a policy at start (naming the field) rather than fail a task later.
 */
export class CalendarError extends RangeError {
  override readonly name = 'CalendarError';
}

/** An instant must carry `Z` or an offset: a bare local time would be read in the host's zone. */
const INSTANT_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

// ---------------------------------------------------------------------------------------------
// Schemas

/** A calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
export const IsoDate = z
  .string()
  .regex(ISO_DATE_PATTERN, 'must be a date YYYY-MM-DD')
  .refine((value) => !ISO_DATE_PATTERN.test(value) || isRealDate(...isoDateFields(value)), {
    error: (issue) => `"${String(issue.input)}" is not a real calendar date`,
  });

/** A local wall-clock time `HH:MM`, 00:00–23:59. */
export const ClockTime = z.string().regex(CLOCK_TIME_PATTERN, 'must be a time HH:MM between 00:00 and 23:59');

/**
 * When a desk works: response windows measured on the "business" basis count only this time.
 * One window per working date (no lunch break, no overnight shift), which is what the SLAs need.
 */
export const BusinessCalendar = z
  .object({
    /** IANA time zone the wall-clock times and holidays are local to, e.g. 'Asia/Shanghai'. */
    timeZone: z.string().refine(isKnownTimeZone, {
      error: (issue) => `unknown time zone "${String(issue.input)}"`,
    }),
    /** ISO weekdays the desk works: 1 = Monday … 7 = Sunday. */
    workingDays: z.array(z.number().int().min(1).max(7)).min(1),
    /** Local opening time, e.g. '09:00'. */
    opensAt: ClockTime,
    /** Local closing time, e.g. '18:00'; after `opensAt` on the same date. */
    closesAt: ClockTime,
    /** Local dates that are not working days even when their weekday is. */
    holidays: z.array(IsoDate).default([]),
  })
  .refine(
    // Only compare well-formed times; a malformed one already has its own issue.
    ({ opensAt, closesAt }) =>
      !CLOCK_TIME_PATTERN.test(opensAt) ||
      !CLOCK_TIME_PATTERN.test(closesAt) ||
      clockMinutes(closesAt) > clockMinutes(opensAt),
    { path: ['closesAt'], message: 'closesAt must be after opensAt' },
  );
export type BusinessCalendar = z.infer<typeof BusinessCalendar>;

/**
 * The default working week of the after-sales desks (ours): Asia/Shanghai, Monday–Friday,
 * 09:00–18:00. Holidays are per deployment (they change every year), so the default has none.
 */
export const DEFAULT_BUSINESS_CALENDAR: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  workingDays: [1, 2, 3, 4, 5],
  opensAt: '09:00',
  closesAt: '18:00',
  holidays: [],
};

/** `calendar`: every millisecond counts; `business`: only working time counts. */
export type TimeBasis = 'calendar' | 'business';

// ---------------------------------------------------------------------------------------------
// Working windows

interface CompiledCalendar {
  timeZone: string;
  workingDays: ReadonlySet<number>;
  holidays: ReadonlySet<number>;
  opensMs: number;
  closesMs: number;
}

/**
 * Validates the calendar on every call: calendars arrive in workflow inputs, and a bad one should
 * fail with a message, not yield wrong deadlines. Parsing also fills the `holidays` default.
 */
function compile(calendar: BusinessCalendar): CompiledCalendar {
  const parsed = BusinessCalendar.safeParse(calendar);
  if (!parsed.success) throw new RangeError(`invalid business calendar: ${z.prettifyError(parsed.error)}`);
  const { timeZone, workingDays, opensAt, closesAt, holidays } = parsed.data;
  return {
    timeZone,
    workingDays: new Set(workingDays),
    holidays: new Set(holidays.map((date) => civilDay(...isoDateFields(date)))),
    opensMs: clockMinutes(opensAt) * MINUTE_MS,
    closesMs: clockMinutes(closesAt) * MINUTE_MS,
  };
}

/** ISO weekday of a local date; 1970-01-01 was a Thursday. */
function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

interface Window {
  open: number;
  close: number;
}

/**
 * The non-empty working windows that end after `from`, in order. Starts one local date early
 * because a fall-back across midnight can leave the previous date's window still open. Unbounded
 * scans give up after MAX_IDLE_DAYS dates without working time, so a calendar whose working days
 * are all holidays fails loudly instead of looping; bounded scans stop once dates start after
 * `until` (a date's instants begin at most 14 h before its wall time, well within one day).
 *
 * Speed: every instant showing a wall time of date `d` lies between the local midnights of `d - 1`
 * and `d + 2` read as UTC. When the offset is the same at both ends, no transition lies between
 * them (zones do not change offset twice within three days), so opening and closing are plain
 * subtraction; each probe is shared by two dates, about one Intl call per date. Only the few dates
 * near a DST change take the full resolution.
 */
function* windowsAfter(calendar: CompiledCalendar, from: number, until = Infinity): Generator<Window> {
  const { timeZone } = calendar;
  const probes = new Map<number, number>();
  const probe = (instant: number): number => {
    let offset = probes.get(instant);
    if (offset === undefined) {
      offset = offsetAt(timeZone, instant);
      probes.set(instant, offset);
    }
    return offset;
  };
  let idleDays = 0;
  for (let day = localDay(timeZone, from) - 1; ; day++) {
    if ((day - 1) * DAY_MS >= until) return;
    if (until === Infinity && ++idleDays > MAX_IDLE_DAYS) {
      throw new CalendarError(
        `business calendar has no working time in the ${MAX_IDLE_DAYS} days after ${new Date(from).toISOString()} ` +
          `(time zone ${timeZone}, working days ${[...calendar.workingDays].join(',')}): ` +
          'are all working days holidays?',
      );
    }
    probes.delete((day - 2) * DAY_MS); // no later date probes it again
    if (!calendar.workingDays.has(isoWeekday(day)) || calendar.holidays.has(day)) continue;
    const midnight = day * DAY_MS;
    const offset = probe(midnight - DAY_MS);
    const steady = offset === probe(midnight + 2 * DAY_MS);
    const open = steady
      ? midnight + calendar.opensMs - offset
      : resolveWallTime(timeZone, midnight + calendar.opensMs);
    const close = steady
      ? midnight + calendar.closesMs - offset
      : resolveWallTime(timeZone, midnight + calendar.closesMs);
    // Empty when both times fall in one gap, e.g. a date the zone skipped entirely.
    if (close <= open || close <= from) continue;
    idleDays = 0;
    yield { open, close };
  }
}

function parseInstant(iso: string, name: string): number {
  const match = INSTANT_PATTERN.exec(iso);
  const ms = match ? Date.parse(iso) : NaN;
  if (!match || !isRealDate(Number(match[1]), Number(match[2]), Number(match[3])) || Number.isNaN(ms)) {
    throw new RangeError(`${name}: "${iso}" is not an ISO 8601 instant with Z or a UTC offset`);
  }
  return ms;
}

/** Whole, non-negative milliseconds: deadlines are computed from durations like `0.1 * HOUR`. */
function parseDuration(durationMs: number): number {
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new RangeError(`durationMs: ${durationMs} is not a finite, non-negative number of milliseconds`);
  }
  return Math.round(durationMs);
}

function formatInstant(ms: number): string {
  return new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * The instant at which `durationMs` of working time has elapsed after `startIso`. Counting starts
 * at the next opening when `startIso` is outside working time; a duration that ends exactly at a
 * closing returns that closing (not the next opening). A zero duration returns `startIso`.
 */
export function addWorkingTime(startIso: string, durationMs: number, calendar: BusinessCalendar): string {
  const start = parseInstant(startIso, 'startIso');
  let remaining = parseDuration(durationMs);
  const compiled = compile(calendar);
  if (remaining === 0) return formatInstant(start);
  for (const { open, close } of windowsAfter(compiled, start)) {
    if (open - start > MAX_HORIZON_DAYS * DAY_MS) {
      throw new CalendarError(
        `${durationMs / 3_600_000} business hours do not fit in the business calendar within ` +
          `${MAX_HORIZON_DAYS} days of ${formatInstant(start)}`,
      );
    }
    const begin = Math.max(open, start);
    if (remaining <= close - begin) return formatInstant(begin + remaining);
    remaining -= close - begin;
  }
  throw new Error('unreachable: windowsAfter is unbounded');
}

/** Working time in ms between two instants; 0 when `toIso` is not after `fromIso`. */
export function workingTimeBetween(fromIso: string, toIso: string, calendar: BusinessCalendar): number {
  const from = parseInstant(fromIso, 'fromIso');
  const to = parseInstant(toIso, 'toIso');
  const compiled = compile(calendar);
  if (to <= from) return 0;
  let total = 0;
  for (const { open, close } of windowsAfter(compiled, from, to)) {
    if (open >= to) break;
    total += Math.min(close, to) - Math.max(open, from);
  }
  return total;
}

/** True when the instant falls inside working hours (opening inclusive, closing exclusive). */
export function isWorkingTime(iso: string, calendar: BusinessCalendar): boolean {
  const instant = parseInstant(iso, 'iso');
  for (const { open } of windowsAfter(compile(calendar), instant, instant)) return open <= instant;
  return false;
}

/** The instant itself when inside working hours, otherwise the next opening. */
export function nextOpening(iso: string, calendar: BusinessCalendar): string {
  const instant = parseInstant(iso, 'iso');
  for (const { open } of windowsAfter(compile(calendar), instant))
    return formatInstant(Math.max(open, instant));
  throw new Error('unreachable: windowsAfter is unbounded');
}

/** `startIso` plus `durationMs`, counted on the given basis. */
export function addTime(
  basis: TimeBasis,
  startIso: string,
  durationMs: number,
  calendar: BusinessCalendar,
): string {
  switch (basis) {
    case 'calendar':
      return formatInstant(parseInstant(startIso, 'startIso') + parseDuration(durationMs));
    case 'business':
      return addWorkingTime(startIso, durationMs, calendar);
    default:
      return unknownBasis(basis);
  }
}

/** Time in ms from `fromIso` to `toIso` on the given basis; 0 when `toIso` is not after `fromIso`. */
export function timeBetween(
  basis: TimeBasis,
  fromIso: string,
  toIso: string,
  calendar: BusinessCalendar,
): number {
  switch (basis) {
    case 'calendar':
      return Math.max(0, parseInstant(toIso, 'toIso') - parseInstant(fromIso, 'fromIso'));
    case 'business':
      return workingTimeBetween(fromIso, toIso, calendar);
    default:
      return unknownBasis(basis);
  }
}

/** Inputs come from JSON, so a basis outside the type can still arrive at run time. */
function unknownBasis(basis: never): never {
  throw new RangeError(`unknown time basis "${String(basis)}": expected "calendar" or "business"`);
}
