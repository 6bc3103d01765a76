/**
 * Running an activity without letting its failure stop the workflow.
 *
 * Transient faults are retried by the activity's retry policy (for a day); what still fails, and
 * any permanent refusal (HTTP 4xx, non-retryable), is recorded in the timeline and escalated to
 * ops, and the workflow carries on: a journey or case must never die because a webhook is down.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { appendEvent, type HasTimeline } from './visibility';
import { activities, failureMessage, idempotencyKey } from './workflow-support';

export async function attemptActivity<T>(
  holder: HasTimeline,
  subjectId: string,
  step: string,
  what: string,
  run: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    const message = failureMessage(error);
    const cause = error instanceof ActivityFailure ? error.cause : undefined;
    const permanent = cause instanceof ApplicationFailure && cause.nonRetryable;
    appendEvent(holder, 'integration-failed', `${what} failed${permanent ? ' for good' : ''}: ${message}`, {
      data: { step, permanent },
    });
    // Tell ops, unless telling ops is what failed.
    if (!step.startsWith('ops/')) {
      await attemptActivity(holder, subjectId, `ops/${step}`, 'escalating the failure to ops', () =>
        activities.notifyStaff.executeWithOptions({ summary: `ops: ${what} failed` }, [
          {
            idempotencyKey: idempotencyKey(`ops/${step}`),
            subjectId,
            audience: 'ops',
            reason: `${what} failed: ${message}`,
          },
        ]),
      );
    }
    return undefined;
  }
}
