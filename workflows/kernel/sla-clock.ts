/**
 * SLA clocks: pure functions over plain data, so a workflow keeps them in its state (and carries
 * them across continue-as-new) and unit tests exercise them without a server. Case windows and
 * inquiry windows are the same clocks: a window name, a budget of calendar or business time, a
 * warning ladder.
 *
 * A clock has a budget of calendar or business time. It consumes budget only while running:
 * pausing folds the running segment into `consumedMs`, so paused time never counts and is
 * accounted separately in `pausedMs`. A breach does not stop the clock: a late fulfilment is
 * still recorded, with its lateness.
 */
import { z } from 'zod';
import { addTime, CalendarError, timeBetween, type BusinessCalendar } from './business-hours';

const Hours = z
  .number()
  .positive('must be more than 0 hours')
  .max(24 * 366, 'must be at most a year');

/** A window's length and whether it counts calendar or business hours. */
export const WindowSpec = z.strictObject({
  hours: Hours,
  basis: z.enum(['calendar', 'business']),
});
export type WindowSpec = z.infer<typeof WindowSpec>;

/** One rung of a warning ladder: at `percent` of a window, notify `notify`. 100 is the breach. */
export interface LadderStep<Audience extends string = string> {
  percent: number;
  notify: readonly Audience[];
}

/** A ladder rung as policy JSON writes it, for the audiences a workflow knows. */
export function ladderStepSchema<A extends z.ZodType<string>>(audience: A) {
  return z.strictObject({
    percent: z.number().int().min(1).max(100),
    notify: z.array(audience).min(1, 'must name at least one audience'),
  });
}

/** A clock as the workflow state holds it (and carries across continue-as-new). */
export function slaClockSchema<W extends z.ZodType<string>>(window: W) {
  return z.object({
    /** The window's name (`first-reply`, `first-response`…). */
    window,
    /** Which occurrence of this window in its workflow (a window repeats after a reopening). */
    cycle: z.number().int().optional(),
    /** What the clock is about when a workflow runs several of one window (an inquiry id). */
    subject: z.string().optional(),
    basis: z.enum(['calendar', 'business']),
    budgetMs: z.number(),
    startedAt: z.string(),
    /** Budget consumed by finished running segments. */
    consumedMs: z.number(),
    /**
     * Start of the current running segment; absent while paused or finished. It may lie ahead:
     * a window that opens when the desk opens runs from then.
     */
    runningSince: z.string().optional(),
    pausedSince: z.string().optional(),
    /** Wall-clock time spent paused. */
    pausedMs: z.number(),
    state: z.enum(['running', 'paused', 'fulfilled', 'cancelled']),
    /** Ladder percents already fired (100 = the breach). */
    fired: z.array(z.number()),
    breachedAt: z.string().optional(),
    fulfilledAt: z.string().optional(),
  });
}

export const SlaClock = slaClockSchema(z.string());
export type SlaClock<W extends string = string> = Omit<z.infer<typeof SlaClock>, 'window'> & { window: W };

const HOUR = 3_600_000;

/** Milliseconds of a window spec. */
export function budgetOf(spec: WindowSpec): number {
  return Math.round(spec.hours * HOUR);
}

export function startClock<W extends string>(
  window: W,
  spec: WindowSpec,
  now: string,
  options: { runsFrom?: string; cycle?: number; subject?: string } = {},
): SlaClock<W> {
  return {
    window,
    ...(options.cycle !== undefined ? { cycle: options.cycle } : {}),
    ...(options.subject !== undefined ? { subject: options.subject } : {}),
    basis: spec.basis,
    budgetMs: budgetOf(spec),
    startedAt: now,
    consumedMs: 0,
    runningSince: options.runsFrom && options.runsFrom > now ? options.runsFrom : now,
    pausedMs: 0,
    state: 'running',
    fired: [],
  };
}

/** Budget consumed as of `now` (nothing yet while the window has not started to run). */
export function consumed(clock: SlaClock, now: string, calendar: BusinessCalendar): number {
  if (clock.state !== 'running' || !clock.runningSince) return clock.consumedMs;
  return clock.consumedMs + timeBetween(clock.basis, clock.runningSince, now, calendar);
}

/** The instant at which `fraction` of the budget is consumed, if the clock keeps running. */
function instantAt(clock: SlaClock, fraction: number, calendar: BusinessCalendar): string | undefined {
  if (clock.state !== 'running' || !clock.runningSince) return undefined;
  const left = Math.max(0, Math.round(clock.budgetMs * fraction) - clock.consumedMs);
  try {
    return addTime(clock.basis, clock.runningSince, left, calendar);
  } catch (error) {
    // The calendar was checked at start, but its holidays can still run out of working time
    // years later; a deadline in calendar time beats a workflow task that fails forever.
    if (error instanceof CalendarError) return addTime('calendar', clock.runningSince, left, calendar);
    throw error;
  }
}

