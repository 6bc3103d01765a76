/**
 * `afterSalesCase`: one durable case per reported issue. Read top to bottom: set up, then run.
 *
 * Setup: the input is checked (a wrong one fails at once, naming every field); the case is
 * triaged and its windows start before any handler exists, so a message that arrives with the
 * start finds a ready case; then every message of the table gets its handler.
 * Run: triage's side effects, the resolution and revisit rounds until the case closes, what
 * follows the close, and — once no handler is running — the result.
 */
import { upsertMemo, workflowInfo } from '@temporalio/workflow';
import { afterSalesCase as afterSalesCaseV1 } from '../../archive/workflows-v1/after-sales-case';
import { whenNoHandlerRuns } from '../kernel/continue-as-new';
import { assertWorkableCalendar, businessWindows, parseWorkflowInput } from '../kernel/input';
import { registerMessages } from '../kernel/messages';
import { nowIso } from '../kernel/time';
import {
  HANDLING_V3,
  HANDLING_V4,
  PAUSE_REASONS,
  REDESIGN,
  SLA_JOURNAL,
  TERMS_LOOKUP,
  VISIBILITY_PER_TASK,
  codeVersionAtRunStart,
  type CodeVersion,
} from '../kernel/versions';
import { afterClose, tellJourneyOfClose } from './after-close';
import { completeComplaintStep, validateComplaintStep } from './complaint';
import {
  AFTER_SALES_CASE_WORKFLOW,
  AfterSalesCaseInput,
  CASE_MESSAGES,
  CASE_REPORT_MEMO,
  CASE_SLA_JOURNAL_MEMO,
  type CaseResult,
  type ParsedCaseInput,
} from './contract';
import {
  onAgentAssigned,
  handOver,
  onAgentResponded,
  onAwaitingCustomer,
  onCustomerReplied,
  reviewReply,
  validateHandOver,
  validateReviewReply,
} from './handling';
import { onCarrierUpdate } from './carrier-claim';
import { bindCase, newCaseState, type Case } from './model';
import { resolveCasePolicy } from './policy-overrides';
import { closeByOps, escalate, reclassify, validateClose, validateEscalate, validateReclassify } from './ops';
import { involveTeam, onCollaboratorAnswered, validateInvolveTeam } from './collaboration';
import { respondToOffer, validateRespondToOffer } from './offer';
import { onRepairCompleted, onVisitCompleted, resolve, validateResolve } from './resolution';
import { revisitUntilClosed, submitFeedback, validateFeedback, watchRevisits } from './revisit';
import { initialTermsSource, lookUpPromisedTerms } from './terms';
import { onProductDetails, openCase, runTriage } from './triage';
import { caseResult, caseView, currentDetails, searchAttributes, slaJournalOf } from './view';
import { onLadderStep } from './windows';
import { extendPause, validateExtendPause, watchPauses } from './pauses';

export async function afterSalesCase(input: AfterSalesCaseInput): Promise<CaseResult> {
  // A wrong input fails before the version is chosen: its history stays the first task alone.
  const parsed = parseWorkflowInput(AfterSalesCaseInput, input, AFTER_SALES_CASE_WORKFLOW);
  const policy = resolveCasePolicy(parsed.policy, parsed.promisedTerms, {
    grade: parsed.customerGrade,
    atRisk: parsed.slaAtRisk,
  });
  assertWorkableCalendar(
    AFTER_SALES_CASE_WORKFLOW,
    policy.calendar,
    parsed.promisedTerms?.businessCalendar ? 'promisedTerms.businessCalendar' : 'policy.calendar',
    businessWindows(policy, 'policy'),
    nowIso(),
  );
  // Only executions started before the redesign get here; their input was written for it.
  const code = codeVersionAtRunStart();
  if (!code.has(REDESIGN)) return await afterSalesCaseV1(input as Parameters<typeof afterSalesCaseV1>[0]);
  const opened = setup(parsed, code);
  await run(opened);
  return caseResult(opened.c);
}

interface Opened {
  c: Case;
  /** What triage still has to do for the category (carrier claim, recall). */
  procedures: ReturnType<typeof openCase>;
}

