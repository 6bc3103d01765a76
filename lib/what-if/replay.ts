/**
 * Replays a case's SLA journal through the same clock and calendar code the workflow runs
 * (`workflows/kernel/sla-clock.ts`, `business-hours.ts`): every start, pause, resume, rebudget,
 * fulfilment and cancellation at its recorded instant, and every ladder step at the instant the
 * clock reaches it. With the budgets the case recorded, it gives the case's own outcome back;
 * with a candidate policy's budgets, calendar and ladder, what would have happened instead,
 * assuming people had acted at the same instants.
 */
import { isWorkingTime, type BusinessCalendar } from '../../workflows/kernel/business-hours';
import * as clock from '../../workflows/kernel/sla-clock';
import type { LadderStep, SlaClock, WindowSpec } from '../../workflows/kernel/sla-clock';
import type { SlaJournalEntry } from '../../workflows/kernel/sla-journal';

/** What a replay runs on: the calendar, the ladder, and each window's budget. */
export interface ReplayPolicy {
  calendar: BusinessCalendar;
  ladder: readonly LadderStep[];
  /** The budget of a started or rebudgeted window (the recorded one, or a candidate's). */
  budget(entry: Extract<SlaJournalEntry, { op: 'start' | 'rebudget' }>): WindowSpec;
}

/** One ladder step reached: who was told, and whether it fell outside business hours. */
export interface ReplayedStep {
  percent: number;
  at: string;
  notify: readonly string[];
  breach: boolean;
  outsideBusinessHours: boolean;
}

export interface ReplayedClock {
  window: string;
  subject?: string;
  cycle: number;
  spec: WindowSpec;
  state: SlaClock['state'];
  breached: boolean;
  steps: ReplayedStep[];
}

/** The workflow's ladder: a breach rung at 100 % when the policy lists none (sla-windows.ts). */
function withBreachRung(ladder: readonly LadderStep[]): readonly LadderStep[] {
  return ladder.some((step) => step.percent >= 100) ? ladder : [...ladder, { percent: 100, notify: [] }];
}

interface Running {
  clock: SlaClock;
  spec: WindowSpec;
  steps: ReplayedStep[];
}

/**
 * The clocks of one journal under `policy`, in the order they started; open ones are followed
 * to `until` (the case's close).
 *
 * @throws RangeError when an entry names a clock that is not there (a journal out of order).
 */
export function replayJournal(
  entries: readonly SlaJournalEntry[],
  policy: ReplayPolicy,
  until: string,
): ReplayedClock[] {
  const ladder = withBreachRung(policy.ladder);
  const clocks: Running[] = [];
  let last = entries[0]?.at ?? until;

  /** Fires every ladder step each running clock reaches before `to` (at `to` too when `inclusive`). */
  const advance = (to: string, inclusive: boolean) => {
    for (const running of clocks) {
      for (;;) {
        const next = clock.nextStepAt(running.clock, ladder, policy.calendar);
        if (!next || next > to || (next === to && !inclusive)) break;
        // A rebudget below what was consumed makes a step due in the past: the workflow's timer
        // fires at once, so does this.
        const at = next < last ? last : next;
        const { clock: fired, due } = clock.collectDueSteps(running.clock, ladder, at, policy.calendar);
        if (due.length === 0) break;
        running.clock = fired;
        for (const { step, breach } of due) {
          running.steps.push({
            percent: step.percent,
            at,
            notify: step.notify,
            breach,
            outsideBusinessHours: !isWorkingTime(at, policy.calendar),
          });
        }
      }
    }
  };

  const find = (entry: SlaJournalEntry, accept: (c: SlaClock) => boolean): Running => {
    for (let i = clocks.length - 1; i >= 0; i--) {
      const running = clocks[i]!;
      if (
        running.clock.window === entry.window &&
        running.clock.subject === entry.subject &&
        accept(running.clock)
      )
        return running;
    }
    throw new RangeError(`the journal ${entry.op}s ${entry.window} at ${entry.at}, which has no such clock`);
  };

  for (const entry of entries) {
    advance(entry.at, false);
    last = entry.at;
    switch (entry.op) {
      case 'start': {
        const spec = policy.budget(entry);
        const cycle = clocks.filter(
          (c) => c.clock.window === entry.window && c.clock.subject === entry.subject,
        ).length;
        clocks.push({
          clock: clock.startClock(entry.window, spec, entry.at, {
            runsFrom: entry.runsFrom,
            cycle: cycle + 1,
            subject: entry.subject,
          }),
          spec,
          steps: [],
        });
        break;
      }
      case 'rebudget': {
        const running = find(entry, clock.isOpen);
        running.spec = policy.budget(entry);
        running.clock = clock.rebudget(running.clock, running.spec);
        break;
      }
      case 'fulfil': {
        const running = find(entry, clock.isOpen);
        running.clock = clock.fulfil(running.clock, entry.at, policy.calendar);
        break;
      }
      case 'cancel': {
        const running = find(entry, clock.isOpen);
        running.clock = clock.cancel(running.clock, entry.at, policy.calendar);
        break;
      }
      case 'pause': {
        const running = find(entry, (c) => c.state === 'running');
        running.clock = clock.pause(running.clock, entry.at, policy.calendar);
        break;
      }
      case 'resume': {
        const running = find(entry, (c) => c.state === 'paused');
        running.clock = clock.resume(running.clock, entry.at);
        break;
      }
    }
  }
  advance(until, true);

  return clocks.map(({ clock: c, spec, steps }) => ({
    window: c.window,
    ...(c.subject !== undefined ? { subject: c.subject } : {}),
    cycle: c.cycle ?? 1,
    spec,
    state: c.state,
    breached: clock.isBreached(c),
    steps,
  }));
}
