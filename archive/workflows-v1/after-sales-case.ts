/**
 * `afterSalesCase`: one durable case per reported issue.
 *
 * Triage sets priority and team; SLA clocks enforce every response window with timers and climb
 * the escalation ladder on their own; the case is resolved under the three guarantees, revisited
 * 48 hours later and reopened with the specialist team when the customer is not satisfied.
 * The logic lives in `internal/case-model.ts`; this file is the wiring.
 */
import { allHandlersFinished, condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  AfterSalesCaseInput,
  AgentAssigned,
  agentAssignedSignal,
  AgentResponded,
  agentRespondedSignal,
  AFTER_SALES_CASE_WORKFLOW,
  AwaitingCustomer,
  awaitingCustomerSignal,
  CarrierUpdate,
  carrierUpdateSignal,
  CASE_HANDLER_DESCRIPTIONS,
  CloseCase,
  closeCaseUpdate,
  CompleteComplaintStep,
  completeComplaintStepUpdate,
  CustomerReplied,
  customerRepliedSignal,
  Escalate,
  escalateUpdate,
  getCaseQuery,
  getTimelineQuery,
  Reclassify,
  reclassifyUpdate,
  RepairCompleted,
  repairCompletedSignal,
  Resolve,
  resolveUpdate,
  RespondToOffer,
  respondToOfferUpdate,
  SubmitFeedback,
  submitFeedbackUpdate,
  type CaseResult,
} from './definitions/case';
import { CaseModel } from './internal/case-model';
import { registerSignal, registerUpdate } from './internal/handlers';
import {
  businessWindows,
  calendarProblems,
  invalidInput,
  nowIso,
  parseWorkflowInput,
  whenNoHandlerRuns,
} from './internal/workflow-support';

/** Cases started before this change watched their clocks only once triage had finished. */
const WATCH_CLOCKS_DURING_TRIAGE = 'watch-clocks-during-triage';
/** Cases before this change could complete with an update accepted in the same activation still running. */
const DRAIN_BEFORE_CLOSING = 'drain-handlers-before-closing';

export async function afterSalesCase(input: AfterSalesCaseInput): Promise<CaseResult> {
  const parsed = parseWorkflowInput(AfterSalesCaseInput, input, AFTER_SALES_CASE_WORKFLOW);
  const model = new CaseModel(parsed, workflowInfo().workflowId, nowIso());
  const { policy } = model.state;
  const unworkable = calendarProblems(
    policy.calendar,
    parsed.promisedTerms?.businessCalendar ? 'promisedTerms.businessCalendar' : 'policy.calendar',
    businessWindows(policy, 'policy'),
    nowIso(),
  );
  if (unworkable.length > 0) throw invalidInput(AFTER_SALES_CASE_WORKFLOW, unworkable);
  // Triaged before any handler exists: a message delivered with the start finds a ready case.
  model.open();

  const describe = CASE_HANDLER_DESCRIPTIONS;
  const rejected = (signal: string, problems: string[]) => {
    model.rejectSignal(signal, problems);
    model.syncVisibility();
  };
  registerSignal(agentRespondedSignal, AgentResponded, describe.agentResponded, rejected, (m) =>
    model.onAgentResponded(m),
  );
  registerSignal(customerRepliedSignal, CustomerReplied, describe.customerReplied, rejected, (m) =>
    model.onCustomerReplied(m),
  );
  registerSignal(awaitingCustomerSignal, AwaitingCustomer, describe.awaitingCustomer, rejected, (m) =>
    model.onAwaitingCustomer(m),
  );
  registerSignal(carrierUpdateSignal, CarrierUpdate, describe.carrierUpdate, rejected, (m) =>
    model.onCarrierUpdate(m),
  );
  registerSignal(agentAssignedSignal, AgentAssigned, describe.agentAssigned, rejected, (m) =>
    model.onAgentAssigned(m),
  );
  registerSignal(repairCompletedSignal, RepairCompleted, describe.repairCompleted, rejected, (m) =>
    model.onRepairCompleted(m),
  );

  registerUpdate(
    resolveUpdate,
    Resolve,
    describe.resolve,
    (r) => model.validateResolve(r),
    (r) => model.resolve(r),
  );
  registerUpdate(
    submitFeedbackUpdate,
    SubmitFeedback,
    describe.submitFeedback,
    () => model.validateFeedback(),
    (r) => model.submitFeedback(r),
  );
  registerUpdate(
    reclassifyUpdate,
    Reclassify,
    describe.reclassify,
    (r) => model.validateReclassify(r),
    (r) => model.reclassify(r),
  );
  registerUpdate(
    escalateUpdate,
    Escalate,
    describe.escalate,
    (r) => model.validateEscalate(r),
    (r) => model.escalate(r),
  );
  registerUpdate(
    respondToOfferUpdate,
    RespondToOffer,
    describe.respondToOffer,
    () => model.validateRespondToOffer(),
    (r) => model.respondToOffer(r),
  );
  registerUpdate(
    completeComplaintStepUpdate,
    CompleteComplaintStep,
    describe.completeComplaintStep,
    (r) => model.validateComplaintStep(r),
    (r) => model.completeComplaintStep(r),
  );
  registerUpdate(
    closeCaseUpdate,
    CloseCase,
    describe.closeCase,
    () => model.validateClose(),
    (r) => model.closeByOps(r),
  );
  setHandler(getCaseQuery, () => model.view(), { description: describe.getCase });
  setHandler(
    getTimelineQuery,
    () => ({ entries: model.state.timeline, rejectedSignals: model.state.rejectedSignals }),
    { description: describe.getTimeline },
  );

  let watcher: Promise<void>;
  if (patched(WATCH_CLOCKS_DURING_TRIAGE)) {
    // Triage retries an unreachable system for up to a day; the windows' ladders must warn,
    // breach and escalate meanwhile.
    watcher = model.watchClocks();
    await model.triage();
  } else {
    await model.triage();
    watcher = model.watchClocks();
  }
  await model.runUntilClosed();
  await model.afterClose();
  await watcher;
  // Updates still carrying out activities finish before the case completes.
  if (patched(DRAIN_BEFORE_CLOSING)) await whenNoHandlerRuns();
  else await condition(allHandlersFinished);
  return model.result();
}
