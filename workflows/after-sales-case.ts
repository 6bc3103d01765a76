/**
 * `afterSalesCase`: one durable case per reported issue.
 *
 * Triage sets priority and team; SLA clocks enforce every response window with timers and climb
 * the escalation ladder on their own; the case is resolved under the three guarantees, revisited
 * 48 hours later and reopened with the specialist team when the customer is not satisfied.
 * The logic lives in `internal/case-model.ts`; this file is the wiring.
 */
import {
  allHandlersFinished,
  condition,
  setHandler,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { z } from 'zod';
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
import { check, parseOrThrow } from './definitions/validation';
import { CaseModel } from './internal/case-model';
import { failureMessage, nowIso, parseWorkflowInput } from './internal/workflow-support';

export async function afterSalesCase(input: AfterSalesCaseInput): Promise<CaseResult> {
  const parsed = parseWorkflowInput(AfterSalesCaseInput, input, AFTER_SALES_CASE_WORKFLOW);
  const model = new CaseModel(parsed, workflowInfo().workflowId, nowIso());
  // Triaged before any handler exists: a message delivered with the start finds a ready case.
  model.open();
  const describe = (name: keyof typeof CASE_HANDLER_DESCRIPTIONS) => CASE_HANDLER_DESCRIPTIONS[name];

  /** A signal whose payload is checked first: a bad one is recorded and ignored, never thrown. */
  function onSignal<S extends z.ZodType>(
    definition: SignalDefinition<[z.input<S>]>,
    schema: S,
    handle: (message: z.output<S>) => void | Promise<void>,
  ): void {
    const name = definition.name as keyof typeof CASE_HANDLER_DESCRIPTIONS;
    setHandler(
      definition,
      async (raw: unknown) => {
        const checked = check(schema, raw);
        if (!checked.ok) {
          model.rejectSignal(name, checked.problems);
          model.syncVisibility();
          return;
        }
        try {
          await handle(checked.value);
        } catch (error) {
          model.rejectSignal(name, [failureMessage(error)]);
        }
      },
      { description: describe(name) },
    );
  }

  onSignal(agentRespondedSignal, AgentResponded, (message) => model.onAgentResponded(message));
  onSignal(customerRepliedSignal, CustomerReplied, (message) => model.onCustomerReplied(message));
  onSignal(awaitingCustomerSignal, AwaitingCustomer, (message) => model.onAwaitingCustomer(message));
  onSignal(carrierUpdateSignal, CarrierUpdate, (message) => model.onCarrierUpdate(message));
  onSignal(agentAssignedSignal, AgentAssigned, (message) => model.onAgentAssigned(message));
  onSignal(repairCompletedSignal, RepairCompleted, (message) => model.onRepairCompleted(message));

  // Updates: the validator parses the request and checks the case can take it; a rejection is
  // returned to the caller and leaves nothing in history.
  setHandler(resolveUpdate, (request) => model.resolve(Resolve.parse(request)), {
    validator: (request) => model.validateResolve(parseOrThrow(Resolve, request, 'resolve')),
    description: describe('resolve'),
  });
  setHandler(submitFeedbackUpdate, (request) => model.submitFeedback(SubmitFeedback.parse(request)), {
    validator: (request) => {
      parseOrThrow(SubmitFeedback, request, 'submitFeedback');
      model.validateFeedback();
    },
    description: describe('submitFeedback'),
  });
  setHandler(reclassifyUpdate, (request) => model.reclassify(Reclassify.parse(request)), {
    validator: (request) => model.validateReclassify(parseOrThrow(Reclassify, request, 'reclassify')),
    description: describe('reclassify'),
  });
  setHandler(escalateUpdate, (request) => model.escalate(Escalate.parse(request)), {
    validator: (request) => model.validateEscalate(parseOrThrow(Escalate, request, 'escalate')),
    description: describe('escalate'),
  });
  setHandler(respondToOfferUpdate, (request) => model.respondToOffer(RespondToOffer.parse(request)), {
    validator: (request) => {
      parseOrThrow(RespondToOffer, request, 'respondToOffer');
      model.validateRespondToOffer();
    },
    description: describe('respondToOffer'),
  });
  setHandler(
    completeComplaintStepUpdate,
    (request) => model.completeComplaintStep(CompleteComplaintStep.parse(request)),
    {
      validator: (request) =>
        model.validateComplaintStep(parseOrThrow(CompleteComplaintStep, request, 'completeComplaintStep')),
      description: describe('completeComplaintStep'),
    },
  );
  setHandler(closeCaseUpdate, (request) => model.closeByOps(CloseCase.parse(request)), {
    validator: (request) => {
      parseOrThrow(CloseCase, request, 'closeCase');
      model.validateClose();
    },
    description: describe('closeCase'),
  });
  setHandler(getCaseQuery, () => model.view(), { description: describe('getCase') });
  setHandler(
    getTimelineQuery,
    () => ({ entries: model.state.timeline, rejectedSignals: model.state.rejectedSignals }),
    { description: describe('getTimeline') },
  );

  await model.triage();
  const watcher = model.watchClocks();
  await model.runUntilClosed();
  await model.afterClose();
  await watcher;
  // Updates still carrying out activities finish before the case completes.
  await condition(allHandlersFinished);
  return model.result();
}
