/**
 * Versions of the workflow code that histories may have been written by.
 *
 * Executions started before the redesign have no marker for this patch: they keep running (and
 * replaying) the archived code they started with (archive/workflows-v1). New executions, and a
 * journey's next run after it continues as new, run the current code. Retire the archive with
 * `deprecatePatch` once no execution started before the redesign is left.
 */
import { patched } from '@temporalio/workflow';

export const REDESIGN = 'redesign-v2';

/**
 * The archive's way out: a journey still running the archived code continues as new into the
 * current code the next time its loop wakes (a message handled, a follow-up due), carrying its
 * state (translated once by `carriedState`), instead of waiting for the server's hint, which a
 * quiet journey might not get for years. Histories written before replay as they were.
 */
export const ARCHIVE_HANDOVER = 'archive-handover';

/**
 * What analysts see, made cheaper to write and to read: search attributes synced once per
 * workflow task, a journey's `NextDeadlineAt` indexing its next SLA due time only (not every
 * follow-up or revisit re-plan), and a closed case's report figures written into its memo, so the
 * report reads them from visibility pages instead of one history per case. Executions started
 * before keep syncing after each stretch of code and leave their memo empty.
 */
export const VISIBILITY_PER_TASK = 'visibility-per-task';

/**
 * Pre-sales reception to the letter: every inquiry opens its own first-response window (business
 * hours per channel by default, a warning to the owner before the breach), an automatic reply when
 * the desk is closed or busy, the inquiry's text kept, answers naming their inquiry. Journeys
 * started before run their first inquiry's window on calendar time and leave later ones untimed.
 */
export const RECEPTION_V3 = 'reception-v3';

/**
 * After-sales handling to the letter: a case escalated to management by hand gets management's
 * round (second handling, second revisit) before it can close unsatisfied. Executions started
 * before close at the first unhappy revisit.
 */
export const HANDLING_V3 = 'handling-v3';

/**
 * After-sales handling to the letter, second part: technical faults to senior engineers at every
 * priority (a routine one handed down by `handOver`), assisted replies for routine non-technical
 * questions only and awaiting a person's review, the functional-defect tier's windows, a recall
 * without batch or order asking for them, carrier claims followed through their states to
 * settlement (the case cannot close before). Executions started before keep the earlier routing
 * and windows.
 */
export const HANDLING_V4 = 'handling-v4';

/**
 * Promised terms for every case: a case started without the contract's terms (Web UI,
 * `startCase`, the ingress) looks them up (the customer's journey, else the customer archive)
 * before triage's messages, and its windows and warranty follow them. Executions started before
 * keep the default terms.
 */
export const TERMS_LOOKUP = 'case-terms-lookup';

/**
 * The pre-sales survey for lost prospects too: a journey lost before the contract stays open for
 * the survey (sent the policy's time after, answered within `answerWithin`) and then ends; it
 * indexes when it ended (`EndedAt`), since it closes later than it was lost. Executions started
 * before end the moment they are lost, without a survey.
 */
export const PRESALES_SURVEY_LOST = 'presales-survey-lost';

/**
 * A quote whose margin meets the policy is approved inside the journey: nothing is left to decide,
 * so no `quoteApproval` child is started (its start and its report back were three billable
 * actions and a workflow per quote). Quotes that need a manager still get their child. Executions
 * started before start a child for every quote.
 */
export const QUOTE_AUTO_APPROVAL_INLINE = 'quote-auto-approval-inline';

/**
 * A case draws its quality-review sample in the step that closes it, so the close and the draw
 * reach the index in one upsert (one billable action fewer per case). Executions started before
 * draw it in the next stretch of code, and write it in an upsert of its own.
 */
export const QA_DRAW_AT_CLOSE = 'qa-draw-at-close';

/**
 * The agenda keeps its armed timer when the earliest deadline moves later (a follow-up plan
 * restarted by a new stage, a window extended): the timer fires early once, finds nothing due and
 * arms for the new deadline. Cancelling and starting a timer on every re-plan cost a billable
 * action each time. Executions started before re-arm on every move.
 */
export const AGENDA_KEEP_EARLIER_TIMER = 'agenda-keep-earlier-timer';

/**
 * Delivery tracked: a contract's promised delivery date and its milestones run on the journey's
 * SLA clock (warned, late, searchable as `BreachedWindows`), `milestoneReached` moves them and tells
 * the customer. Contracts signed before are not tracked.
 */
export const DELIVERY_MILESTONES = 'delivery-milestones';

/**
 * The customer is graded A/B/C at the contract (its value by the policy's thresholds, or ops'
 * decision); the grade is indexed (`CustomerGrade`) and carried into every later case, where an A
 * grade is the faster lane. Contracts signed before leave the customer ungraded.
 */
export const CUSTOMER_GRADE = 'customer-grade';

/**
 * A journey keeps its pre-sales figures (inquiries and their first responses, the decision and its
 * reason, the survey) in its memo, where the analyst report reads them from visibility pages.
 * Executions started before write no memo and are not in the pre-sales report.
 */
export const PRESALES_REPORT_MEMO = 'presales-report-memo';

