/**
 * Finishing a run without leaving a message behind: completing, or continuing as new.
 */
import { allHandlersFinished, condition, workflowInfo } from '@temporalio/workflow';

/**
 * Resolves once no signal or update handler is running, checked where it counts.
 *
 * `condition(allHandlersFinished)` is tested after each job of an activation, while the code
 * after it runs only once every job of that activation has been applied: an update delivered
 * later in the same activation has started its handler by then. Acting on the first answer
 * (continuing as new, completing) would leave that update accepted and never completed, its
 * effects carried into the next run and the update run again there. So the check is repeated
 * in the continuation, right before the caller acts. `alsoIdle` adds the workflow's own work
 * in flight (deadlines whose activities are running).
 */
export async function whenNoHandlerRuns(alsoIdle: () => boolean = () => true): Promise<void> {
  const idle = () => allHandlersFinished() && alsoIdle();
  do {
    await condition(idle);
  } while (!idle());
}

/** Whether this run's history is long enough to continue as new (a policy limit, or the server's hint). */
export function historyIsLong(limit: number | undefined): boolean {
  const info = workflowInfo();
  return limit !== undefined ? info.historyLength >= limit : info.continueAsNewSuggested;
}

/** How every deliberate failure of a handed-over run's task ends (tests tell them apart by it). */
export const REPLAYING_THE_RUN = 'replaying the run, which had decided to continue as new';

/** Thrown to make the worker drop a run that decided to continue as new and was sent more work. */
export class RefusedHandover extends Error {
  override readonly name = 'RefusedHandover';
  constructor(what: string) {
    super(`${what}: ${REPLAYING_THE_RUN}`);
  }
}

/**
 * Called in the step that decides to continue as new, right before `continueAsNew`.
 *
 * The decision takes the state the next run starts from, so this copy of the run must not act
 * on anything afterwards. Within the same workflow task, updates are refused by the message
 * table (the caller resends them to the next run) and a signal fails the task. The server can
 * also refuse the continue-as-new itself (messages arrived while it was decided) and hand the
 * run a new workflow task: the real server makes the worker replay the run from its history;
 * the time-skipping server hands the task to this same copy, which has already finished. A task
 * reaching it is failed on purpose, so the worker replays the run, messages included, and
 * decides again.
 */
export function handOver(): void {
  const decidedAt = workflowInfo().historyLength;
  void condition(() => workflowInfo().historyLength !== decidedAt).then(() => {
    throw new RefusedHandover('the continue-as-new was refused and another workflow task arrived');
  });
}
