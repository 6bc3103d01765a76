/**
 * `customerJourney`: one long-lived workflow per customer, from the first inquiry through needs,
 * proposal, quote approval, objections and follow-ups to the contract and handoff, then the
 * after-sales relationship (cases, revisits, renewal, referrals) until ops close it.
 *
 * Workflow id: `journey-<customerId>` (see journeyWorkflowId). The logic lives in
 * `internal/journey-model.ts`; this file is the wiring and the main loop.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { CaseResult } from './definitions/case';
import { durationMs } from './definitions/common';
import {
  caseClosedSignal,
  CloseJourney,
  closeJourneyUpdate,
  CUSTOMER_JOURNEY_WORKFLOW,
  CustomerResponded,
  customerRespondedSignal,
  DeliveryConfirmed,
  deliveryConfirmedSignal,
  getJourneyQuery,
  getJourneyTimelineQuery,
  InquiryAnswered,
  inquiryAnsweredSignal,
  JOURNEY_HANDLER_DESCRIPTIONS,
  JourneyInput,
  type JourneyResult,
  MarkLost,
  markLostUpdate,
  NewInquiry,
  newInquirySignal,
  quoteDecidedSignal,
  RecordNeeds,
  recordNeedsUpdate,
  RecordObjection,
  recordObjectionUpdate,
  registerInquiryUpdate,
  ReportIssue,
  reportIssueUpdate,
  SignContract,
  signContractUpdate,
  SubmitProposal,
  submitProposalUpdate,
  SubmitQuote,
  submitQuoteUpdate,
} from './definitions/journey';
import { QuoteDecision } from './definitions/quote';
import {
  counting,
  registerSignal as registerSignalOf,
  registerUpdate as registerUpdateOf,
} from './internal/handlers';
import { JourneyModel } from './internal/journey-model';
import {
  calendarProblems,
  formatInstant,
  invalidInput,
  msUntil,
  nowIso,
  parseWorkflowInput,
  whenNoHandlerRuns,
} from './internal/workflow-support';

/** Journeys started before this change completed without waiting for children that had reported. */
const AWAIT_REPORTED_CHILDREN = 'await-reported-children';
/**
 * Runs before this change could continue as new (or complete) with an update accepted in the
 * same activation still running: that update was then run again in the next run.
 */
const DRAIN_BEFORE_CLOSING = 'drain-handlers-before-closing';

export interface ArchivedJourneyOptions {
  /**
   * Asked each time the loop wakes; true hands the journey over to the current code: it continues
   * as new with its state, which the current code translates once (patch `archive-handover`).
   */
  handover?: () => boolean;
}

