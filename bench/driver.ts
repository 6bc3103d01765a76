/**
 * Drives workflows the way backends would: one happy-path journey from the inquiry to its
 * closing, one baseline run, the long-tail probes. Every update and signal the driver sends is
 * counted (a rejected update leaves no event), and so would be queries, which are billed without
 * an event; the driver sends none: it waits with DescribeWorkflowExecution, which is not billed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { customerJourney } from '../workflows';
import { resolveUpdate, submitFeedbackUpdate } from '../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  deliveryConfirmedSignal,
  journeyWorkflowId,
  reportIssueUpdate,
  signContractUpdate,
} from '../workflows/customer-journey/contract';
import type { JourneyPolicyOverrides } from '../workflows/customer-journey/policy';
import {
  BASELINE_WORKFLOW,
  baselineSignal,
  baselineUpdate,
  type BaselinePlan,
  type benchBaseline,
} from './baseline-workflow';
import { quoteApprovedByPolicy, throughProposal, type SendStep } from '../tests/helpers/journey-steps';

export const CUSTOMER_JOURNEY = 'customerJourney';

/** What the driver itself sent to one journey family (or baseline run). */
export interface Sent {
  /** Billed, and the driver sends none: it waits with (unbilled) describes instead. */
  queries: number;
  updates: number;
  rejectedUpdates: number;
  signals: number;
  describes: number;
}

export function noneSent(): Sent {
  return { queries: 0, updates: 0, rejectedUpdates: 0, signals: 0, describes: 0 };
}

export interface DrivenJourney {
  journeyId: string;
  /** None when the quote met the margin policy (approved inside the journey). */
  quoteWorkflowId?: string;
  caseWorkflowId: string;
  ms: number;
  sent: Sent;
}

export interface Driver {
  client: Client;
  taskQueue: string;
}

type JourneyHandle = WorkflowHandle<typeof customerJourney>;

