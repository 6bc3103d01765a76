/**
 * `customerJourney`: one long-lived workflow per customer. Read top to bottom: set up, then run.
 *
 * Setup: the input is checked (a wrong one fails at once, naming every field); a first run
 * records the first inquiry and opens its window, a continued run takes over the state its
 * predecessor carried; then every message of the table gets its handler. The deadlines (inquiry
 * windows, follow-ups, revisits, the renewal) run from the agenda on their own.
 * Run: the automatic reply when the desk is closed; then the journey waits until it ends, and
 * after each message or deadline looks whether its history is long enough to continue as new —
 * once nothing is in flight, so no accepted message is lost or run twice. A lost journey then
 * waits for its pre-sales survey's answer before it completes.
 */
import { continueAsNew, patched, workflowInfo, condition } from '@temporalio/workflow';
import { customerJourney as customerJourneyV1 } from '../../archive/workflows-v1/customer-journey';
import { durationMs } from '../kernel/contract';
import { handOver, historyIsLong, whenNoHandlerRuns } from '../kernel/continue-as-new';
import { assertWorkableCalendar, invalidInput, parseWorkflowInput } from '../kernel/input';
import { registerMessages } from '../kernel/messages';
import { nowIso } from '../kernel/time';
import {
  ARCHIVE_HANDOVER,
  CUSTOMER_SLA_HEALTH,
  PRESALES_REPORT_MEMO,
  RECEPTION_V3,
  REDESIGN,
  VISIBILITY_PER_TASK,
  codeVersionAtRunStart,
  type CodeVersion,
} from '../kernel/versions';
import {
  CUSTOMER_JOURNEY_WORKFLOW,
  JOURNEY_MESSAGES,
  JOURNEY_REPORT_MEMO,
  JourneyInput,
  type JourneyResult,
  type ParsedJourneyInput,
} from './contract';
import {
  DELIVERY,
  MILESTONE,
  onDeliveryStep,
  onMilestoneReached,
  validateDeliveryPlan,
  validateMilestone,
} from './delivery';
import { endJourney, validateClose } from './ending';
import { onCustomerResponded, planFollowUps, watchFollowUps } from './follow-up';
import { onDeliveryConfirmed, signContract, watchRenewal } from './handoff';
import { bindJourney, hasEnded, type Journey } from './model';
import { resolveJourneyPolicy, type JourneyPolicy } from './policy';
import {
  greet,
  onDeskBusy,
  onInquiryAnswered,
  onInquiryStep,
  receiveFirstInquiry,
  registerInquiry,
} from './reception';
import {
  awaitingPresalesSurvey,
  recordConsent,
  submitPresalesFeedback,
  updateContact,
  validatePresalesFeedback,
  watchPresalesSurvey,
} from './customer';
import {
  casesReportingByResult,
  childrenFinishing,
  handCaseReportsOver,
  onCaseClosed,
  reportIssue,
  watchRevisits,
} from './relationship';
import { watchSlaHealth } from './health';
import {
  onProposalFeedback,
  onReviewStep,
  REVIEW_WINDOW,
  reviewProposal,
  validateProposalFeedback,
  validateReview,
} from './proposal';
import { journeyReport } from './report';
import {
  onQuoteDecided,
  recordNeeds,
  recordObjection,
  proposeAndReview,
  submitQuote,
  validateProposal,
  validateQuote,
} from './sales';
import { carriedState, newJourneyState } from './state';
import { currentDetails, journeyResult, journeyView, searchAttributes } from './view';

/** Timeline entries a run carries to the next; older ones stay in the earlier run's history. */
const TIMELINE_CARRIED = 200;

export async function customerJourney(input: JourneyInput): Promise<JourneyResult> {
  // A wrong input fails before the version is chosen: its history stays the first task alone.
  const parsed = parseWorkflowInput(JourneyInput, input, CUSTOMER_JOURNEY_WORKFLOW);
  const continued = parsed.carried !== undefined;
  // `carried` is written by the journey itself when it continues as new; a hand-set one would
  // replace the journey's state with whatever it holds.
  if (continued && workflowInfo().continuedFromExecutionRunId === undefined) {
    throw invalidInput(CUSTOMER_JOURNEY_WORKFLOW, [
      'carried: is set by the journey when it continues as new; leave it out',
    ]);
  }
  const policy = resolveJourneyPolicy(parsed.policy);
  if (!continued) {
    assertWorkableCalendar(
      CUSTOMER_JOURNEY_WORKFLOW,
      policy.calendar,
      'policy.calendar',
      [
        { field: 'policy.quote.approverWindow', ms: durationMs(policy.quote.approverWindow) },
        { field: 'policy.quote.deputyWindow', ms: durationMs(policy.quote.deputyWindow) },
      ],
      nowIso(),
    );
  }
  const code = codeVersionAtRunStart();
  // Only executions started before the redesign get here; their input was written for it.
  if (!code.has(REDESIGN)) {
    return await customerJourneyV1(input as Parameters<typeof customerJourneyV1>[0], {
      handover: () => patched(ARCHIVE_HANDOVER),
    });
  }
  const j = setup(parsed, policy, code);
  return await run(j, input, continued);
}

