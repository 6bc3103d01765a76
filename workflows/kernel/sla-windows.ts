/**
 * One SLA clock for every response window of every workflow: a case's first reply, resolution
 * and revisit windows, a journey's inquiry windows, alike. A window has a budget of calendar or
 * business time, may pause while we wait on the customer, climbs a warning ladder and records a
 * breach; its next ladder step is an item on the workflow's agenda.
 *
 * The clocks themselves are plain data in the workflow state (sla-clock.ts); this module starts,
 * stops and times them, writes each change to the timeline and tells its workflow when a ladder
 * step is due (what a step means — notify whom, escalate — is the workflow's rule).
 */
import type { Agenda, AgendaItem } from './agenda';
import type { BusinessCalendar } from './business-hours';
import * as clock from './sla-clock';
import type { DueStep, LadderStep, SlaClock, WindowSpec } from './sla-clock';
import type { SlaJournalEntry } from './sla-journal';
import type { Priority, Team } from './contract';
import * as metrics from './metrics';
import { formatDuration, formatInstant, nowIso } from './time';

export interface SlaHost<A extends string, W extends string> {
  calendar(): BusinessCalendar;
  /** The ladder of a window; a breach rung at 100 % is added when the policy lists none. */
  ladder(window: W): readonly LadderStep<A>[];
  label(window: W): string;
  /** A label for the agenda's timer, e.g. "P1 first reply". */
  timerLabel(c: SlaClock<W>): string;
  record(type: string, summary: string, extra: { window: W; data?: Record<string, unknown> }): void;
  /** A ladder step is due (already recorded as warned or breached). */
  onStep(step: DueStep<A, W>): void | Promise<void>;
  /** Priority and team of a window, for the SLA metrics; none for windows not counted there. */
  metricTags?(): { priority: Priority; team: Team } | undefined;
  /** Where every change to a clock is journaled (executions that keep a journal). */
  journal?(): SlaJournalEntry[] | undefined;
  /** The policy entry a window's budget comes from now (`firstReply.P2`), for the journal. */
  policyKey?(window: W, subject?: string): string | undefined;
}

const KIND = 'sla';

function keyOf(c: SlaClock): string {
  return `${KIND}/${c.window}/${c.cycle ?? 1}${c.subject ? `/${c.subject}` : ''}`;
}

export class SlaWindows<A extends string, W extends string = string> {
  constructor(
    /** The clocks inside the workflow state. */
    private readonly clocks: SlaClock<W>[],
    private readonly agenda: Agenda,
    private readonly host: SlaHost<A, W>,
  ) {
    agenda.on(KIND, (item) => this.fireDue(item));
  }

  all(): readonly SlaClock<W>[] {
    return this.clocks;
  }

  /** The latest clock of a window (of one subject), open or not. */
  latest(window: W, subject?: string): SlaClock<W> | undefined {
    for (let i = this.clocks.length - 1; i >= 0; i--) {
      const c = this.clocks[i]!;
      if (c.window === window && c.subject === subject) return c;
    }
    return undefined;
  }

  open(window: W, subject?: string): SlaClock<W> | undefined {
    const c = this.latest(window, subject);
    return c && clock.isOpen(c) ? c : undefined;
  }

  /** How many times a window has been started (windows repeat after a reopening). */
  cycleOf(window: W, subject?: string): number {
    return this.clocks.filter((c) => c.window === window && c.subject === subject).length;
  }

  dueAt(c: SlaClock): string | undefined {
    return clock.dueAt(c, this.host.calendar());
  }

  remaining(c: SlaClock, now = nowIso()): number {
    return clock.remaining(c, now, this.host.calendar());
  }

  /** The nearest due time of any running window. */
  nextDeadline(): string | undefined {
    return this.clocks
      .filter((c) => c.state === 'running')
      .map((c) => this.dueAt(c))
      .filter((due): due is string => due !== undefined)
      .sort()[0];
  }

