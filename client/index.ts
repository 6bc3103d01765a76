/**
 * Typed client helpers for backend services that embed the Temporal SDK (CRM, ticketing,
 * telephony, survey tools). Every helper validates its input with the same zod schema the
 * workflow uses and throws a `ValidationError` naming each field problem before anything is sent.
 *
 * ```ts
 * import { connectClient, startOrReachJourney, reportIssue, sendFeedback } from 'customer-journey-workflows';
 *
 * const { client } = await connectClient();
 * const journey = await startOrReachJourney(client, { customerId: 'C-1001', channel: 'email', inquiry: 'Pricing for 50 seats' });
 * const { caseWorkflowId } = await reportIssue(client, 'C-1001', { description: 'Screen flickers', category: 'technical' });
 * await sendFeedback(client, caseWorkflowId, { csat: 5, nps: 9, resolved: true });
 * ```
 */
import { randomUUID } from 'node:crypto';
import {
  type Client,
  type WorkflowHandle,
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { afterSalesCase, customerJourney } from '../workflows';
import {
  AFTER_SALES_CASE_WORKFLOW,
  AfterSalesCaseInput,
  CASE_MESSAGES,
  type CaseView,
  getCaseQuery,
  SubmitFeedback,
  submitFeedbackUpdate,
  type FeedbackResult,
} from '../workflows/after-sales-case/contract';
import { priorityOf } from '../workflows/after-sales-case/policy';
import { resolveCasePolicy } from '../workflows/after-sales-case/policy-overrides';
import { CustomerId, DEFAULT_TASK_QUEUE } from '../workflows/kernel/contract';
import {
  CUSTOMER_JOURNEY_WORKFLOW,
  getJourneyQuery,
  type InquiryResult,
  JourneyInput,
  journeyWorkflowId,
  type JourneyView,
  NewInquiry,
  newInquirySignal,
  registerInquiryUpdate,
  ReportIssue,
  reportIssueUpdate,
  type IssueReported,
} from '../workflows/customer-journey/contract';
import { FailureType } from '../workflows/kernel/errors';
import { parseOrThrow } from '../workflows/kernel/validation';

export { ValidationError } from '../workflows/kernel/validation';
export { journeyWorkflowId } from '../workflows/customer-journey/contract';

export interface HelperOptions {
  /** Defaults to `customer-journey`. */
  taskQueue?: string;
  /**
   * For the helpers that send an update: its id. The same id sent twice (a retried webhook) is
   * one update; by default a new one per call.
   */
  updateId?: string;
}

/** How long a helper keeps resending an update that met a journey moving to its next run. */
const HANDOVER_RETRY_MS = 30_000;

/** Whether an update was refused only because the journey was continuing as new (nothing done). */
export function isContinuingAsNew(error: unknown): boolean {
  return (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === FailureType.ContinuingAsNew
  );
}

/**
 * Runs `send` with one update id until the journey answers: a journey that has decided to
 * continue as new refuses updates before accepting them (nothing happened), and the same update
 * id sent again reaches the next run, which answers it once, however often it was sent.
 */
async function acrossRuns<T>(
  send: (updateId: string) => Promise<T>,
  updateId: string = randomUUID(),
): Promise<T> {
  const deadline = Date.now() + HANDOVER_RETRY_MS;
  for (let pause = 25; ; pause = Math.min(pause * 2, 1_000)) {
    try {
      return await send(updateId);
    } catch (error) {
      if (!isContinuingAsNew(error) || Date.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/**
 * Executes an update on a journey (any update of `customerJourneyContract`), resending it with
 * the same update id while the journey moves to its next run. Pass `updateId` to make a retried
 * call of your own (a redelivered webhook, a restarted backend) the same update.
 */
export async function executeJourneyUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Ret, Args>,
  options: { args: Args; updateId?: string },
): Promise<Ret> {
  return await acrossRuns(
    (updateId) => handle.executeUpdate(update, { args: options.args, updateId }),
    options.updateId,
  );
}

/** What a backend learns when it delivers an inquiry. */
export interface JourneyReached extends InquiryResult {
  /** The run that took the inquiry (a lost journey's customer gets a new run). */
  runId: string;
}

/**
 * Starts the customer's journey, or reaches the one already running, with the inquiry
 * (update-with-start, `USE_EXISTING`): a second inquiry for the same customer never creates a
 * second journey, and the same `inquiryId` delivered twice is recorded once.
 */
export async function startOrReachJourney(
  client: Client,
  input: JourneyInput,
  options: HelperOptions = {},
): Promise<JourneyReached> {
  const withId = { ...input, inquiryId: input.inquiryId ?? randomUUID() };
  const parsed = parseOrThrow(JourneyInput, withId, 'journey input');
  const inquiry = parseOrThrow(
    NewInquiry,
    {
      inquiryId: parsed.inquiryId,
      channel: parsed.channel,
      summary: parsed.inquiry,
      specialRequests: parsed.specialRequests,
    },
    'inquiry',
  );
  // An operation is used once; a resend after a handover builds another with the same update id.
  const startOperation = () =>
    new WithStartWorkflowOperation<typeof customerJourney>(CUSTOMER_JOURNEY_WORKFLOW, {
      workflowId: journeyWorkflowId(parsed.customerId),
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [withId],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `Customer journey of ${parsed.customerId} (first contact via ${parsed.channel})`,
    });
  let start = startOperation();
  const result = await acrossRuns(async (updateId) => {
    start = startOperation();
    return await client.workflow.executeUpdateWithStart(registerInquiryUpdate, {
      args: [inquiry],
      startWorkflowOperation: start,
      updateId,
    });
  }, options.updateId);
  const { runId } = await (await start.workflowHandle()).describe();
  return { ...result, runId };
}

/**
 * Fire-and-forget variant for systems that cannot wait (telephony): signal-with-start with the
 * `newInquiry` signal.
 *
 * @returns the journey's workflow id.
 */
export async function notifyInquiry(
  client: Client,
  input: JourneyInput,
  options: HelperOptions = {},
): Promise<string> {
  const withId = { ...input, inquiryId: input.inquiryId ?? randomUUID() };
  const parsed = parseOrThrow(JourneyInput, withId, 'journey input');
  const handle = await client.workflow.signalWithStart<typeof customerJourney, [NewInquiry]>(
    CUSTOMER_JOURNEY_WORKFLOW,
    {
      workflowId: journeyWorkflowId(parsed.customerId),
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [withId],
      signal: newInquirySignal,
      signalArgs: [
        {
          inquiryId: parsed.inquiryId,
          channel: parsed.channel,
          summary: parsed.inquiry,
          specialRequests: parsed.specialRequests,
        },
      ],
      staticSummary: `Customer journey of ${parsed.customerId} (first contact via ${parsed.channel})`,
    },
  );
  return handle.workflowId;
}

/** Reports an after-sales issue on the customer's journey; the case inherits the contract's terms. */
export async function reportIssue(
  client: Client,
  customerId: string,
  issue: ReportIssue,
  options: Pick<HelperOptions, 'updateId'> = {},
): Promise<IssueReported> {
  const id = parseOrThrow(CustomerId, customerId, 'customerId');
  const parsed = parseOrThrow(ReportIssue, issue, 'issue');
  return await executeJourneyUpdate(client.workflow.getHandle(journeyWorkflowId(id)), reportIssueUpdate, {
    args: [parsed],
    updateId: options.updateId,
  });
}

/**
 * Starts a standalone case (a customer without a journey), with a summary ops read in the UI.
 *
 * @returns the case's workflow id: `case-<customerId>-<8 hex>`.
 */
export async function startCase(
  client: Client,
  input: AfterSalesCaseInput,
  options: HelperOptions = {},
): Promise<string> {
  const parsed = parseOrThrow(AfterSalesCaseInput, input, 'afterSalesCase input');
  const priority = priorityOf(
    resolveCasePolicy(parsed.policy, parsed.promisedTerms),
    parsed.severity,
    parsed.scope,
  );
  const handle = await client.workflow.start<typeof afterSalesCase>(AFTER_SALES_CASE_WORKFLOW, {
    workflowId: `case-${parsed.customerId}-${randomUUID().slice(0, 8)}`,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    args: [input],
    staticSummary: `${priority} ${parsed.category} / ${parsed.severity} case of ${parsed.customerId} via ${parsed.channel}`,
  });
  return handle.workflowId;
}

/** The customer's revisit answer for a case (survey tool, agent's call). */
export async function sendFeedback(
  client: Client,
  caseWorkflowId: string,
  feedback: SubmitFeedback,
): Promise<FeedbackResult> {
  const parsed = parseOrThrow(SubmitFeedback, feedback, 'feedback');
  return await client.workflow
    .getHandle(caseWorkflowId)
    .executeUpdate(submitFeedbackUpdate, { args: [parsed] });
}

type CaseMessages = typeof CASE_MESSAGES;
/** The signals of the case's message table (agentResponded, carrierUpdate…). */
export type CaseSignalName = {
  [K in keyof CaseMessages]: CaseMessages[K]['kind'] extends 'signal' ? K : never;
}[keyof CaseMessages];

/** Sends a case signal (agentResponded, carrierUpdate…) after checking its payload. */
export async function signalCase<N extends CaseSignalName>(
  client: Client,
  caseWorkflowId: string,
  signal: N,
  payload: z.input<CaseMessages[N]['schema']>,
): Promise<void> {
  const spec = CASE_MESSAGES[signal];
  const parsed: unknown = parseOrThrow(spec.schema, payload, signal);
  await client.workflow.getHandle(caseWorkflowId).signal(spec.name, parsed);
}

/** The case as ops see it: stage, priority, team, every SLA clock. */
export async function readCase(client: Client, caseWorkflowId: string): Promise<CaseView> {
  return await client.workflow.getHandle(caseWorkflowId).query(getCaseQuery);
}

/** The customer's journey: stage, needs, quotes, contract, cases. */
export async function readJourney(client: Client, customerId: string): Promise<JourneyView> {
  const id = parseOrThrow(CustomerId, customerId, 'customerId');
  return await client.workflow.getHandle(journeyWorkflowId(id)).query(getJourneyQuery);
}
