/**
 * What the Web UI and analysts see of a workflow: its search attributes and its current details,
 * kept up to date without anyone asking.
 *
 * Code marks the entity changed; the sync runs once per workflow task (`batchPerTask`): after the
 * task's messages and the code they woke have run, so a task that changes stage, team, deadline
 * and score writes one upsert, not four. Only attributes whose value changed are sent: each
 * upsert is an event in history and a billable action. Values given at start (a journey starts
 * its cases with theirs, the client helpers start journeys with theirs) count as sent and are
 * not billed. Executions started before the batching sync after each synchronous stretch of code
 * instead (their histories replay that way).
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  condition,
  setCurrentDetails,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';

export class Visibility {
  private sent?: Map<string, string>;
  private pending = false;
  private perTask = false;
  private report?: { key: string; build: () => unknown; sent?: string };
  private held: () => boolean = () => false;

  constructor(
    private readonly attributes: () => SearchAttributeUpdatePair[],
    private readonly details: () => string,
  ) {}

  /**
   * From now on, syncs once per workflow task: a condition is checked only after the task's jobs
   * and the code they resumed have run, so the one sync sees all of their changes.
   */
  batchPerTask(): void {
    this.perTask = true;
    void (async () => {
      for (;;) {
        await condition(() => this.pending && !this.held());
        this.sync();
      }
    })();
  }

  /**
   * While `held()` is true the per-task sync waits: a step that runs activities between its
   * changes (a resolution: the answer, then the customer told, then resolved) reaches the index
   * once, when it ends, instead of once per workflow task. `flush()` does not wait.
   */
  holdWhile(held: () => boolean): void {
    this.held = held;
  }

  /** Marks a change; the sync follows (once per task, or after the current stretch of code). */
  changed(): void {
    if (this.pending) return;
    this.pending = true;
    if (!this.perTask) void Promise.resolve().then(() => this.sync());
  }

  /**
   * From now on, keeps the memo entry `key` equal to `build()`: figures an analyst's listing reads
   * with each execution (memo writes are not billed). Written in the sync, only when they changed.
   */
  reportInMemo(key: string, build: () => unknown): void {
    const carried = workflowInfo().memo?.[key];
    this.report = { key, build, sent: carried === undefined ? undefined : JSON.stringify(carried) };
    this.changed();
  }

  /** Syncs what changed now: before the workflow completes or continues as new. */
  flush(): void {
    if (this.pending) this.sync();
  }

  /** Upserts the attributes whose value changed and refreshes the current details. */
  sync(): void {
    this.pending = false;
    const pairs = this.attributes();
    const sent = (this.sent ??= this.givenAtStart(pairs));
    const changed = pairs.filter(({ key, value }) => {
      const encoded = JSON.stringify(value);
      if (sent.get(key.name) === encoded) return false;
      sent.set(key.name, encoded);
      return true;
    });
    if (changed.length > 0) upsertSearchAttributes(changed);
    if (this.report) {
      const value = this.report.build();
      const encoded = JSON.stringify(value);
      if (encoded !== this.report.sent) {
        this.report.sent = encoded;
        upsertMemo({ [this.report.key]: value });
      }
    }
    setCurrentDetails(this.details());
  }

  private givenAtStart(pairs: readonly SearchAttributeUpdatePair[]): Map<string, string> {
    const given = new Map<string, string>();
    for (const { key } of pairs) {
      const value = workflowInfo().typedSearchAttributes.get(key);
      if (value !== undefined) given.set(key.name, JSON.stringify(value));
    }
    return given;
  }
}
