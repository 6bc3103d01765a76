/**
 * Search attributes and timelines, shared by every workflow model.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { TimelineEntry } from '../definitions/case';
import { nowIso } from './workflow-support';

/**
 * Upserts only the search attributes whose value changed since the last call: each upsert is
 * an event in history and a billable action, and most state changes touch one attribute.
 */
export class SearchAttributeSync {
  private readonly last = new Map<string, string>();

  sync(pairs: readonly SearchAttributeUpdatePair[]): void {
    const changed = pairs.filter(({ key, value }) => {
      const encoded = JSON.stringify(value);
      if (this.last.get(key.name) === encoded) return false;
      this.last.set(key.name, encoded);
      return true;
    });
    if (changed.length > 0) upsertSearchAttributes(changed);
  }
}

/** Rejected signals kept in a timeline; beyond this only the count grows, so a flood cannot bloat state. */
const MAX_REJECTED_SIGNALS_IN_TIMELINE = 20;

export interface HasTimeline {
  timeline: TimelineEntry[];
  rejectedSignals: number;
}

export function appendEvent(
  holder: HasTimeline,
  type: string,
  summary: string,
  extra: Pick<TimelineEntry, 'window' | 'data'> = {},
): void {
  holder.timeline.push({ at: nowIso(), type, summary, ...extra });
}

/** A malformed or out-of-place signal: counted, recorded while few, never thrown. */
export function appendRejectedSignal(holder: HasTimeline, signal: string, problems: string[]): void {
  holder.rejectedSignals += 1;
  if (holder.rejectedSignals <= MAX_REJECTED_SIGNALS_IN_TIMELINE) {
    appendEvent(holder, 'signal-rejected', `${signal} ignored: ${problems.join('; ')}`, {
      data: { signal, problems },
    });
  }
}
