/**
 * Runs `afterSalesCase` workflows for one test on the shared harness (helpers/harness.ts): ids of
 * the test's own (`<test>-case-N`) and a case closed by ops when the test leaves it open.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { afterSalesCase } from '../../workflows';
import {
  AFTER_SALES_CASE_WORKFLOW,
  carrierUpdateSignal,
  closeCaseUpdate,
  getCaseQuery,
  getCaseTimelineQuery,
  type AfterSalesCaseInput,
  type CaseView,
} from '../../workflows/after-sales-case/contract';
import { withWorker, type Harness, type HarnessOptions, type WorkflowKind } from './harness';

export { HOUR, MINUTE, resultsInTurn } from './harness';

export type CaseHandle = WorkflowHandle<typeof afterSalesCase>;

export interface CaseHarness extends Omit<Harness<typeof afterSalesCase, CaseView>, 'start'> {
  start: (input: AfterSalesCaseInput, id?: string) => Promise<CaseHandle>;
}

/**
 * A case does not close while its carrier claim is open (rule AS-7): the carrier settles it
 * first, as it would in the end.
 */
export async function settleCarrierClaim(handle: WorkflowHandle): Promise<void> {
  const view = await handle.query(getCaseQuery).catch(() => undefined);
  const state = view?.carrierClaim?.state;
  if (state !== undefined && state !== 'settled' && state !== 'rejected') {
    await handle.signal(carrierUpdateSignal, { status: 'settled', note: 'test finished' });
  }
}

/** Closes an open case the way ops would; a case already closing refuses, which is fine. */
export async function closeCase(handle: WorkflowHandle): Promise<void> {
  await settleCarrierClaim(handle).catch(() => undefined);
  await handle
    .executeUpdate(closeCaseUpdate, { args: [{ reason: 'other', note: 'test finished' }] })
    .catch(() => undefined);
}

const CASE: WorkflowKind<typeof afterSalesCase, CaseView> = {
  workflowType: AFTER_SALES_CASE_WORKFLOW,
  view: getCaseQuery,
  timeline: getCaseTimelineQuery,
  close: (_env, handle) => closeCase(handle),
};

/** Runs `body` with a worker polling a task queue of this test's own. */
export async function withCaseWorker(
  env: TestWorkflowEnvironment,
  body: (harness: CaseHarness) => Promise<void>,
  options: HarnessOptions = {},
): Promise<void> {
  await withWorker(env, CASE, options, async (harness) => {
    let count = 0;
    await body({
      ...harness,
      start: (input, id) => harness.start(input, id ?? harness.workflowId(`case-${++count}`)),
    });
  });
}

/** The clock of one window in a view (the latest one, windows repeat after a reopen). */
export function clockOf(view: CaseView, window: CaseView['clocks'][number]['window']) {
  const clock = [...view.clocks].reverse().find((candidate) => candidate.window === window);
  if (!clock) throw new Error(`no ${window} clock in ${JSON.stringify(view.clocks.map((c) => c.window))}`);
  return clock;
}

/** A site-wide outage of a technical service: a P1 case. */
export const p1Outage: AfterSalesCaseInput = {
  customerId: 'C-1001',
  description: 'Site-wide outage of the booking service',
  category: 'technical',
  severity: 'service-outage',
  scope: 'many-customers',
};
