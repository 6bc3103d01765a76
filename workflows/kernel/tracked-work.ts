/**
 * Internal work with an owner and a due date on business time (a root-cause analysis, a QA
 * review): the owner is told when it opens and reminded at 75 % of the time, at the due date it is
 * overdue and the owner's lead is told; it closes when its closing message arrives. The index says
 * when it is due (`NextDeadlineAt`) and whether it is late (`SlaBreached`, `Escalated`); the Web
 * UI's details are the workflow's own.
 */
import { condition, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { addWorkingTime, type BusinessCalendar } from './business-hours';
import { durationMs } from './contract';
import { Entity, type Transitions } from './entity';
import { EscalatedKey, NextDeadlineAtKey, SlaBreachedKey } from './search-attributes';
import { formatInstant, msUntil, nowIso } from './time';

export type TrackedStage = 'open' | 'overdue' | 'closed';

export const TRACKED_TRANSITIONS: Transitions<TrackedStage> = {
  open: ['overdue', 'closed'],
  overdue: ['closed'],
  closed: [],
};

/** The owner's reminder, as a share of the time to the due date (ours). */
const REMINDER_SHARE = 0.75;

export interface TrackedWorkOptions {
  owner: string;
  lead: string;
  dueWithin: string;
  calendar: BusinessCalendar;
  /** What the work is, for people: "root-cause analysis of team care". */
  what: string;
  /** The window name staff notifications carry. */
  window: string;
  /** The Web UI's details, refreshed with the index. */
  details: () => string;
}

export class TrackedWork {
  readonly entity: Entity<TrackedStage>;
  readonly openedAt = nowIso();
  readonly dueAt: string;
  private readonly remindAt: string;
  closedAt?: string;

  constructor(private readonly options: TrackedWorkOptions) {
    const budget = durationMs(options.dueWithin);
    this.dueAt = addWorkingTime(this.openedAt, budget, options.calendar);
    this.remindAt = addWorkingTime(this.openedAt, Math.round(budget * REMINDER_SHARE), options.calendar);
    this.entity = new Entity<TrackedStage>(
      { stage: 'open', timeline: [], rejectedSignals: 0 },
      {
        transitions: TRACKED_TRANSITIONS,
        subjectId: workflowInfo().workflowId,
        // Nothing here is said to a customer; the work is internal.
        customer: () => ({ customerId: 'none', channel: 'email' }),
        changed: () => undefined,
      },
    );
  }

  get overdue(): boolean {
    return this.closedAt ? this.closedAt > this.dueAt : this.entity.stage === 'overdue';
  }

  /** Marks the work done; the closing message's handler calls it. */
  close(by: string): void {
    this.closedAt = nowIso();
    this.entity.moveTo('closed', `closed by ${by}`);
    this.sync();
  }

  /** Opens, reminds, goes overdue, and returns once closed. */
  async run(opened: string): Promise<void> {
    const { owner, what, lead } = this.options;
    this.entity.record('opened', opened);
    this.sync();
    await this.notify('owner', owner, `${what} due ${formatInstant(this.dueAt)}`);
    if (await this.closedBy(this.remindAt, 'reminder')) return;
    await this.notify(
      'owner',
      owner,
      `${what} due ${formatInstant(this.dueAt)}: 75 % of the time used`,
      'reminder',
    );
    if (await this.closedBy(this.dueAt, 'due date')) return;
    this.entity.moveTo('overdue', 'not done by the due date');
    this.sync();
    await this.notify(
      'owner-lead',
      lead,
      `${what} (owner ${owner}) is overdue since ${formatInstant(this.dueAt)}`,
      'overdue',
    );
    await condition(() => this.closedAt !== undefined);
  }

  private closedBy(at: string, what: string): Promise<boolean> {
    return condition(() => this.closedAt !== undefined, Math.max(1, msUntil(at)), {
      summary: `done before the ${what} (${formatInstant(at)})`,
    });
  }

  private async notify(audience: 'owner' | 'owner-lead', staffId: string, reason: string, step = 'opened') {
    await this.entity.notifyStaff(`${this.options.window}/${step}/${audience}`, {
      audience,
      staffId,
      window: this.options.window,
      reason,
    });
  }

  /** The index (due date, late) and the Web UI's details. */
  sync(): void {
    const stage = this.entity.stage;
    upsertSearchAttributes([
      { key: SlaBreachedKey, value: stage === 'overdue' || (stage === 'closed' && this.overdue) },
      { key: EscalatedKey, value: stage === 'overdue' },
      { key: NextDeadlineAtKey, value: stage === 'closed' ? null : new Date(this.dueAt) },
    ]);
    setCurrentDetails(this.options.details());
  }
}