async function update<R, Arg>(
  handle: WorkflowHandle,
  definition: UpdateDefinition<R, [Arg]>,
  sent: Sent,
  arg: Arg,
): Promise<R> {
  sent.updates += 1;
  try {
    return await handle.executeUpdate(definition, { args: [arg] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) sent.rejectedUpdates += 1;
    // The reason is in the cause; the results should say which update and why.
    const reason = (error as { cause?: { message?: string } }).cause?.message ?? String(error);
    throw new Error(`${handle.workflowId}: ${definition.name} failed: ${reason}`, { cause: error });
  }
}

/**
 * Waits until a workflow is idle: no workflow task and no activity pending (or it has closed).
 * People and systems answer a journey minutes or days apart, so each message finds the workflow
 * parked with its timers armed; a driver firing messages back to back would race the workflow's
 * own work and skip timers production always has. DescribeWorkflowExecution is not billed.
 */
export async function waitIdle(handle: WorkflowHandle, sent: Sent, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pause = 25;
  for (;;) {
    sent.describes += 1;
    const { raw, status } = await handle.describe();
    if (status.name !== 'RUNNING') return;
    if (!raw.pendingWorkflowTask && (raw.pendingActivities?.length ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} did not become idle`);
    await sleep(pause);
    pause = Math.min(200, pause * 2);
  }
}

/** Waits until the server has recorded a child's close in its parent (describes are not billed). */
async function waitNoPendingChild(
  handle: WorkflowHandle,
  childWorkflowId: string,
  sent: Sent,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    sent.describes += 1;
    const { raw } = await handle.describe();
    if (!(raw.pendingChildren ?? []).some((child) => child.workflowId === childWorkflowId)) return;
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} did not hear of ${childWorkflowId}`);
    await sleep(25);
  }
}

export function happyPathInput(customerId: string, policy: JourneyPolicyOverrides) {
  return {
    customerId,
    channel: 'email' as const,
    inquiry: 'Booking system for 40 clinics',
    owner: 'sales-7',
    contact: { name: 'Bench Customer', email: 'bench@example.com' },
    policy,
  };
}

/**
 * Inquiry → needs → proposal → quote (40 % margin: approved by policy inside the journey) →
 * negotiation → contract and handoff → delivery: the journey ends in after-sales.
 */
export async function driveToAfterSales(
  driver: Driver,
  customerId: string,
  policy: JourneyPolicyOverrides,
  sent: Sent,
): Promise<{ handle: JourneyHandle; quoteWorkflowId?: string }> {
  const handle = await driver.client.workflow.start<typeof customerJourney>(CUSTOMER_JOURNEY, {
    taskQueue: driver.taskQueue,
    workflowId: journeyWorkflowId(customerId),
    args: [happyPathInput(customerId, policy)],
  });
  await waitIdle(handle, sent);
  const send: SendStep = (_step, definition, arg) => update(handle, definition, sent, arg);
  await throughProposal(send);
  const quote = await quoteApprovedByPolicy(send);
  if (!quote.autoApproved) throw new Error(`${handle.workflowId}: the quote was not approved by policy`);
  // Approved by policy inside the journey: the update returns once the quote has gone out.
  await waitIdle(handle, sent);
  await update(handle, signContractUpdate, sent, {
    contractId: `K-${customerId}`,
    terms: { warrantyUntil: '2099-12-31' },
  });
  await waitIdle(handle, sent);
  sent.signals += 1;
  await handle.signal(deliveryConfirmedSignal, {});
  await waitIdle(handle, sent);
  return { handle, quoteWorkflowId: quote.approvalWorkflowId };
}

/**
 * One case of the journey: reported, triaged, resolved with advice, the survey answered satisfied
 * (a promoter) once it was sent, closed; returns when the journey has taken note.
 */
export async function driveCase(driver: Driver, handle: JourneyHandle, sent: Sent): Promise<string> {
  const { caseWorkflowId } = await update(handle, reportIssueUpdate, sent, {
    description: 'Booking page down',
    category: 'technical',
    severity: 'service-outage',
  });
  const caseHandle = driver.client.workflow.getHandle(caseWorkflowId);
  await waitIdle(caseHandle, sent);
  await update(caseHandle, resolveUpdate, sent, { type: 'advice', note: 'cache cleared' });
  // The customer answers the survey after it was sent (the revisit is scheduled by then).
  await waitIdle(caseHandle, sent);
  await update(caseHandle, submitFeedbackUpdate, sent, { csat: 5, nps: 9, resolved: true });
  // The journey hears of the close through the case's result: once the server has recorded the
  // child's completion in the journey (it leaves the pending children) and the journey is idle
  // again, the journey has taken note.
  await caseHandle.result();
  await waitNoPendingChild(handle, caseWorkflowId, sent);
  await waitIdle(handle, sent);
  return caseWorkflowId;
}

/** The whole happy path of one journey, closed at the end. */
export async function driveJourney(driver: Driver, customerId: string, policy: JourneyPolicyOverrides) {
  const started = performance.now();
  const sent = noneSent();
  const { handle, quoteWorkflowId } = await driveToAfterSales(driver, customerId, policy, sent);
  const caseWorkflowId = await driveCase(driver, handle, sent);
  await update(handle, closeJourneyUpdate, sent, { reason: 'bench finished' });
  await handle.result();
  return {
    journeyId: handle.workflowId,
    quoteWorkflowId,
    caseWorkflowId,
    ms: performance.now() - started,
    sent,
  } satisfies DrivenJourney;
}

/**
 * One baseline run: its updates one after another, the signals spread among them, each sent
 * when the run is idle, as the journey's messages are.
 */
export async function driveBaseline(driver: Driver, workflowId: string, plan: BaselinePlan) {
  const started = performance.now();
  const sent = noneSent();
  const handle = await driver.client.workflow.start<typeof benchBaseline>(BASELINE_WORKFLOW, {
    taskQueue: driver.taskQueue,
    workflowId,
    args: [plan],
  });
  let signals = 0;
  const signalUpTo = async (target: number) => {
    while (signals < Math.min(target, plan.signals)) {
      await waitIdle(handle, sent);
      sent.signals += 1;
      await handle.signal(baselineSignal, signals++);
    }
  };
  for (let i = 0; i < plan.updates; i++) {
    await waitIdle(handle, sent);
    await update(handle, baselineUpdate, sent, i);
    await signalUpTo(Math.floor(((i + 1) * plan.signals) / Math.max(1, plan.updates)));
  }
  await signalUpTo(plan.signals);
  await handle.result();
  return { workflowId, ms: performance.now() - started, sent };
}

/**
 * Runs `task` for 0…count-1 with at most `concurrency` at once. Failures are collected, not
 * thrown, so one stuck journey cannot hide the others' numbers.
 */
export async function runPool<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
  timeoutMs = 300_000,
): Promise<{ results: T[]; failures: string[]; elapsedMs: number }> {
  const results: T[] = [];
  const failures: string[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const index = next++;
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`item ${index} timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
        });
        results.push(await Promise.race([task(index), timeout]));
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { results, failures, elapsedMs: performance.now() - started };
}

/** Waits until a workflow has no pending workflow task or activity and its history stopped growing. */
export async function waitQuiet(client: Client, workflowId: string, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const { raw, historyLength } = await client.workflow.getHandle(workflowId).describe();
    const busy = (raw.pendingActivities?.length ?? 0) > 0 || Boolean(raw.pendingWorkflowTask);
    if (!busy && historyLength === last) return historyLength;
    if (Date.now() > deadline) throw new Error(`${workflowId} did not settle`);
    last = busy ? -1 : historyLength;
    await sleep(150);
  }
}
