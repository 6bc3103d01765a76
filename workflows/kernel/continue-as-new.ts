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