function setup(parsed: ParsedCaseInput, code: CodeVersion): Opened {
  const handlingV4 = code.has(HANDLING_V4);
  const state = newCaseState(parsed, workflowInfo().workflowId, nowIso(), { legacyRouting: !handlingV4 });
  const c = bindCase(state, code, {
    attributes: searchAttributes,
    details: currentDetails,
    onStep: onLadderStep,
  });
  const visibilityV3 = code.has(VISIBILITY_PER_TASK);
  if (visibilityV3) c.visibility.batchPerTask();
  c.visibility.holdWhile(() => c.resolving && c.indexResolutionOnce);
  c.reportInMemo = visibilityV3;
  c.handlingV3 = code.has(HANDLING_V3);
  c.handlingV4 = handlingV4;
  // Only a case without terms asks; its marker says the lookup is part of its history.
  c.termsLookup = handlingV4 && !parsed.promisedTerms && code.has(TERMS_LOOKUP);
  if (handlingV4) c.s.termsSource = initialTermsSource(parsed);
  if (code.has(PAUSE_REASONS)) c.s.pauses = [];
  watchPauses(c);
  if (code.has(SLA_JOURNAL)) {
    c.s.slaJournal = [];
    if (parsed.promisedTerms) c.s.appliedTerms = parsed.promisedTerms;
  }
  watchRevisits(c);
  const procedures = openCase(c);
  registerMessages(
    CASE_MESSAGES,
    {
      agentResponded: (message) => onAgentResponded(c, message),
      customerReplied: (message) => onCustomerReplied(c, message),
      awaitingCustomer: (message) => onAwaitingCustomer(c, message),
      carrierUpdate: (message) => onCarrierUpdate(c, message),
      agentAssigned: (message) => onAgentAssigned(c, message),
      reportBySignal: () => {
        c.s.reportBySignal = true;
        c.entity.record('journey-continued', 'the journey continued as new: its close is told by signal');
      },
      repairCompleted: (message) => onRepairCompleted(c, message),
      resolve: { validate: (request) => validateResolve(c, request), run: (request) => resolve(c, request) },
      extendPause: {
        validate: () => validateExtendPause(c),
        run: (request) => {
          extendPause(c, request);
          return caseView(c);
        },
      },
      respondToOffer: {
        validate: () => validateRespondToOffer(c),
        run: (answer) => respondToOffer(c, answer),
      },
      submitFeedback: { validate: () => validateFeedback(c), run: (feedback) => submitFeedback(c, feedback) },
      reclassify: {
        validate: (request) => validateReclassify(c, request),
        run: async (request) => {
          await reclassify(c, request);
          return caseView(c);
        },
      },
      escalate: {
        validate: (request) => validateEscalate(c, request),
        run: async (request) => {
          await escalate(c, request);
          return caseView(c);
        },
      },
      completeComplaintStep: {
        validate: (request) => validateComplaintStep(c, request),
        run: (request) => {
          completeComplaintStep(c, request);
          return caseView(c);
        },
      },
      closeCase: {
        validate: () => validateClose(c),
        run: (request) => {
          closeByOps(c, request);
          return caseView(c);
        },
      },
      productDetails: (details) => onProductDetails(c, details),
      visitCompleted: (message) => onVisitCompleted(c, message),
      collaboratorAnswered: (message) => onCollaboratorAnswered(c, message),
      involveTeam: {
        validate: (request) => validateInvolveTeam(c, request),
        run: async (request) => {
          await involveTeam(c, request);
          return caseView(c);
        },
      },
      handOver: {
        validate: (request) => validateHandOver(c, request),
        run: async (request) => {
          await handOver(c, request);
          return caseView(c);
        },
      },
      reviewReply: {
        validate: () => validateReviewReply(c),
        run: async (request) => {
          await reviewReply(c, request);
          return caseView(c);
        },
      },
      getCase: () => caseView(c),
      getTimeline: () => ({ entries: c.s.timeline, rejectedSignals: c.s.rejectedSignals }),
    },
    { stage: () => c.s.stage, rejectSignal: (name, problems) => c.entity.rejectSignal(name, problems) },
  );
  return { c, procedures };
}

async function run({ c, procedures }: Opened): Promise<void> {
  if (c.termsLookup) await lookUpPromisedTerms(c);
  await runTriage(c, procedures);
  await revisitUntilClosed(c);
  await afterClose(c);
  // Updates still carrying out activities finish before the case completes, and so do the
  // notifications of a deadline that fell due just before the close (since handling-v4: before,
  // such a notification could be abandoned unsent when the case completed first).
  await whenNoHandlerRuns(() => !c.handlingV4 || c.agenda.isIdle());
  c.visibility.flush();
  // The report figures, no personal data, where a visibility listing returns them (memo writes
  // are not billed); the report falls back to the result for cases closed before.
  if (c.reportInMemo) {
    upsertMemo({
      [CASE_REPORT_MEMO]: caseResult(c),
      // The journal for the what-if replay (since SLA_JOURNAL), no personal data either.
      ...(c.s.slaJournal ? { [CASE_SLA_JOURNAL_MEMO]: slaJournalOf(c) } : {}),
    });
  }
  if (c.s.input.reportBack === 'result') await tellJourneyOfClose(c);
}
