/**
 * Reading workflow histories in tests: event counts, what is in flight (timers, updates), and
 * the requests a workflow handed its activities, decoded with the product's codec.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
export const EventType = temporal.api.enums.v1.EventType;

/** Every event of a workflow's current run (or of `runId`). */
export async function historyOf(client: Client, workflowId: string, runId?: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return history.events ?? [];
}

/** Every run of a workflow id, oldest first, following its continue-as-new chain. */
export async function historiesOfEveryRun(
  client: Client,
  workflowId: string,
): Promise<{ runId: string; events: HistoryEvent[] }[]> {
  const first = await client.workflow.getHandle(workflowId).fetchHistory();
  const runs: { runId: string; events: HistoryEvent[] }[] = [];
  let runId: string | null | undefined =
    first.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
  while (runId) {
    const events = await historyOf(client, workflowId, runId);
    runs.push({ runId, events });
    runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return runs;
}

export function count(events: readonly HistoryEvent[], type: temporal.api.enums.v1.EventType): number {
  return events.filter((event) => event.eventType === type).length;
}

/** Timers started and neither fired nor cancelled. */
export function pendingTimers(events: readonly HistoryEvent[]): number {
  const open = new Set<string>();
  for (const event of events) {
    const started = event.timerStartedEventAttributes?.timerId;
    if (started) open.add(started);
    const fired = event.timerFiredEventAttributes?.timerId ?? event.timerCanceledEventAttributes?.timerId;
    if (fired) open.delete(fired);
  }
  return open.size;
}

/** When an event happened, in epoch milliseconds. */
export function eventTimeMs(event: HistoryEvent): number {
  const seconds = event.eventTime?.seconds ?? 0;
  return (
    Number(typeof seconds === 'number' ? seconds : seconds.toString()) * 1000 +
    (event.eventTime?.nanos ?? 0) / 1e6
  );
}

/** Timers that were running at `atMs`: started before it, fired or cancelled (if at all) after it. */
export function pendingTimersAt(events: readonly HistoryEvent[], atMs: number): number {
  const started = new Map<string, number>();
  const ended = new Map<string, number>();
  for (const event of events) {
    const start = event.timerStartedEventAttributes?.timerId;
    if (start) started.set(start, eventTimeMs(event));
    const end = event.timerFiredEventAttributes?.timerId ?? event.timerCanceledEventAttributes?.timerId;
    if (end) ended.set(end, eventTimeMs(event));
  }
  return [...started].filter(([id, at]) => at <= atMs && (ended.get(id) ?? Infinity) > atMs).length;
}

/** Update ids accepted by the workflow and not completed yet. */
export function acceptedUncompletedUpdates(events: readonly HistoryEvent[]): string[] {
  const open = new Set<string>();
  for (const event of events) {
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId;
    if (accepted) open.add(accepted);
    const completed = event.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId;
    if (completed) open.delete(completed);
  }
  return [...open];
}

export interface ScheduledActivity {
  activityType: string;
  request: Record<string, unknown>;
  completed: boolean;
}

/**
 * Every activity the workflow scheduled, with its request decoded (through `codec` when the
 * payloads are encrypted) and whether it completed successfully.
 */
export async function scheduledActivities(
  events: readonly HistoryEvent[],
  codec?: PayloadCodec,
): Promise<ScheduledActivity[]> {
  const completed = new Set<string>();
  for (const event of events) {
    const id = event.activityTaskCompletedEventAttributes?.scheduledEventId;
    if (id !== undefined && id !== null) completed.add(String(id));
  }
  const activities: ScheduledActivity[] = [];
  for (const event of events) {
    const attributes = event.activityTaskScheduledEventAttributes;
    if (!attributes) continue;
    let payloads = (attributes.input?.payloads ?? []) as Payload[];
    if (codec) payloads = await codec.decode(payloads);
    const request = payloads[0]
      ? defaultPayloadConverter.fromPayload<Record<string, unknown>>(payloads[0])
      : {};
    activities.push({
      activityType: attributes.activityType?.name ?? '',
      request,
      completed: completed.has(String(event.eventId)),
    });
  }
  return activities;
}

/**
 * WorkflowTaskFailed events with their causes (a non-determinism error, a throw in workflow
 * code…). A message the failure converter moved into `encodedAttributes` is read back when that
 * payload is plain JSON (not encrypted).
 */
export function workflowTaskFailures(events: readonly HistoryEvent[]): string[] {
  return events
    .filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    .map((event) => {
      const attributes = event.workflowTaskFailedEventAttributes;
      const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[attributes?.cause ?? 0] ?? 'unknown';
      return `${cause}: ${failureMessageOf(attributes?.failure)}`;
    });
}

function failureMessageOf(failure: temporal.api.failure.v1.IFailure | null | undefined): string {
  if (!failure) return '';
  const encoded = failure.encodedAttributes;
  const encoding = encoded?.metadata?.encoding ? Buffer.from(encoded.metadata.encoding).toString('utf8') : '';
  let message = failure.message ?? '';
  if (encoded && encoding === 'json/plain') {
    const attributes = defaultPayloadConverter.fromPayload<{ message?: string }>(encoded);
    if (attributes?.message) message = attributes.message;
  }
  // The cause says what the wrapper does not (an unhandled rejection names its error there).
  const cause = failureMessageOf(failure.cause);
  return cause ? `${message}: ${cause}` : message;
}
