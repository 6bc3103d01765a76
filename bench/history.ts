/**
 * Billable actions and size of workflow histories, counted the way Temporal Cloud bills them
 * (Temporal Cloud documentation, "Temporal Cloud Actions", docs.temporal.io/cloud/actions):
 *
 *   workflow start 1 · child workflow start 2 (in the parent; the child's own start is not billed
 *   again) · timer started 1 · signal 1 (where it is received) · update 1 (accepted; a rejected
 *   update writes no event, so the driver counts those) · search-attribute upsert 1, except one
 *   that writes only `TemporalChangeVersion` (a patch marker's, exempt) · activity attempt 1
 *   (`attempt` of ActivityTaskStarted: a retried activity records only its last start) ·
 *   continue-as-new 1. Search attributes given with a start are not billed. Queries are billed
 *   too, but they leave no event: the driver counts its own.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

export const ACTION_KINDS = [
  'workflowStart',
  'childWorkflowStart',
  'timer',
  'signal',
  'update',
  'searchAttributeUpsert',
  'activityAttempt',
  'continueAsNew',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export interface HistoryCount {
  events: number;
  /** Serialized size of the history (temporal.api.history.v1.History, protobuf). */
  bytes: number;
  actions: number;
  byKind: Record<ActionKind, number>;
  /** Billable event type → actions (ActivityTaskStarted counts attempts). */
  byEventType: Record<string, number>;
  /** Activity type → attempts. */
  byActivityType: Record<string, number>;
  activitiesScheduled: number;
  timersFired: number;
  timersCancelled: number;
  workflowTasks: number;
  /** Upserts written by a workflow task that had already written one (could have been merged). */
  upsertsSharingATask: number;
  /** Upserts in the first workflow task (values a starter could pass with the start instead). */
  upsertsInFirstTask: number;
  /**
   * Upserts left if the first task's values came with the start, each later task wrote at most
   * one upsert, and NextDeadlineAt were no longer indexed: one per later task that changes
   * anything else.
   */
  upsertsUnderProposal: number;
  /** Signals this workflow sent to others (billed where they are received). */
  signalsSent: number;
  /** Search attribute → upserts that wrote it. */
  upsertKeys: Record<string, number>;
}

export function emptyCount(): HistoryCount {
  return {
    events: 0,
    bytes: 0,
    actions: 0,
    byKind: Object.fromEntries(ACTION_KINDS.map((kind) => [kind, 0])) as Record<ActionKind, number>,
    byEventType: {},
    byActivityType: {},
    activitiesScheduled: 0,
    timersFired: 0,
    timersCancelled: 0,
    workflowTasks: 0,
    upsertsSharingATask: 0,
    upsertsInFirstTask: 0,
    upsertsUnderProposal: 0,
    signalsSent: 0,
    upsertKeys: {},
  };
}

/** `EVENT_TYPE_TIMER_STARTED` → `TimerStarted`. */
export function eventTypeName(type: number | null | undefined): string {
  const name = EventType[type ?? 0] ?? `EventType${type}`;
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __: string, letter: string) => letter.toUpperCase());
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'toNumber' in value) {
    return (value as { toNumber: () => number }).toNumber();
  }
  return Number(value ?? 0);
}

/** The serialized size of some events, as one History message. */
export function historyBytes(events: HistoryEvent[]): number {
  return temporal.api.history.v1.History.encode({ events }).finish().length;
}

/** Billable actions of one event and their kind, or none. */
function actionsOf(event: HistoryEvent): { kind: ActionKind; actions: number } | undefined {
  switch (event.eventType) {
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
      const attributes = event.workflowExecutionStartedEventAttributes;
      // A child's start is billed in its parent (2); a continued run's in the continue-as-new.
      if (attributes?.parentWorkflowExecution || attributes?.continuedExecutionRunId) return undefined;
      return { kind: 'workflowStart', actions: 1 };
    }
    case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
      return { kind: 'childWorkflowStart', actions: 2 };
    case EventType.EVENT_TYPE_TIMER_STARTED:
      return { kind: 'timer', actions: 1 };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      return { kind: 'signal', actions: 1 };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
      return { kind: 'update', actions: 1 };
    case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const keys = Object.keys(
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
      );
      // The versioning attribute a patch writes is exempt from billing.
      if (keys.length > 0 && keys.every((key) => key === 'TemporalChangeVersion')) return undefined;
      return { kind: 'searchAttributeUpsert', actions: 1 };
    }
    case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
      return {
        kind: 'activityAttempt',
        actions: Math.max(1, event.activityTaskStartedEventAttributes?.attempt ?? 1),
      };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return { kind: 'continueAsNew', actions: 1 };
    default:
      return undefined;
  }
}

