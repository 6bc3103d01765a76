/**
 * Local dates and wall-clock times in an IANA time zone, without the host's zone: the
 * arithmetic business hours (business-hours.ts) stand on. Pure, like everything the workflow
 * sandbox runs: time-zone answers come from `Intl.DateTimeFormat` with an explicit zone, whose
 * data ships with Node and is the same on every replay of a worker.
 */
const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const CLOCK_TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Days since 1970-01-01 of a proleptic Gregorian date; `setUTCFullYear` keeps years below 100. */
export function civilDay(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.floor(date.getTime() / DAY_MS);
}

/** True when the fields name a real date (V8 would silently roll 2026-02-30 over to March). */
export function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(civilDay(year, month, day) * DAY_MS);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function isoDateFields(value: string): [number, number, number] {
  return [Number(value.slice(0, 4)), Number(value.slice(5, 7)), Number(value.slice(8, 10))];
}

export function clockMinutes(value: string): number {
  return Number(value.slice(0, 2)) * 60 + Number(value.slice(3, 5));
}

// ---------------------------------------------------------------------------------------------
// Time zones

/**
 * One formatter per time zone: constructing one costs far more than formatting with it. The
 * locale pins the Gregorian calendar and Latin digits, and `h23` avoids the "24" hour that
 * `hour12: false` yields at midnight.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
        timeZone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone "${timeZone}"`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset in ms at an instant. Intl has whole seconds only, so we drop the ms. */
export function offsetAt(timeZone: string, instant: number): number {
  const whole = Math.floor(instant / SECOND_MS) * SECOND_MS;
  const fields: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatterFor(timeZone).formatToParts(whole)) fields[part.type] = part.value;
  const year = Number(fields.year);
  const wall =
    civilDay(fields.era === 'BC' ? 1 - year : year, Number(fields.month), Number(fields.day)) * DAY_MS +
    (Number(fields.hour) % 24) * 3_600_000 +
    Number(fields.minute) * MINUTE_MS +
    Number(fields.second) * SECOND_MS;
  return wall - whole;
}

/** The local date (days since 1970-01-01) of an instant. */
export function localDay(timeZone: string, instant: number): number {
  return Math.floor((instant + offsetAt(timeZone, instant)) / DAY_MS);
}

/**
 * The earliest instant whose local time is at or after `wall` (a local wall time written as if it
 * were UTC ms). Offsets a day either side cover every instant that can show that wall time; each
 * is checked, and when neither fits the wall time lies in a gap, whose end we find by bisection.
 */
export function resolveWallTime(timeZone: string, wall: number): number {
  const before = offsetAt(timeZone, wall - DAY_MS);
  const after = offsetAt(timeZone, wall + DAY_MS);
  let earliest = Infinity;
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = wall - offset;
    if (offsetAt(timeZone, instant) === offset) earliest = Math.min(earliest, instant);
  }
  if (earliest !== Infinity) return earliest;
  if (after <= before) return wall - after; // two transitions within two days: no zone has one
  // Spring-forward gap: the transition lies in (wall - after, wall - before].
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > SECOND_MS) {
    const mid = lo + Math.floor((hi - lo) / (2 * SECOND_MS)) * SECOND_MS;
    if (offsetAt(timeZone, mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}
