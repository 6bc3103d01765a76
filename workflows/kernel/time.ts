/**
 * Workflow time, read one way: the sandbox's clock (deterministic, the time of the current
 * workflow task), always handled as ISO strings.
 */

/** Workflow time as an ISO string. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Milliseconds of workflow time since the epoch (for arithmetic on ISO instants). */
export function nowMs(): number {
  return Date.parse(nowIso());
}

/** The instant `ms` after `iso`. */
export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** Milliseconds from workflow time to an instant, at least 1 ms (a zero timer is not a timer). */
export function msUntil(iso: string): number {
  return Math.max(1, Date.parse(iso) - nowMs());
}

/** Milliseconds between two instants, when the second one happened. */
export function msBetween(from: string, to: string | undefined): number | undefined {
  return to === undefined ? undefined : Date.parse(to) - Date.parse(from);
}

/** "2 h 5 min" for details and summaries. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms / 60_000));
  const days = Math.floor(rest / 1440);
  rest -= days * 1440;
  const hours = Math.floor(rest / 60);
  const minutes = rest - hours * 60;
  const parts = [
    days ? `${days} d` : '',
    hours ? `${hours} h` : '',
    minutes || (!days && !hours) ? `${minutes} min` : '',
  ];
  return sign + parts.filter(Boolean).join(' ');
}

/** "2026-11-23 09:00 UTC" */
export function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