export async function customerJourney(
  input: JourneyInput,
  options: ArchivedJourneyOptions = {},
): Promise<JourneyResult> {
  const parsed = parseWorkflowInput(JourneyInput, input, CUSTOMER_JOURNEY_WORKFLOW);
  const firstRun = parsed.carried === undefined;
  // `carried` is written by the journey itself when it continues as new; a hand-set one would
  // replace the journey's state with whatever it holds.
  if (!firstRun && workflowInfo().continuedFromExecutionRunId === undefined) {
    throw invalidInput(CUSTOMER_JOURNEY_WORKFLOW, [
      'carried: is set by the journey when it continues as new; leave it out',
    ]);
  }
  const model = new JourneyModel(parsed, workflowInfo().workflowId, nowIso());
  if (firstRun) {
    const { calendar, quote } = model.policy;
    const unworkable = calendarProblems(
      calendar,
      'policy.calendar',
      [
        { field: 'policy.quote.approverWindow', ms: durationMs(quote.approverWindow) },
        { field: 'policy.quote.deputyWindow', ms: durationMs(quote.deputyWindow) },
      ],
      nowIso(),
    );
    if (unworkable.length > 0) throw invalidInput(CUSTOMER_JOURNEY_WORKFLOW, unworkable);
  }
  // The inquiry is on record before any handler runs, so an update delivered with the start
  // (update-with-start) finds it.
  if (firstRun) model.open();
  else model.resumed();

  const describe = JOURNEY_HANDLER_DESCRIPTIONS;
  // Patched before any handler exists: the handlers of this run count themselves (see below).
  const drainFirst = patched(DRAIN_BEFORE_CLOSING);
  const registerSignal = drainFirst ? counting(model, registerSignalOf) : registerSignalOf;
  const registerUpdate = drainFirst ? counting(model, registerUpdateOf) : registerUpdateOf;
  const rejected = (signal: string, problems: string[]) => {
    model.rejectSignal(signal, problems);
    model.syncVisibility();
  };
  registerSignal(newInquirySignal, NewInquiry, describe.newInquiry, rejected, async (m) => {
    if (model.ended) return rejected('newInquiry', [`the journey is ${model.state.stage}`]);
    await model.registerInquiry(m);
  });
  registerSignal(inquiryAnsweredSignal, InquiryAnswered, describe.inquiryAnswered, rejected, (m) =>
    model.onInquiryAnswered(m.agentId),
  );
  registerSignal(customerRespondedSignal, CustomerResponded, describe.customerResponded, rejected, (m) =>
    model.onCustomerResponded(m.note),
  );
  registerSignal(deliveryConfirmedSignal, DeliveryConfirmed, describe.deliveryConfirmed, rejected, () =>
    model.onDeliveryConfirmed(),
  );
  registerSignal(caseClosedSignal, CaseResult, describe.caseClosed, rejected, (m) => model.onCaseClosed(m));
  registerSignal(quoteDecidedSignal, QuoteDecision, describe.quoteDecided, rejected, (m) =>
    model.onQuoteDecided(m),
  );

  registerUpdate(
    registerInquiryUpdate,
    NewInquiry,
    describe.registerInquiry,
    () => model.validateInquiry(),
    (r) => model.registerInquiry(r),
  );
  registerUpdate(
    recordNeedsUpdate,
    RecordNeeds,
    describe.recordNeeds,
    () => model.validateNeeds(),
    (r) => model.recordNeeds(r),
  );
  registerUpdate(
    submitProposalUpdate,
    SubmitProposal,
    describe.submitProposal,
    () => model.validateProposal(),
    (r) => model.submitProposal(r),
  );
  registerUpdate(
    submitQuoteUpdate,
    SubmitQuote,
    describe.submitQuote,
    (r) => model.validateQuote(r),
    (r) => model.submitQuote(r),
  );
  registerUpdate(
    recordObjectionUpdate,
    RecordObjection,
    describe.recordObjection,
    () => model.validateObjection(),
    (r) => model.recordObjection(r),
  );
  registerUpdate(
    signContractUpdate,
    SignContract,
    describe.signContract,
    () => model.validateContract(),
    (r) => model.signContract(r),
  );
  registerUpdate(
    reportIssueUpdate,
    ReportIssue,
    describe.reportIssue,
    () => model.validateIssue(),
    (r) => model.reportIssue(r),
  );
  registerUpdate(
    markLostUpdate,
    MarkLost,
    describe.markLost,
    () => model.validateMarkLost(),
    (r) => model.markLost(r),
  );
  registerUpdate(
    closeJourneyUpdate,
    CloseJourney,
    describe.closeJourney,
    (r) => model.validateClose(r),
    (r) => model.close(r),
  );
  setHandler(getJourneyQuery, () => model.view(), { description: describe.getJourney });
  setHandler(
    getJourneyTimelineQuery,
    () => ({ entries: model.state.timeline, rejectedSignals: model.state.rejectedSignals }),
    { description: describe.getTimeline },
  );

  if (firstRun) await model.greet();

  // The main loop wakes when a handler finishes and decides about continue-as-new after the
  // whole activation, rather than in the middle of its jobs.
  while (!model.ended) {
    await model.runDueAgenda();
    if (model.ended) break;
    if (model.shouldContinueAsNew() || options.handover?.()) {
      // Handlers still running (an update starting a case…) finish in this run first.
      if (drainFirst) await whenNoHandlerRuns();
      else await condition(allHandlersFinished);
      await continueAsNew<typeof customerJourney>({ ...input, carried: model.carryOver() });
    }
    const next = model.nextAgendaItem();
    const version = model.agendaVersion;
    const handled = model.handlersFinished;
    const changed = drainFirst
      ? () => model.agendaVersion !== version || model.ended || model.handlersFinished !== handled
      : () => model.agendaVersion !== version || model.ended || model.shouldContinueAsNew();
    if (next) {
      await condition(changed, msUntil(next.dueAt), {
        summary: `${next.kind} at ${formatInstant(next.dueAt)}`,
      });
    } else {
      await condition(changed);
    }
  }
  if (patched(AWAIT_REPORTED_CHILDREN)) await condition(() => !model.childrenFinishing());
  if (drainFirst) await whenNoHandlerRuns();
  else await condition(allHandlersFinished);
  return model.result();
}