  /** Windows breached so far, in the order they breached. */
  breachedWindows(): W[] {
    return [...this.clocks]
      .filter((c) => c.breachedAt !== undefined)
      .sort((a, b) => (a.breachedAt! < b.breachedAt! ? -1 : a.breachedAt! > b.breachedAt! ? 1 : 0))
      .map((c) => c.window)
      .filter((window, index, all) => all.indexOf(window) === index);
  }

  start(
    window: W,
    spec: WindowSpec,
    options: { runsFrom?: string; subject?: string; because?: string; policyKey?: string } = {},
  ): SlaClock<W> {
    const now = nowIso();
    const cycle = this.cycleOf(window, options.subject) + 1;
    const c = clock.startClock(window, spec, now, {
      runsFrom: options.runsFrom,
      cycle,
      subject: options.subject,
    });
    this.clocks.push(c);
    const key = options.policyKey ?? this.host.policyKey?.(window, options.subject);
    this.note({
      op: 'start',
      at: now,
      window,
      spec,
      ...(options.subject !== undefined ? { subject: options.subject } : {}),
      ...(c.runningSince !== now ? { runsFrom: c.runningSince } : {}),
      ...(key ? { key } : {}),
    });
    const due = this.dueAt(c);
    this.host.record(
      'sla-started',
      `${this.host.label(window)} window started: ${spec.hours} ${spec.basis} hours, due ${due ? formatInstant(due) : '—'}` +
        (options.because ? ` (${options.because})` : ''),
      { window, data: { hours: spec.hours, basis: spec.basis, dueAt: due, subject: options.subject } },
    );
    this.schedule(c);
    const tags = this.host.metricTags?.();
    if (tags) metrics.slaWindowStarted({ window, ...tags });
    return c;
  }

  fulfil(window: W, how: string, subject?: string): SlaClock<W> | undefined {
    const open = this.open(window, subject);
    if (!open) return undefined;
    const done = clock.fulfil(open, nowIso(), this.host.calendar());
    this.replace(open, done);
    this.note({ op: 'fulfil', at: done.fulfilledAt!, window, ...(subject !== undefined ? { subject } : {}) });
    const late = clock.isBreached(done);
    this.host.record(
      'sla-fulfilled',
      `${this.host.label(window)} window fulfilled${late ? ' late' : ''} (${how}) after ${formatDuration(done.consumedMs)} of ${done.basis} time`,
      { window, data: { late, consumedMs: done.consumedMs, pausedMs: done.pausedMs, subject } },
    );
    const tags = this.host.metricTags?.();
    if (tags) metrics.slaWindowFulfilled({ window, ...tags, late });
    return done;
  }

  cancel(window: W, why: string, subject?: string): void {
    const open = this.open(window, subject);
    if (!open) return;
    const now = nowIso();
    this.replace(open, clock.cancel(open, now, this.host.calendar()));
    this.note({ op: 'cancel', at: now, window, ...(subject !== undefined ? { subject } : {}) });
    this.host.record('sla-cancelled', `${this.host.label(window)} window closed without fulfilment: ${why}`, {
      window,
    });
  }

  cancelAll(why: string): void {
    for (const c of this.clocks.filter(clock.isOpen)) this.cancel(c.window, why, c.subject);
  }

  /** Pauses the running windows `which` selects (the clock stops while we wait on the customer). */
  pause(which: (c: SlaClock<W>) => boolean, why: string): void {
    const now = nowIso();
    for (const c of [...this.clocks]) {
      if (c.state !== 'running' || !which(c)) continue;
      this.replace(c, clock.pause(c, now, this.host.calendar()));
      this.note({
        op: 'pause',
        at: now,
        window: c.window,
        ...(c.subject !== undefined ? { subject: c.subject } : {}),
      });
      this.host.record('sla-paused', `${this.host.label(c.window)} clock paused: ${why}`, {
        window: c.window,
      });
    }
  }

