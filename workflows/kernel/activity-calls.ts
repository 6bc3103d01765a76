/**
 * The retry policy every activity proxy uses, and idempotency keys.
 *
 * Integrations retry with backoff for a day (a webhook target that is down for hours loses
 * nothing); a permanent refusal is not retried and lands in the timeline instead (entity.ts).
 */
import type { ActivityOptions } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';
import { FailureType } from './errors';

export const ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: [FailureType.IntegrationRejected],
  },
};

/** `<workflow id>/<step>`: the same step of the same workflow always sends the same key. */
export function idempotencyKey(step: string): string {
  return `${workflowInfo().workflowId}/${step}`;
}
