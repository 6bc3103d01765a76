/**
 * The deadline agenda: every dated thing a workflow waits for (an SLA ladder step, a follow-up, a
 * revisit, the renewal reminder) as plain data in its state, with one timer for the earliest.
 *
 * The timer is re-armed at once (when the earliest deadline moves earlier; one that moves later
 * is met by the armed timer firing early), inside the code that changes the agenda, not by a loop
 * that wakes up later: so the commands a change produces (cancel one timer, start another) follow
 * the change directly, in the same order on every replay, however the events of a workflow
 * task happen to be grouped. The items travel with the state across continue-as-new.
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import { z } from 'zod';
import { formatInstant, msUntil, nowIso } from './time';
import { AGENDA_KEEP_EARLIER_TIMER, type CodeVersion } from './versions';

export const AgendaItem = z.object({
  /** Unique within the agenda; setting an existing key replaces its item. */
  key: z.string(),
  /** Which handler runs it (`sla`, `follow-up`, …). */
  kind: z.string(),
  dueAt: z.string(),
  /** Shown on the timer in the Web UI. */
  summary: z.string(),
});
export type AgendaItem = z.infer<typeof AgendaItem>;

export type AgendaHandler = (item: AgendaItem) => void | Promise<void>;

function earliest(items: readonly AgendaItem[]): AgendaItem | undefined {
  let first: AgendaItem | undefined;
  for (const item of items) {
    if (!first || item.dueAt < first.dueAt || (item.dueAt === first.dueAt && item.key < first.key))
      first = item;
  }
  return first;
}

export class Agenda {
  private armed?: { scope: CancellationScope; dueAt: string };
  private readonly handlers = new Map<string, AgendaHandler>();
  private stopped = false;
  private running = 0;

  /** @param items the agenda's list inside the workflow state (kept there across continue-as-new). */
  constructor(
    private readonly items: AgendaItem[],
    private readonly code: CodeVersion,
  ) {}

  /** Registers what runs when an item of `kind` comes due. */
  on(kind: string, handler: AgendaHandler): void {
    this.handlers.set(kind, handler);
  }

  /** No item is being run (its activities in flight): safe to continue as new. */
  isIdle(): boolean {
    return this.running === 0;
  }

  get(key: string): AgendaItem | undefined {
    return this.items.find((item) => item.key === key);
  }

  next(kind?: string): AgendaItem | undefined {
    return earliest(kind ? this.items.filter((item) => item.kind === kind) : this.items);
  }

  set(item: AgendaItem): void {
    this.remove((candidate) => candidate.key === item.key);
    this.items.push(item);
    this.rearm();
  }

  clear(key: string): void {
    if (this.remove((item) => item.key === key)) this.rearm();
  }

  clearWhere(predicate: (item: AgendaItem) => boolean): void {
    if (this.remove(predicate)) this.rearm();
  }

  /** Starts timing what the state already holds (a new run after continue-as-new). */
  resume(): void {
    this.rearm();
  }

  /** No more deadlines: the workflow is ending. */
  stop(): void {
    this.stopped = true;
    this.items.splice(0, this.items.length);
    this.rearm();
  }

  private remove(predicate: (item: AgendaItem) => boolean): boolean {
    const before = this.items.length;
    const kept = this.items.filter((item) => !predicate(item));
    this.items.splice(0, this.items.length, ...kept);
    return kept.length !== before;
  }

  private rearm(): void {
    const next = this.stopped ? undefined : earliest(this.items);
    if (this.armed && next && this.armed.dueAt === next.dueAt) return;
    // Moved later: the armed timer fires early once and finds nothing due (runDue arms for the
    // new deadline then), cheaper than a cancelled timer and a new one on every re-plan.
    if (this.armed && next && next.dueAt > this.armed.dueAt && this.code.has(AGENDA_KEEP_EARLIER_TIMER))
      return;
    this.armed?.scope.cancel();
    this.armed = undefined;
    if (!next) return;
    const scope = new CancellationScope();
    const armed = { scope, dueAt: next.dueAt };
    this.armed = armed;
    const summary = `${next.summary} at ${formatInstant(next.dueAt)}`;
    void scope
      .run(() => sleep(msUntil(next.dueAt), { summary }))
      .then(
        () => {
          if (this.armed !== armed) return;
          this.armed = undefined;
          return this.runDue();
        },
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      );
  }

  /** Takes every due item off the agenda, re-arms for the rest, then runs them in order. */
  private async runDue(): Promise<void> {
    const now = nowIso();
    const due = this.items
      .filter((item) => item.dueAt <= now)
      .sort((a, b) => (a.dueAt === b.dueAt ? (a.key < b.key ? -1 : 1) : a.dueAt < b.dueAt ? -1 : 1));
    this.remove((item) => due.includes(item));
    this.rearm();
    this.running += 1;
    try {
      for (const item of due) {
        const handler = this.handlers.get(item.kind);
        if (!handler) throw new Error(`no agenda handler for ${item.kind}`);
        await handler(item);
      }
    } finally {
      this.running -= 1;
      this.afterRun?.();
    }
  }

  /** Called after each run of due items (a main loop that decides on continue-as-new wakes). */
  afterRun?: () => void;
}