  resumeAll(why: string): void {
    const now = nowIso();
    for (const c of [...this.clocks]) {
      if (c.state !== 'paused') continue;
      const resumed = clock.resume(c, now);
      this.replace(c, resumed);
      this.note({
        op: 'resume',
        at: now,
        window: c.window,
        ...(c.subject !== undefined ? { subject: c.subject } : {}),
      });
      this.host.record(
        'sla-resumed',
        `${this.host.label(c.window)} clock resumed after ${formatDuration(resumed.pausedMs - c.pausedMs)}: ${why}`,
        { window: c.window, data: { pausedMs: resumed.pausedMs - c.pausedMs } },
      );
    }
  }

  /** A new budget for an open window; consumption and ladder steps already fired stay. */
  rebudget(window: W, spec: WindowSpec): void {
    const open = this.open(window);
    if (!open) return;
    this.replace(open, clock.rebudget(open, spec));
    const key = this.host.policyKey?.(window);
    this.note({ op: 'rebudget', at: nowIso(), window, spec, ...(key ? { key } : {}) });
    this.host.record(
      'sla-rebudgeted',
      `${this.host.label(window)} window is now ${spec.hours} ${spec.basis} hours`,
      {
        window,
      },
    );
  }

  /** Times every open window again (after continue-as-new, or a change of calendar). */
  resume(): void {
    for (const c of this.clocks) this.schedule(c);
  }

  private ladder(window: W): readonly LadderStep<A>[] {
    const ladder = this.host.ladder(window);
    return ladder.some((step) => step.percent >= 100) ? ladder : [...ladder, { percent: 100, notify: [] }];
  }

  /** Journals a change, where the workflow keeps a journal. */
  private note(entry: SlaJournalEntry): void {
    this.host.journal?.()?.push(entry);
  }

  private replace(before: SlaClock<W>, after: SlaClock<W>): void {
    const index = this.clocks.lastIndexOf(before);
    if (index >= 0) this.clocks[index] = after;
    this.schedule(after);
  }

  /** Puts the clock's next ladder step on the agenda (or takes it off). */
  private schedule(c: SlaClock<W>): void {
    const at = clock.nextStepAt(c, this.ladder(c.window), this.host.calendar());
    if (!at) return this.agenda.clear(keyOf(c));
    const step = this.ladder(c.window).find((rung) => !c.fired.includes(rung.percent));
    this.agenda.set({
      key: keyOf(c),
      kind: KIND,
      dueAt: at,
      summary: `${this.host.timerLabel(c)}: ${step?.percent ?? 100}%`,
    });
  }

  private async fireDue(item: AgendaItem): Promise<void> {
    const c = this.clocks.find((candidate) => keyOf(candidate) === item.key);
    if (!c) return;
    const result = clock.collectDueSteps(c, this.ladder(c.window), nowIso(), this.host.calendar());
    this.replace(c, result.clock);
    const tags = this.host.metricTags?.();
    for (const step of result.due) {
      const label = this.host.label(c.window);
      if (tags && step.breach) metrics.slaWindowBreached({ window: c.window, ...tags });
      else if (tags) metrics.slaWindowWarned({ window: c.window, ...tags, percent: step.step.percent });
      if (step.breach) {
        this.host.record(
          'sla-breached',
          `${label} window breached; notifying ${step.step.notify.join(', ') || 'nobody'}`,
          {
            window: c.window,
            data: { notify: step.step.notify, subject: c.subject },
          },
        );
      } else {
        this.host.record(
          'sla-warned',
          `${step.step.percent}% of the ${label} window used; notifying ${step.step.notify.join(', ')}`,
          {
            window: c.window,
            data: { percent: step.step.percent, notify: step.step.notify, subject: c.subject },
          },
        );
      }
    }
    await Promise.all(result.due.map(async (step) => await this.host.onStep(step)));
  }
}
