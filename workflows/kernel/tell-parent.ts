/**
 * A child telling its journey something (a case closed, a quote decided), by workflow id only, so
 * the signal follows the journey into whichever run is current.
 *
 * A journey in the middle of a continue-as-new can briefly be unreachable (the time-skipping
 * server's continue-as-new is not atomic: the old run is closed before the new one exists), so a
 * failed delivery is retried with backoff instead of being written off at once. Only a journey
 * that stays unreachable through every attempt (it ended) leaves the news in the child's result.
 */
import { getExternalWorkflowHandle, patched, sleep } from '@temporalio/workflow';
import type { SignalDefinition } from '@temporalio/common';
import { failureMessage } from './errors';

/** Executions started before this marker wrote the news off at the first failed delivery. */
export const RETRY_PARENT_SIGNAL = 'retry-parent-signal';

/** First pause, and the cap, between deliveries; about 8 minutes of attempts in all. */
const FIRST_PAUSE_MS = 1_000;
const MAX_PAUSE_MS = 60_000;
const ATTEMPTS = 12;

export type Delivery = { delivered: true } | { delivered: false; reason: string };

export async function tellJourney<Payload>(
  journeyId: string,
  signal: SignalDefinition<[Payload]>,
  payload: Payload,
): Promise<Delivery> {
  let pause = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await getExternalWorkflowHandle(journeyId).signal(signal, payload);
      return { delivered: true };
    } catch (error) {
      // Asked only once a delivery failed: the marker (and its search-attribute upsert, a billed
      // action) stays out of every history where the first delivery succeeds.
      if (attempt >= ATTEMPTS || !patched(RETRY_PARENT_SIGNAL)) {
        return { delivered: false, reason: failureMessage(error) };
      }
    }
    await sleep(pause, { summary: `journey unreachable; telling it again (attempt ${attempt + 1})` });
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
  }
}
