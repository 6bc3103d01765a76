/**
 * What every workflow of the product is made of: a state with a stage and a timeline, stage
 * changes that follow the workflow's transition table, and side effects that never stop it.
 *
 * - `record` writes the timeline (the `getTimeline` query, the Web UI's last event).
 * - `moveTo` changes stage only along the workflow's table (stages.ts); anything else is a bug in
 *   the workflow and fails its task loudly rather than corrupt the record.
 * - `attempt` runs an activity; transient faults are retried by the activity's policy (for a
 *   day), what still fails, and any permanent refusal, lands in the timeline and ops are told:
 *   a journey or case must never die because a webhook is down.
 * - `notifyCustomer` and `notifyStaff` are the one shape of every message to people.
 * Every change marks the workflow's visibility for sync (visibility.ts).
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { Channel } from './contract';
import type { TimelineEntry } from './contract';
import { kernelActivities as activities, type CustomerTemplate, type NotifyStaffRequest } from './activities';
import { idempotencyKey } from './activity-calls';
import { failureMessage } from './errors';
import { nowIso } from './time';

/** Rejected signals kept in a timeline; beyond this only the count grows, so a flood cannot bloat state. */
const MAX_REJECTED_SIGNALS_IN_TIMELINE = 20;

export interface EntityState<Stage extends string> {
  stage: Stage;
  timeline: TimelineEntry[];
  rejectedSignals: number;
}

/** For each stage, the stages it may move to and why the table allows it. */
export type Transitions<Stage extends string> = Record<Stage, readonly Stage[]>;

export interface EntityOptions<Stage extends string> {
  transitions: Transitions<Stage>;
  /** The workflow id the entity's messages and tasks are about. */
  subjectId: string;
  /** Who the customer is and how to reach them (by opaque id; the messaging system knows the rest). */
  customer: () => { customerId: string; channel: Channel };
  /** Called on every change, so visibility syncs. */
  changed: () => void;
  /** Called when an activity failed for good (a case flags itself for a person's attention). */
  onIntegrationFailure?: () => void;
}

export class Entity<Stage extends string> {
  constructor(
    readonly state: EntityState<Stage>,
    private readonly options: EntityOptions<Stage>,
  ) {}

  get stage(): Stage {
    return this.state.stage;
  }

  get subjectId(): string {
    return this.options.subjectId;
  }

  record(type: string, summary: string, extra: Pick<TimelineEntry, 'window' | 'data'> = {}): void {
    this.state.timeline.push({ at: nowIso(), type, summary, ...extra });
    this.options.changed();
  }

  /** Marks the entity changed without a timeline entry (a value the UI shows moved). */
  touch(): void {
    this.options.changed();
  }

  can(stage: Stage): boolean {
    return this.options.transitions[this.state.stage].includes(stage);
  }

  /** Moves to `stage` along the transition table; staying where it is does nothing. */
  moveTo(stage: Stage, why: string): void {
    const from = this.state.stage;
    if (from === stage) return;
    if (!this.can(stage)) throw new Error(`no transition from ${from} to ${stage} in the stage table`);
    this.state.stage = stage;
    this.record('stage-changed', `${from} → ${stage}: ${why}`, { data: { from, to: stage } });
  }

  /** A malformed or out-of-place signal: counted, recorded while few, never thrown. */
  rejectSignal(signal: string, problems: readonly string[]): void {
    this.state.rejectedSignals += 1;
    if (this.state.rejectedSignals <= MAX_REJECTED_SIGNALS_IN_TIMELINE) {
      this.record('signal-rejected', `${signal} ignored: ${problems.join('; ')}`, {
        data: { signal, problems: [...problems] },
      });
    } else {
      this.touch();
    }
  }

  /**
   * Runs an activity without letting its failure stop the workflow.
   *
   * @returns its result, or `undefined` when it failed for good (recorded, ops told).
   */
  async attempt<T>(step: string, what: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      const message = failureMessage(error);
      const cause = error instanceof ActivityFailure ? error.cause : undefined;
      const permanent = cause instanceof ApplicationFailure && cause.nonRetryable;
      this.record('integration-failed', `${what} failed${permanent ? ' for good' : ''}: ${message}`, {
        data: { step, permanent },
      });
      this.options.onIntegrationFailure?.();
      // Tell ops, unless telling ops is what failed.
      if (!step.startsWith('ops/')) {
        await this.attempt(`ops/${step}`, 'escalating the failure to ops', () =>
          activities.notifyStaff.executeWithOptions({ summary: `ops: ${what} failed` }, [
            {
              idempotencyKey: idempotencyKey(`ops/${step}`),
              subjectId: this.options.subjectId,
              audience: 'ops',
              reason: `${what} failed: ${message}`,
            },
          ]),
        );
      }
      return undefined;
    }
  }

  /** A message to the customer, by template (its text lives in the messaging system). */
  notifyCustomer(
    step: string,
    template: CustomerTemplate,
    data?: Record<string, string | number | boolean>,
    channel?: Channel,
  ): Promise<{ messageId: string } | undefined> {
    const customer = this.options.customer();
    return this.attempt(step, `sending "${template}" to the customer`, () =>
      activities.notifyCustomer.executeWithOptions({ summary: `customer message: ${template}` }, [
        {
          idempotencyKey: idempotencyKey(step),
          customerId: customer.customerId,
          channel: channel ?? customer.channel,
          template,
          subjectId: this.options.subjectId,
          data,
        },
      ]),
    );
  }

  /** A message to staff: who (`audience`), why, and which window or team it is about. */
  notifyStaff(
    step: string,
    request: Omit<NotifyStaffRequest, 'idempotencyKey' | 'subjectId'>,
  ): Promise<{ notificationId: string } | undefined> {
    return this.attempt(step, `notifying ${request.audience}`, () =>
      activities.notifyStaff.executeWithOptions(
        { summary: `notify ${request.audience}: ${request.reason}` },
        [{ idempotencyKey: idempotencyKey(step), subjectId: this.options.subjectId, ...request }],
      ),
    );
  }
}
