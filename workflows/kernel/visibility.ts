/**
 * What the Web UI and analysts see of a workflow: its search attributes and its current details,
 * kept up to date without anyone asking.
 *
 * Code marks the entity changed; the sync runs once, right after the synchronous stretch of code
 * that changed it (a handler, the continuation after an activity or a timer), so a handler that
 * changes stage, team and deadline writes one upsert, not three. Only attributes whose value
 * changed are sent: each upsert is an event in history and a billable action. Values given at
 * start (a journey starts its cases with theirs) count as sent.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';

export class Visibility {
  private sent?: Map<string, string>;
  private pending = false;

  constructor(
    private readonly attributes: () => SearchAttributeUpdatePair[],
    private readonly details: () => string,
  ) {}

  /** Schedules a sync after the current stretch of code (once, however many changes it makes). */
  changed(): void {
    if (this.pending) return;
    this.pending = true;
    void Promise.resolve().then(() => this.sync());
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