/** When the window runs out if nothing changes (undefined while paused or finished). */
export function dueAt(clock: SlaClock, calendar: BusinessCalendar): string | undefined {
  return instantAt(clock, 1, calendar);
}

export function remaining(clock: SlaClock, now: string, calendar: BusinessCalendar): number {
  return clock.budgetMs - consumed(clock, now, calendar);
}

export function isOpen(clock: SlaClock): boolean {
  return clock.state === 'running' || clock.state === 'paused';
}

export function pause<C extends SlaClock>(clock: C, now: string, calendar: BusinessCalendar): C {
  if (clock.state !== 'running') return clock;
  return {
    ...clock,
    consumedMs: consumed(clock, now, calendar),
    runningSince: undefined,
    pausedSince: now,
    state: 'paused',
  };
}

export function resume<C extends SlaClock>(clock: C, now: string): C {
  if (clock.state !== 'paused' || !clock.pausedSince) return clock;
  return {
    ...clock,
    pausedMs: clock.pausedMs + Math.max(0, Date.parse(now) - Date.parse(clock.pausedSince)),
    pausedSince: undefined,
    runningSince: now,
    state: 'running',
  };
}

/** Stops an open clock for good, folding in the running segment (a paused one is resumed first). */
function finish<C extends SlaClock>(
  clock: C,
  now: string,
  calendar: BusinessCalendar,
  state: 'fulfilled' | 'cancelled',
): C {
  if (!isOpen(clock)) return clock;
  const resumed = clock.state === 'paused' ? resume(clock, now) : clock;
  return {
    ...resumed,
    consumedMs: consumed(resumed, now, calendar),
    runningSince: undefined,
    state,
    ...(state === 'fulfilled' ? { fulfilledAt: now } : {}),
  };
}

export function fulfil<C extends SlaClock>(clock: C, now: string, calendar: BusinessCalendar): C {
  return finish(clock, now, calendar, 'fulfilled');
}

export function cancel<C extends SlaClock>(clock: C, now: string, calendar: BusinessCalendar): C {
  return finish(clock, now, calendar, 'cancelled');
}

/**
 * A new budget for an open clock (reclassification): the start stays, consumption stays, and
 * ladder steps already fired stay fired. A smaller budget may be exceeded at once; the next
 * `dueSteps` call then fires what is due.
 */
export function rebudget<C extends SlaClock>(clock: C, spec: WindowSpec): C {
  if (!isOpen(clock)) return clock;
  return { ...clock, basis: spec.basis, budgetMs: budgetOf(spec) };
}

/** A ladder step whose time has come. */
export interface DueStep<A extends string = string, W extends string = string> {
  clock: SlaClock<W>;
  step: LadderStep<A>;
  breach: boolean;
}

/** Marks every step due at `now` as fired and returns them, lowest percent first. */
export function collectDueSteps<A extends string, W extends string>(
  clock: SlaClock<W>,
  ladder: readonly LadderStep<A>[],
  now: string,
  calendar: BusinessCalendar,
): { clock: SlaClock<W>; due: DueStep<A, W>[] } {
  if (clock.state !== 'running') return { clock, due: [] };
  const used = consumed(clock, now, calendar);
  const due = [...ladder]
    .sort((a, b) => a.percent - b.percent)
    .filter(
      (step) =>
        !clock.fired.includes(step.percent) && used >= Math.round((clock.budgetMs * step.percent) / 100),
    )
    .map((step) => ({ step, breach: step.percent >= 100 }));
  if (due.length === 0) return { clock, due: [] };
  const breach = due.some((step) => step.breach);
  const fired: SlaClock<W> = {
    ...clock,
    fired: [...clock.fired, ...due.map(({ step }) => step.percent)],
    breachedAt: breach ? (clock.breachedAt ?? now) : clock.breachedAt,
  };
  return { clock: fired, due: due.map((step) => ({ ...step, clock: fired })) };
}

/** The next instant at which a ladder step of this clock becomes due. */
export function nextStepAt(
  clock: SlaClock,
  ladder: readonly LadderStep[],
  calendar: BusinessCalendar,
): string | undefined {
  if (clock.state !== 'running') return undefined;
  const next = [...ladder]
    .sort((a, b) => a.percent - b.percent)
    .find((step) => !clock.fired.includes(step.percent));
  return next ? instantAt(clock, next.percent / 100, calendar) : undefined;
}

export function isBreached(clock: SlaClock): boolean {
  return clock.breachedAt !== undefined;
}
