/**
 * How a case tells its journey it closed, on the dev server: through its result
 * while the journey run that started it is still running (no signal, so no billed action), by
 * signal once the journey has continued as new (the next run has no handle on it). Either way the
 * close takes effect once.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJourneyUpdate } from '../client';
import { closeCaseUpdate } from '../workflows/after-sales-case/contract';
import {
  deliveryConfirmedSignal,
  reportIssueUpdate,
  signContractUpdate,
  type JourneyInput,
} from '../workflows/customer-journey/contract';
import { toNegotiation, withJourneyWorker } from './helpers/journey-harness';
import { devServerEnvironment } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const inquiry: Omit<JourneyInput, 'customerId'> = {
  channel: 'email',
  inquiry: 'Booking system for 12 clinics',
  owner: 'sales-7',
};

/** Signals a history received and sent, by name. */
async function signalsOf(handle: WorkflowHandle, runId?: string) {
  const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  return {
    received: events.flatMap((event) => event.workflowExecutionSignaledEventAttributes?.signalName ?? []),
    sent: events.flatMap(
      (event) => event.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName ?? [],
    ),
    childrenCompleted: events.filter((event) => event.childWorkflowExecutionCompletedEventAttributes).length,
  };
}

describe('a case telling its journey it closed', () => {
  it('is heard through its result by the run that started it: no signal either way, the close taken once', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-CR-1', terms: {} }] });
      await handle.signal(deliveryConfirmedSignal, {});
      const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'Booking page down', category: 'technical', severity: 'service-outage' }],
      });
      const child = env.client.workflow.getHandle(caseWorkflowId);
      await child.executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] });
      const view = await waitFor(handle, (candidate) => candidate.cases[0]?.status === 'closed');
      expect(view.cases[0]?.outcome).toBe('closed-by-ops');

      const journey = await signalsOf(handle);
      expect(journey.received).not.toContain('caseClosed');
      expect(journey.childrenCompleted).toBe(1);
      expect((await signalsOf(child)).sent).toEqual([]);
      await expect
        .poll(
          () =>
            recorder.of('recordArchiveEvent').filter((call) => call.request.kind === 'case-closed').length,
        )
        .toBe(1);
    });
  });

  it('is told to signal when the journey continues as new with the case open, and the next run takes the close once', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder }) => {
      const handle = await start({ ...inquiry, policy: { continueAsNewAfterEvents: 20 } });
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, { args: [{ contractId: 'K-CR-2', terms: {} }] });
      await handle.signal(deliveryConfirmedSignal, {});
      await waitFor(handle, (view) => view.stage === 'after-sales');
      // The client helper: an update reaching a run that is continuing as new is sent again.
      const report = (n: number) =>
        executeJourneyUpdate(handle, reportIssueUpdate, {
          args: [{ description: `Issue ${n}`, category: 'technical', severity: 'cosmetic' }],
        });
      const { caseWorkflowId } = await report(1);
      const child = env.client.workflow.getHandle(caseWorkflowId);
      const startedBy = (await child.describe()).parentExecution?.runId ?? undefined;
      expect(startedBy).toBeDefined();
      // More reports wake the journey until the run that started the case continues as new.
      for (let n = 2; (await handle.describe()).runId === startedBy; n++) {
        expect(n, 'the journey did not continue as new').toBeLessThan(10);
        await report(n);
      }
      expect((await signalsOf(handle, startedBy)).sent).toContain('reportBySignal');

      await child.executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] });
      await waitFor(handle, (view) => view.cases[0]?.status === 'closed');
      const told = await signalsOf(child);
      expect(told.received).toContain('reportBySignal');
      expect(told.sent).toEqual(['caseClosed']);
      expect((await signalsOf(handle)).received).toContain('caseClosed');
      await expect
        .poll(
          () =>
            recorder.of('recordArchiveEvent').filter((call) => call.request.kind === 'case-closed').length,
        )
        .toBe(1);
    });
  });
});