/** Counts the billable actions, events and bytes of one history. */
export function countHistory(history: History): HistoryCount {
  const events = history.events ?? [];
  const count = emptyCount();
  count.events = events.length;
  count.bytes = historyBytes(events);
  const activityTypes = new Map<number, string>();
  const upsertsPerTask = new Map<number, { upserts: number; keys: Set<string> }>();
  let firstCompletedTask: number | undefined;
  for (const event of events) {
    const type = event.eventType;
    if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      count.activitiesScheduled += 1;
      activityTypes.set(
        toNumber(event.eventId),
        event.activityTaskScheduledEventAttributes?.activityType?.name ?? 'unknown',
      );
    } else if (type === EventType.EVENT_TYPE_TIMER_FIRED) {
      count.timersFired += 1;
    } else if (type === EventType.EVENT_TYPE_TIMER_CANCELED) {
      count.timersCancelled += 1;
    } else if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      count.workflowTasks += 1;
      firstCompletedTask ??= toNumber(event.eventId);
    } else if (type === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED) {
      count.signalsSent += 1;
    } else if (type === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES && actionsOf(event)) {
      const attributes = event.upsertWorkflowSearchAttributesEventAttributes;
      const task = toNumber(attributes?.workflowTaskCompletedEventId);
      const entry = upsertsPerTask.get(task) ?? { upserts: 0, keys: new Set<string>() };
      entry.upserts += 1;
      upsertsPerTask.set(task, entry);
      for (const key of Object.keys(attributes?.searchAttributes?.indexedFields ?? {})) {
        count.upsertKeys[key] = (count.upsertKeys[key] ?? 0) + 1;
        entry.keys.add(key);
      }
    }
    const billed = actionsOf(event);
    if (!billed) continue;
    count.actions += billed.actions;
    count.byKind[billed.kind] += billed.actions;
    const name = eventTypeName(type);
    count.byEventType[name] = (count.byEventType[name] ?? 0) + billed.actions;
    if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const scheduled = toNumber(event.activityTaskStartedEventAttributes?.scheduledEventId);
      const activity = activityTypes.get(scheduled) ?? 'unknown';
      count.byActivityType[activity] = (count.byActivityType[activity] ?? 0) + billed.actions;
    }
  }
  for (const [task, { upserts, keys }] of upsertsPerTask) {
    count.upsertsSharingATask += upserts - 1;
    if (task === firstCompletedTask) count.upsertsInFirstTask += upserts;
    else if ([...keys].some((key) => key !== 'NextDeadlineAt')) count.upsertsUnderProposal += 1;
  }
  return count;
}

/** Adds `more` into `into` (every field, maps by key). */
export function addCounts(into: HistoryCount, more: HistoryCount): HistoryCount {
  const sumMaps = (a: Record<string, number>, b: Record<string, number>) => {
    for (const [key, value] of Object.entries(b)) a[key] = (a[key] ?? 0) + value;
  };
  into.events += more.events;
  into.bytes += more.bytes;
  into.actions += more.actions;
  for (const kind of ACTION_KINDS) into.byKind[kind] += more.byKind[kind];
  sumMaps(into.byEventType, more.byEventType);
  sumMaps(into.byActivityType, more.byActivityType);
  into.activitiesScheduled += more.activitiesScheduled;
  into.timersFired += more.timersFired;
  into.timersCancelled += more.timersCancelled;
  into.workflowTasks += more.workflowTasks;
  into.upsertsSharingATask += more.upsertsSharingATask;
  into.upsertsInFirstTask += more.upsertsInFirstTask;
  into.upsertsUnderProposal += more.upsertsUnderProposal;
  into.signalsSent += more.signalsSent;
  sumMaps(into.upsertKeys, more.upsertKeys);
  return into;
}

/** Divides every figure by `n` (means over a sample), rounded to 2 decimals. */
export function scaleCount(count: HistoryCount, n: number): HistoryCount {
  const round = (value: number) => Math.round((value / n) * 100) / 100;
  const scaleMap = (map: Record<string, number>) =>
    Object.fromEntries(Object.entries(map).map(([key, value]) => [key, round(value)]));
  return {
    events: round(count.events),
    bytes: round(count.bytes),
    actions: round(count.actions),
    byKind: Object.fromEntries(ACTION_KINDS.map((kind) => [kind, round(count.byKind[kind])])) as Record<
      ActionKind,
      number
    >,
    byEventType: scaleMap(count.byEventType),
    byActivityType: scaleMap(count.byActivityType),
    activitiesScheduled: round(count.activitiesScheduled),
    timersFired: round(count.timersFired),
    timersCancelled: round(count.timersCancelled),
    workflowTasks: round(count.workflowTasks),
    upsertsSharingATask: round(count.upsertsSharingATask),
    upsertsInFirstTask: round(count.upsertsInFirstTask),
    upsertsUnderProposal: round(count.upsertsUnderProposal),
    signalsSent: round(count.signalsSent),
    upsertKeys: scaleMap(count.upsertKeys),
  };
}

/** The whole history of a workflow's latest run. */
export async function fetchHistory(client: Client, workflowId: string): Promise<History> {
  return await client.workflow.getHandle(workflowId).fetchHistory();
}

/** Events of one type in a history, with their index. */
export function eventsOfType(
  history: History,
  type: temporal.api.enums.v1.EventType,
): { index: number; event: HistoryEvent }[] {
  return (history.events ?? [])
    .map((event, index) => ({ index, event }))
    .filter(({ event }) => event.eventType === type);
}

export { EventType };