/**
 * A proposal is reviewed internally before the customer sees it: a window on the SLA clock for
 * the reviewer, approve (then sent to the customer with a progress message) or revise; the
 * customer's answer is its own message and can send it back. A quote needs the reviewed, sent
 * version. Proposals submitted before go straight on, as they did.
 */
export const PROPOSAL_REVIEW = 'proposal-review';

/**
 * A signed customer's archive is kept current: every later inquiry, case opened and case closed
 * (with the revisit's answer and the referral asked) is recorded in it as it happens. Executions
 * before recorded the archive once, at the signature.
 */
export const ARCHIVE_EVENTS = 'archive-events';

/**
 * The weekly QA report opens a root-cause analysis (a `rootCauseAnalysis` child, one open per
 * area) for every area it flags. Reports before only listed the areas.
 */
export const RCA_FROM_WEEKLY_REPORT = 'rca-from-weekly-report';

/**
 * The QA sample is drawn by the weekly report, not by each case: exactly 20 % (rounded up) of the
 * week's closed cases and a share of its answered inquiries, with a recorded seed, each reviewed
 * as a `qaReview` workflow. Cases closed since no longer draw their own; weekly reports before
 * took the cases' draws.
 */
export const QA_WEEKLY_DRAW = 'qa-weekly-draw';

/**
 * A case journals every change to its SLA clocks (started, paused, resumed, fulfilled, cancelled,
 * rebudgeted, with the policy entry each budget came from) and writes the journal, with the
 * policy it ran under, into its memo at the close, where the what-if replay reads it. Cases
 * started before keep no journal and are left out of a replay (it says how many).
 */
export const SLA_JOURNAL = 'sla-journal';

/**
 * Every pause of a case names what it waits on (the policy's list), its time is accounted per
 * reason, and a pause longer than the policy's cap lets the clocks run again and asks the team
 * lead, who may approve a longer one (`extendPause`). Cases started before pause without reason
 * or cap, as they did.
 */
export const PAUSE_REASONS = 'pause-reasons';

/**
 * A journey counts its cases closed with a breach in a rolling window; past the policy's threshold
 * the customer is at risk (flagged once, the owner told, `NeedsAttention = customer-at-risk`), and
 * an A-grade customer's next cases run on shortened windows; when the window passes the flag goes.
 * Journeys before count nothing; one that continues as new starts counting then.
 */
export const CUSTOMER_SLA_HEALTH = 'customer-sla-health';

/**
 * Every patch above that a journey or a case asks, settled: a run started on code that knows them
 * all asks this one where it starts and follows the settled patches without asking each, so its
 * history carries one marker (and one `TemporalChangeVersion` upsert, which the server indexes)
 * instead of one per patch — about 20 events and as many visibility writes fewer per journey with
 * its case. Runs started before ask each patch where they always did and replay as they were
 * (asked where a run starts, the answer is the history's: a run already under way replays its
 * first task without this marker). A patch added later is asked as usual: only the patches listed
 * in `SETTLED_PATCHES` are settled.
 */
export const PATCHES_SETTLED = 'patches-settled-1';

export const SETTLED_PATCHES: readonly string[] = [
  REDESIGN,
  VISIBILITY_PER_TASK,
  RECEPTION_V3,
  HANDLING_V3,
  HANDLING_V4,
  TERMS_LOOKUP,
  PRESALES_SURVEY_LOST,
  QUOTE_AUTO_APPROVAL_INLINE,
  QA_DRAW_AT_CLOSE,
  AGENDA_KEEP_EARLIER_TIMER,
  DELIVERY_MILESTONES,
  CUSTOMER_GRADE,
  PRESALES_REPORT_MEMO,
  PROPOSAL_REVIEW,
  ARCHIVE_EVENTS,
  QA_WEEKLY_DRAW,
  SLA_JOURNAL,
  PAUSE_REASONS,
  CUSTOMER_SLA_HEALTH,
];

/**
 * A resolution reaches the index once, when it ends: the answer, the customer told and the case
 * resolved were an upsert each (a billable action) in the workflow tasks between its activities.
 * While it runs (seconds; an integration that is down, its retries) the index shows the case as
 * it was. Resolutions before indexed each task's changes.
 */
export const RESOLUTION_INDEXED_ONCE = 'resolution-indexed-once';

/**
 * A journey hears of a case's close through the case's result when the run that started it is
 * still running (a child's completion is not a billed action; the case's signal was one). When
 * the journey continues as new it tells its open cases to signal the next run instead
 * (`reportBySignal`). Cases started before signal their close, as they did.
 */
export const CASE_REPORTS_BY_RESULT = 'case-reports-by-result';

/** Which patches a run follows: asked through this, a settled patch costs its run nothing. */
export interface CodeVersion {
  has(patch: string): boolean;
}

/** Asked once, where a journey or case run starts (before any other patch). */
export function codeVersionAtRunStart(): CodeVersion {
  const settled = patched(PATCHES_SETTLED);
  return { has: (patch) => (settled && SETTLED_PATCHES.includes(patch)) || patched(patch) };
}
