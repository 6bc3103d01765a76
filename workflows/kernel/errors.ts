import { ActivityFailure } from '@temporalio/common';

/**
 * Failure types: the `type` of every ApplicationFailure this package raises, so callers and
 * tests can tell them apart without parsing messages.
 */
export const FailureType = {
  /** A workflow input failed validation; the message lists every field problem. Not retried. */
  InvalidWorkflowInput: 'InvalidWorkflowInput',
  /** An external system refused a request for good (HTTP 4xx). Not retried; escalated to ops. */
  IntegrationRejected: 'IntegrationRejected',
  /**
   * An update reached a run that has decided to continue as new. Nothing happened; the same
   * update (same update id) sent again is answered by the next run. The client helpers do that.
   */
  ContinuingAsNew: 'ContinuingAsNew',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** A short reason for the timeline when an activity or a handler gave up. */
export function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}