function setup(parsed: ParsedJourneyInput, policy: JourneyPolicy, code: CodeVersion): Journey {
  const continued = parsed.carried !== undefined;
  const state = continued
    ? carriedState(parsed.carried)
    : newJourneyState(parsed, workflowInfo().workflowId, nowIso());
  const j = bindJourney(state, policy, code, {
    attributes: searchAttributes,
    details: currentDetails,
    onWindowStep: (journey, step) =>
      step.clock.window === DELIVERY || step.clock.window === MILESTONE
        ? onDeliveryStep(journey, step)
        : step.clock.window === REVIEW_WINDOW
          ? onReviewStep(journey, step)
          : onInquiryStep(journey, step),
  });
  if (code.has(VISIBILITY_PER_TASK)) {
    j.visibility.batchPerTask();
    j.indexSlaDeadlinesOnly = true;
  }
  j.receptionV3 = code.has(RECEPTION_V3);
  if (!state.slaHealth && code.has(CUSTOMER_SLA_HEALTH)) state.slaHealth = { breaches: [], flagged: 0 };
  watchSlaHealth(j);
  if (code.has(PRESALES_REPORT_MEMO)) j.visibility.reportInMemo(JOURNEY_REPORT_MEMO, () => journeyReport(j));
  watchFollowUps(j);
  watchRenewal(j);
  watchRevisits(j);
  watchPresalesSurvey(j);
  if (continued) {
    state.continuedAsNew += 1;
    j.entity.record(
      'continued-as-new',
      `run ${state.continuedAsNew + 1} of the journey (state carried over)`,
    );
    j.agenda.resume();
  } else {
    // The inquiry is on record before any handler runs, so an update delivered with the start
    // (update-with-start) finds it.
    receiveFirstInquiry(j, parsed);
  }
  registerMessages(
    JOURNEY_MESSAGES,
    {
      newInquiry: async (inquiry) => {
        await registerInquiry(j, inquiry);
      },
      inquiryAnswered: (message) => onInquiryAnswered(j, message),
      deskBusy: (message) => onDeskBusy(j, message.busy),
      customerResponded: (message) => onCustomerResponded(j, message.note),
      deliveryConfirmed: () => onDeliveryConfirmed(j),
      caseClosed: (result) => onCaseClosed(j, result),
      quoteDecided: (decision) => onQuoteDecided(j, decision),
      registerInquiry: { run: (inquiry) => registerInquiry(j, inquiry) },
      recordNeeds: { run: (needs) => recordNeeds(j, needs) },
      submitProposal: {
        validate: (proposal) => validateProposal(j, proposal),
        run: (proposal) => proposeAndReview(j, proposal),
      },
      reviewProposal: {
        validate: () => validateReview(j),
        run: (review) => reviewProposal(j, review),
      },
      proposalFeedback: {
        validate: () => validateProposalFeedback(j),
        run: (feedback) => onProposalFeedback(j, feedback),
      },
      submitQuote: { validate: (quote) => validateQuote(j, quote), run: (quote) => submitQuote(j, quote) },
      recordObjection: { run: (objection) => recordObjection(j, objection) },
      signContract: {
        validate: (contract) => validateDeliveryPlan(j, contract),
        run: (contract) => signContract(j, parsed, contract),
      },
      milestoneReached: {
        validate: (request) => validateMilestone(j, request),
        run: (request) => onMilestoneReached(j, request),
      },
      reportIssue: { run: (issue) => reportIssue(j, issue) },
      updateContact: { run: (request) => updateContact(j, request) },
      recordConsent: { run: (request) => recordConsent(j, request) },
      submitPresalesFeedback: {
        validate: () => validatePresalesFeedback(j),
        run: (answer) => submitPresalesFeedback(j, answer),
      },
      markLost: {
        run: (request) => {
          endJourney(j, 'lost', request.reason, request.note ?? `marked lost: ${request.reason}`);
          return journeyView(j);
        },
      },
      closeJourney: {
        validate: (request) => validateClose(j, request),
        run: (request) => {
          endJourney(j, 'closed', undefined, request.reason);
          return journeyView(j);
        },
      },
      getJourney: () => journeyView(j),
      getTimeline: () => ({ entries: j.s.timeline, rejectedSignals: j.s.rejectedSignals }),
    },
    {
      stage: () => j.s.stage,
      rejectSignal: (name, problems) => j.entity.rejectSignal(name, problems),
      answered: state.answeredUpdates,
      finished: () => {
        j.progress += 1;
      },
      closing: () => j.closing,
    },
  );
  return j;
}

async function run(j: Journey, input: JourneyInput, continued: boolean): Promise<JourneyResult> {
  if (!continued) await greet(j);
  while (!hasEnded(j)) {
    // Reception-v3: the follow-up plan follows the stage, whichever message or deadline moved it.
    if (j.receptionV3) planFollowUps(j);
    if (historyIsLong(j.policy.continueAsNewAfterEvents)) {
      // Handlers still running (an update starting a case…), closes heard through a result and
      // deadlines still carrying out their activities finish in this run first; then the cases
      // this run hears through their results (all started by now) are told to signal the next
      // run instead, and the run looks again (a message may have arrived meanwhile).
      for (;;) {
        await whenNoHandlerRuns(() => j.agenda.isIdle() && j.reportsInFlight === 0);
        if (casesReportingByResult(j).length === 0) break;
        await handCaseReportsOver(j);
      }
      if (!hasEnded(j)) {
        const carried = { ...j.s, timeline: j.s.timeline.slice(-TIMELINE_CARRIED) };
        // From this step on the next run's state is fixed: updates are refused and resent there.
        j.closing = true;
        handOver();
        j.visibility.flush();
        return await continueAsNew<typeof customerJourney>({ ...input, carried });
      }
    }
    const seen = j.progress;
    await condition(() => hasEnded(j) || j.progress !== seen);
  }
  // A lost prospect's journey stays open for the pre-sales survey's answer (or its window's end).
  if (j.surveyWhenLost) await condition(() => !awaitingPresalesSurvey(j));
  await condition(() => !childrenFinishing(j));
  await whenNoHandlerRuns(() => j.reportsInFlight === 0);
  j.visibility.flush();
  return journeyResult(j);
}
