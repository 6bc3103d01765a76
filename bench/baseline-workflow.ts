/**
 * `benchBaseline`: the floor the journey's throughput is compared with. It performs the same
 * number of activities and timers and receives the same number of updates and signals as one
 * happy-path journey family (journey + quote approval + case), with no logic: no validation, no
 * state beyond counters, no search attributes, no child workflows.
 *
 * The shape is deterministic, so every run writes the same events:
 *
 * - updates arrive one at a time (the driver waits for each result); the wait for each one is
 *   guarded by a timer that the update cancels, as an SLA window is cancelled by the answer;
 * - each update runs its share of the activities (the real `createTask` activity, into the
 *   outbox) side by side before it returns, each guarded by a timer, as the journey's handlers
 *   run the side effects of one step together;
 * - signals are only counted; the run ends once every update and signal has arrived;
 * - timers beyond those waits fire after 1 ms at the end.
 */
import {
  CancellationScope,
  condition,
  defineSignal,
  defineUpdate,
  isCancellation,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { kernelActivities as activities } from '../workflows/kernel/activities';

export const BASELINE_WORKFLOW = 'benchBaseline';

/** How much of each Temporal primitive one baseline run uses (taken from a measured journey). */
export interface BaselinePlan {
  updates: number;
  signals: number;
  activities: number;
  timers: number;
}

export interface BaselineResult extends BaselinePlan {
  firedTimers: number;
}

export const baselineUpdate = defineUpdate<number, [number]>('baselineUpdate');
export const baselineSignal = defineSignal<[number]>('baselineSignal');

/** Activities the update with this index runs: the plan's activities spread evenly. */
export function activitiesForUpdate(plan: BaselinePlan, index: number): number {
  if (plan.updates === 0) return 0;
  const upTo = (n: number) => Math.floor((n * plan.activities) / plan.updates);
  return upTo(index + 1) - upTo(index);
}

export async function benchBaseline(plan: BaselinePlan): Promise<BaselineResult> {
  let updates = 0;
  let signals = 0;
  let timersLeft = plan.timers;
  let activityCount = 0;

  /** Starts a timer that the caller cancels when what it guards has happened (none when used up). */
  const armTimer = (): CancellationScope | undefined => {
    if (timersLeft <= 0) return undefined;
    timersLeft -= 1;
    const scope = new CancellationScope();
    scope
      .run(() => sleep('1 day'))
      .catch((error: unknown) => {
        if (!isCancellation(error)) throw error;
      });
    return scope;
  };

  const runActivity = async () => {
    const guard = armTimer();
    const number = ++activityCount;
    await activities.createTask({
      idempotencyKey: `${workflowInfo().workflowId}/baseline/${number}`,
      subjectId: workflowInfo().workflowId,
      kind: 'follow-up',
      dueAt: new Date().toISOString(),
      summary: `baseline activity ${number}`,
    });
    guard?.cancel();
  };

  setHandler(baselineSignal, () => {
    signals += 1;
  });
  setHandler(baselineUpdate, async (index: number) => {
    await Promise.all(Array.from({ length: activitiesForUpdate(plan, index) }, runActivity));
    updates += 1;
    return updates;
  });

  for (let i = 0; i < plan.updates; i++) {
    const guard = armTimer();
    await condition(() => updates > i);
    guard?.cancel();
  }
  await condition(() => signals >= plan.signals);
  let firedTimers = 0;
  while (timersLeft > 0) {
    timersLeft -= 1;
    firedTimers += 1;
    await sleep(1);
  }
  return { ...plan, firedTimers };
}
