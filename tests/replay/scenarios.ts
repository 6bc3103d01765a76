/**
 * The scenarios whose histories the replay suite keeps (`tests/histories/`): each drives real
 * workflows on a time-skipping server with deterministic inputs and fake activities, to the end
 * or to a well-defined point after which ops close them, so every recorded history is complete.
 *
 * `scripts/record-histories.ts` runs them and writes the histories; `tests/replay.test.ts` replays
 * the files with the current workflow code and checks that every scenario listed here has its
 * files. Nothing here depends on vitest: the context is the few things a scenario needs, which
 * the recorder builds on its own server (and a test could build from a TestWorkflowEnvironment).
 *
 * Inputs hold no personal data: customers are opaque `C-REPLAY-…` ids and the one contact is a
 * fake name at example.com.
 */
import assert from 'node:assert/strict';
import type {
  WorkflowClient,
  WorkflowHandle,
  WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { Activities } from '../../activities/types';
import { executeJourneyUpdate } from '../../client';
import type {
  afterSalesCase,
  customerJourney,
  monthlyIssueSummary,
  qaReview,
  quoteApproval,
  rootCauseAnalysis,
  weeklyQaReport,
} from '../../workflows';
import { submitQaReviewUpdate } from '../../workflows/qa-review/contract';
import { recordFindingsUpdate } from '../../workflows/root-cause-analysis/contract';
import {
  agentRespondedSignal,
  awaitingCustomerSignal,
  CASE_SLA_JOURNAL_MEMO,
  CaseSlaJournal,
  customerRepliedSignal,
  extendPauseUpdate,
  reclassifyUpdate,
  carrierUpdateSignal,
  closeCaseUpdate,
  completeComplaintStepUpdate,
  getCaseQuery,
  collaboratorAnsweredSignal,
  handOverUpdate,
  involveTeamUpdate,
  visitCompletedSignal,
  productDetailsSignal,
  reviewReplyUpdate,
  repairCompletedSignal,
  resolveUpdate,
  respondToOfferUpdate,
  submitFeedbackUpdate,
  type AfterSalesCaseInput,
  type CaseView,
} from '../../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  deliveryConfirmedSignal,
  deskBusySignal,
  recordConsentUpdate,
  submitPresalesFeedbackUpdate,
  updateContactUpdate,
  getJourneyQuery,
  inquiryAnsweredSignal,
  journeyWorkflowId,
  markLostUpdate,
  milestoneReachedUpdate,
  newInquirySignal,
  recordNeedsUpdate,
  registerInquiryUpdate,
  reportIssueUpdate,
  signContractUpdate,
  submitProposalUpdate,
  proposalFeedbackUpdate,
  reviewProposalUpdate,
  submitQuoteUpdate,
  type JourneyInput,
  type IssueReported,
  type QuoteStarted,
  type JourneyView,
  type SignContract,
} from '../../workflows/customer-journey/contract';
import { decideQuoteUpdate, getQuoteQuery, type QuoteView } from '../../workflows/quote-approval/contract';
import { recordedReplayPolicy } from '../../lib/what-if/engine';
import { replayJournal } from '../../lib/what-if/replay';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** What a scenario may use: a time-skipping client, its task queue and the server's clock. */
export interface ScenarioContext {
  /** A time-skipping workflow client: awaiting `result()` lets the server's clock run. */
  client: WorkflowClient;
  /** The task queue a worker with this scenario's activities polls. */
  taskQueue: string;
  /** Skips the server's clock forward (timers that fall due fire on the way). */
  sleep: (ms: number) => Promise<void>;
  /** The server's current time in ms. */
  now: () => Promise<number>;
}

/** The workflow a scenario started itself; its children are found in its history. */
export interface ScenarioRoot {
  workflowId: string;
  /** First run of the chain: later runs are followed through continue-as-new. */
  firstExecutionRunId: string;
}

export interface Scenario {
  /** File name stem in tests/histories/ (`<name>.json`, children `<name>.<child>.json`). */
  name: string;
  summary: string;
  run: (ctx: ScenarioContext) => Promise<ScenarioRoot>;
  /** Children it starts, by the last segment of their workflow id (`case-1`, `quote-1`). */
  children?: readonly string[];
  /** The root workflow continues as new at least once (`<name>.run-2.json` and later). */
  continuesAsNew?: boolean;
  /** Activities answered differently from the recorder's defaults. */
  activities?: Partial<Activities>;
}

// ---------------------------------------------------------------------------------------------
// Helpers

type CaseHandle = WorkflowHandle<typeof afterSalesCase>;
type JourneyHandle = WorkflowHandle<typeof customerJourney>;

/** Reads until `done` holds (signals take effect in the next workflow task). */
async function waitUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (done(value)) return value;
      last = value;
    } catch (error) {
      last = error; // e.g. a child whose first task has not run yet cannot answer queries
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; last: ${(last instanceof Error ? last.message : JSON.stringify(last)).slice(0, 500)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Skips to the next weekday 10:00 in Shanghai (the default business calendar), so every
 * scenario starts with the desk open whatever the day the recording runs.
 */
async function skipToWeekdayMorning(ctx: ScenarioContext): Promise<void> {
  const now = await ctx.now();
  const shanghai = (ms: number) => new Date(ms + 8 * HOUR);
  const at = new Date(now);
  at.setUTCMinutes(0, 0, 0);
  for (;;) {
    at.setTime(at.getTime() + HOUR);
    const local = shanghai(at.getTime());
    const weekday = local.getUTCDay() >= 1 && local.getUTCDay() <= 5;
    if (weekday && local.getUTCHours() === 10) break;
  }
  await ctx.sleep(at.getTime() - now);
}

function root(handle: { workflowId: string; firstExecutionRunId: string }): ScenarioRoot {
  return { workflowId: handle.workflowId, firstExecutionRunId: handle.firstExecutionRunId };
}

async function startCase(ctx: ScenarioContext, name: string, input: AfterSalesCaseInput) {
  await skipToWeekdayMorning(ctx);
  return await ctx.client.start<typeof afterSalesCase>('afterSalesCase', {
    taskQueue: ctx.taskQueue,
    workflowId: `replay-${name}`,
    args: [input],
  });
}

const caseView = (handle: CaseHandle) => handle.query(getCaseQuery);

async function waitForStage(handle: CaseHandle, stage: CaseView['stage']): Promise<CaseView> {
  return await waitUntil(
    () => caseView(handle),
    (view) => view.stage === stage,
    `case stage ${stage}`,
  );
}

/** Answers the revisit and checks how the case took it. */
async function feedback(
  handle: CaseHandle,
  answer: { csat: number; nps?: number; resolved: boolean },
  expected: 'closed' | 'reopened' | 'escalated-to-management',
): Promise<void> {
  const result = await handle.executeUpdate(submitFeedbackUpdate, { args: [answer] });
  assert.equal(result.outcome, expected, `feedback outcome of ${handle.workflowId}`);
}

async function expectOutcome(handle: CaseHandle, outcome: string): Promise<void> {
  const result = await handle.result();
  assert.equal(result.outcome, outcome, `outcome of ${handle.workflowId}`);
}

const p1Outage: AfterSalesCaseInput = {
  customerId: 'C-REPLAY-02',
  description: 'Site-wide outage of the booking service',
  category: 'technical',
  severity: 'service-outage',
  scope: 'many-customers',
};

// ---------------------------------------------------------------------------------------------
// After-sales cases

/** Advice given after the first reply; the revisit answer is satisfied (a promoter). */
export async function caseSatisfied(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-satisfied', {
    customerId: 'C-REPLAY-01',
    description: 'Cannot log in to the customer portal',
    category: 'technical',
    channel: 'email',
  });
  await handle.signal(agentRespondedSignal, { agentId: 'agent-1' });
  await waitForStage(handle, 'in-progress');
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'password reset link sent' }] });
  await ctx.sleep(20 * HOUR);
  await feedback(handle, { csat: 5, nps: 9, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** A P1 outage nobody answers for 2 h: the ladder, the breach and the escalation, then resolved. */
export async function caseP1Breach(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-p1-breach', p1Outage);
  await ctx.sleep(2 * HOUR + MINUTE);
  const breached = await caseView(handle);
  assert.equal(breached.priority, 'P1');
  assert.equal(breached.slaBreached, true, 'the first-reply window is breached');
  assert.equal(breached.escalationLevel, 'specialist-team');
  await handle.signal(agentRespondedSignal, { agentId: 'agent-2' });
  await waitForStage(handle, 'in-progress');
  await handle.executeUpdate(resolveUpdate, {
    args: [{ type: 'advice', note: 'booking cluster restarted, root cause fixed' }],
  });
  await feedback(handle, { csat: 4, nps: 7, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** Not satisfied: reopened with the specialist team, replaced, then satisfied. */
export async function caseReopen(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-reopen', {
    customerId: 'C-REPLAY-03',
    description: 'Wi-Fi drops every evening',
    category: 'technical',
  });
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'firmware update' }] });
  await feedback(handle, { csat: 2, resolved: false }, 'reopened');
  const reopened = await waitForStage(handle, 'in-progress');
  assert.equal(reopened.team, 'specialist-team');
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'replace' }] });
  await feedback(handle, { csat: 5, nps: 10, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** Unsatisfied again and again: two reopenings, then management, then closed unsatisfied. */
export async function caseManagement(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-management', {
    customerId: 'C-REPLAY-04',
    description: 'Device keeps failing after every fix',
    category: 'technical',
  });
  const outcomes = ['reopened', 'reopened', 'escalated-to-management', 'closed'] as const;
  for (const [round, outcome] of outcomes.entries()) {
    await waitForStage(handle, round === 0 ? 'awaiting-reply' : 'in-progress');
    await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: `attempt ${round + 1}` }] });
    await feedback(handle, { csat: 1, resolved: false }, outcome);
  }
  const result = await handle.result();
  assert.equal(result.outcome, 'closed-unsatisfied');
  assert.equal(result.team, 'management');
  return root(handle);
}

/** A serious complaint: management at once, the six steps, management's round, then closed. */
export async function caseSeriousComplaint(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-serious-complaint', {
    customerId: 'C-REPLAY-09',
    description: 'Rude staff and no refund',
    category: 'logistics',
    complaint: 'serious',
  });
  await waitForStage(handle, 'awaiting-reply');
  for (const step of ['listen', 'apologise', 'collect-facts', 'propose-solution', 'ask-opinion'] as const) {
    await handle.executeUpdate(completeComplaintStepUpdate, { args: [{ step, managerInvolved: true }] });
  }
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'apology and voucher' }] });
  await feedback(handle, { csat: 2, resolved: false }, 'escalated-to-management');
  await waitForStage(handle, 'in-progress');
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'manager called back' }] });
  await feedback(handle, { csat: 5, resolved: true }, 'closed');
  // A logistics case follows its carrier claim to settlement: the close waits for it.
  await waitUntil(
    () => caseView(handle),
    (view) => view.closeHeld !== undefined,
    'close held',
  );
  await handle.signal(carrierUpdateSignal, { status: 'settled' });
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/**
 * Every change a what-if replay reads from the journal: first reply, a pause while we wait on
 * the customer, the resumption, a reclassification that rebudgets, a resolution breached late,
 * the revisit; closed with the journal in the memo, which replays to the recorded outcome.
 */
export async function caseSlaJournal(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-sla-journal', {
    customerId: 'C-REPLAY-20',
    description: 'Printer jams on every second page',
    category: 'technical',
    channel: 'email',
    policy: {
      resolution: { P3: { hours: 30, basis: 'calendar' }, P2: { hours: 24, basis: 'calendar' } },
    },
  });
  await handle.signal(agentRespondedSignal, { agentId: 'agent-20' });
  await waitForStage(handle, 'in-progress');
  await handle.signal(awaitingCustomerSignal, { reason: 'waiting for photos of the jam' });
  await ctx.sleep(5 * HOUR);
  await handle.signal(customerRepliedSignal, { note: 'photos sent' });
  await handle.executeUpdate(reclassifyUpdate, {
    args: [{ scope: 'many-customers', reason: 'the whole office is affected' }],
  });
  await ctx.sleep(30 * HOUR);
  const late = await caseView(handle);
  assert.equal(late.slaBreached, true, 'the resolution window is breached');
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'new pickup roller' }] });
  await feedback(handle, { csat: 4, nps: 8, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  const result = await handle.result();
  const memo = (await handle.describe()).memo ?? {};
  const journal = CaseSlaJournal.parse(memo[CASE_SLA_JOURNAL_MEMO]);
  assert.deepEqual(
    journal.entries.map((entry) => `${entry.op} ${entry.window}`),
    [
      'start first-reply',
      'start resolution',
      'fulfil first-reply',
      'pause resolution',
      'resume resolution',
      'rebudget resolution',
      'fulfil resolution',
      'start revisit',
      'fulfil revisit',
    ],
  );
  const replayed = replayJournal(journal.entries, recordedReplayPolicy(journal), result.closedAt);
  assert.deepEqual(
    replayed.map((clock) => [clock.window, clock.state, clock.breached]),
    result.windows.map((window) => [window.window, window.state, window.breached]),
  );
  return root(handle);
}

/**
 * A pause on parts past a 2-hour cap (policy): the clocks run again and the lead is asked; the
 * lead approves one more hour; the customer answers; resolved, satisfied, paused time by reason.
 */
export async function casePauseCap(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-pause-cap', {
    customerId: 'C-REPLAY-21',
    description: 'Scanner feeder broken',
    category: 'technical',
    policy: { pauseCap: { hours: 2, basis: 'calendar' } },
  });
  await handle.signal(agentRespondedSignal, { agentId: 'agent-21' });
  await waitForStage(handle, 'in-progress');
  await handle.signal(awaitingCustomerSignal, { reason: 'feeder on order', pauseReason: 'parts' });
  await waitForStage(handle, 'awaiting-customer');
  await ctx.sleep(2 * HOUR + MINUTE);
  await handle.executeUpdate(extendPauseUpdate, { args: [{ hours: 1, approvedBy: 'lead-21' }] });
  await ctx.sleep(30 * MINUTE);
  await handle.signal(customerRepliedSignal, { note: 'feeder fitted' });
  await waitForStage(handle, 'in-progress');
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'feeder replaced' }] });
  await feedback(handle, { csat: 5, nps: 9, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  const result = await handle.result();
  assert.ok(
    Math.abs((result.pausedByReason?.parts ?? 0) - 2.5 * HOUR) < MINUTE,
    'two and a half hours on parts',
  );
  return root(handle);
}

/** Past the guarantee's month: refund refused, a free repair with parts at cost, repaired, satisfied. */
export async function caseGuaranteeRepair(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const bought = new Date((await ctx.now()) - 60 * DAY).toISOString().slice(0, 10);
  const handle = await startCase(ctx, 'case-guarantee-repair', {
    customerId: 'C-REPLAY-10',
    description: 'Blender stopped working',
    category: 'quality',
    product: { sku: 'BL-1', purchasedAt: bought },
  });
  await waitForStage(handle, 'awaiting-reply');
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'repair', mode: 'in-store' }] });
  await waitForStage(handle, 'repairing');
  await handle.signal(repairCompletedSignal, { outcome: 'repaired' });
  await waitForStage(handle, 'revisit');
  await feedback(handle, { csat: 4, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** A routine technical fault: senior engineers first, handed to support, answered, satisfied. */
export async function caseHandOver(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-hand-over', {
    customerId: 'C-REPLAY-11',
    description: 'App slow at login',
    category: 'technical',
  });
  await waitForStage(handle, 'awaiting-reply');
  await handle.executeUpdate(handOverUpdate, {
    args: [{ to: 'technical-support', reason: 'known cache setting', by: 'eng-3' }],
  });
  await handle.signal(agentRespondedSignal, { agentId: 'agent-5', kind: 'human' });
  await waitForStage(handle, 'in-progress');
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'clear the cache' }] });
  await feedback(handle, { csat: 5, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** An assisted reply to a routine question, corrected by a person, then resolved. */
export async function caseAssistedReview(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-assisted-review', {
    customerId: 'C-REPLAY-12',
    description: 'Opening hours?',
    category: 'other',
  });
  await waitForStage(handle, 'awaiting-reply');
  await handle.signal(agentRespondedSignal, { agentId: 'bot-1', kind: 'assisted' });
  await waitForStage(handle, 'in-progress');
  await handle.executeUpdate(reviewReplyUpdate, {
    args: [{ reviewer: 'agent-7', verdict: 'corrected', correction: 'We open at 9:00.' }],
  });
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'hours given' }] });
  await feedback(handle, { csat: 4, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** A delayed parcel: compensation offered, agreed with the carrier, the close held until settled. */
export async function caseCarrierSettlement(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-carrier-settlement', {
    customerId: 'C-REPLAY-13',
    description: 'Parcel three days late',
    category: 'logistics',
    shipmentProblem: 'delay',
    product: { orderId: 'O-REPLAY-13', carrier: 'SF' },
  });
  await waitForStage(handle, 'awaiting-reply');
  await handle.signal(carrierUpdateSignal, { status: 'carrier-answered', claimId: 'CL-R13' });
  await handle.signal(carrierUpdateSignal, { status: 'compensation-agreed' });
  await waitUntil(
    () => caseView(handle),
    (view) => view.carrierClaim?.state === 'compensation-agreed',
    'compensation agreed',
  );
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'voucher sent' }] });
  await feedback(handle, { csat: 5, resolved: true }, 'closed');
  await waitUntil(
    () => caseView(handle),
    (view) => view.closeHeld !== undefined,
    'close held',
  );
  await handle.signal(carrierUpdateSignal, { status: 'settled' });
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** A safety hazard without batch: the customer is asked, the recall opens, refunded, satisfied. */
export async function caseRecallDetails(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-recall-details', {
    customerId: 'C-REPLAY-14',
    description: 'Charger sparks',
    category: 'quality',
    severity: 'safety-hazard',
  });
  await waitForStage(handle, 'awaiting-reply');
  await handle.signal(productDetailsSignal, { batch: 'B-REPLAY-14' });
  await waitUntil(
    () => caseView(handle),
    (view) => view.clocks.some((clock) => clock.window === 'recall' && clock.state === 'fulfilled'),
    'recall opened',
  );
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'refund' }] });
  await feedback(handle, { csat: 5, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** A functional defect: decided and replaced within its windows, satisfied. */
export async function caseFunctionalDefect(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-functional-defect', {
    customerId: 'C-REPLAY-15',
    description: 'Motor stops under load',
    category: 'quality',
    severity: 'function-failure',
  });
  await waitForStage(handle, 'awaiting-reply');
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'replace' }] });
  await feedback(handle, { csat: 4, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** Started without terms: the archive's contract terms are applied, then resolved and satisfied. */
export async function caseTermsLookup(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-terms-lookup', {
    customerId: 'C-REPLAY-16',
    description: 'Printer jams',
    category: 'other',
  });
  await waitUntil(
    () => caseView(handle),
    (view) => view.termsSource === 'archive',
    'terms applied',
  );
  await waitForStage(handle, 'awaiting-reply');
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'clean the rollers' }] });
  await feedback(handle, { csat: 5, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** Supply chain brought in and answering, then on-site service at an appointment, satisfied. */
export async function caseCollaborationVisit(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-collaboration-visit', {
    customerId: 'C-REPLAY-17',
    description: 'Heating unit fails',
    category: 'technical',
    promisedTerms: { contractId: 'K-REPLAY-17' },
  });
  await waitForStage(handle, 'awaiting-reply');
  await handle.signal(agentRespondedSignal, { agentId: 'eng-4', kind: 'human' });
  await handle.executeUpdate(involveTeamUpdate, { args: [{ team: 'supply-chain', reason: 'spare part?' }] });
  await handle.signal(collaboratorAnsweredSignal, { team: 'supply-chain', note: 'in stock' });
  const appointmentAt = new Date((await ctx.now()) + 26 * 3_600_000).toISOString();
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'on-site-service', appointmentAt }] });
  await waitForStage(handle, 'on-site');
  await handle.signal(visitCompletedSignal, { outcome: 'done' });
  await waitForStage(handle, 'revisit');
  await feedback(handle, { csat: 5, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** Resolved, but the customer never answers: the revisit breaches, then closed without feedback. */
export async function caseNoFeedback(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-no-feedback', {
    customerId: 'C-REPLAY-05',
    description: 'Fan makes a noise',
  });
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'tighten the screws' }] });
  await ctx.sleep(48 * HOUR + MINUTE);
  assert.equal((await caseView(handle)).stage, 'revisit-overdue');
  await expectOutcome(handle, 'closed-no-feedback'); // the server skips the rest of the week
  return root(handle);
}

/** The replacement cannot ship: a refund is offered, accepted, and the customer is satisfied. */
export async function caseCompensation(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-compensation', {
    customerId: 'C-REPLAY-06',
    description: 'Dead on arrival',
    category: 'quality',
  });
  const offered = await handle.executeUpdate(resolveUpdate, {
    args: [{ type: 'replace', refundValue: { amount: 899, currency: 'CNY' } }],
  });
  assert.equal(offered.status, 'awaiting-customer-decision');
  const accepted = await handle.executeUpdate(respondToOfferUpdate, { args: [{ accepted: true }] });
  assert.equal(accepted.resolutionType, 'refund');
  await feedback(handle, { csat: 4, resolved: true }, 'closed');
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** A crushed parcel: carrier claim opened, a solution agreed within 24 h, replaced, satisfied, the claim settled. */
export async function caseLogistics(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-logistics', {
    customerId: 'C-REPLAY-07',
    description: 'Parcel arrived crushed',
    category: 'logistics',
    product: { orderId: 'O-REPLAY-7', carrier: 'SF' },
  });
  await handle.signal(agentRespondedSignal, { agentId: 'agent-7' });
  await waitForStage(handle, 'in-progress');
  await ctx.sleep(20 * HOUR);
  await handle.signal(carrierUpdateSignal, { status: 'solution-agreed', claimId: 'CLAIM-1' });
  await waitUntil(
    () => caseView(handle),
    (view) => view.clocks.some((clock) => clock.window === 'carrier-solution' && clock.state === 'fulfilled'),
    'the carrier window fulfilled',
  );
  await handle.executeUpdate(resolveUpdate, { args: [{ type: 'replace' }] });
  await feedback(handle, { csat: 4, resolved: true }, 'closed');
  // The claim follows its states to settlement: the close waits for it.
  await waitUntil(
    () => caseView(handle),
    (view) => view.closeHeld !== undefined,
    'close held',
  );
  await handle.signal(carrierUpdateSignal, { status: 'settled' });
  await expectOutcome(handle, 'closed-satisfied');
  return root(handle);
}

/** A wrong input fails the case at once, naming every field. */
export async function caseInvalidInput(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startCase(ctx, 'case-invalid-input', {
    customerId: 'C-REPLAY-08',
    description: '',
    severity: 'apocalyptic',
  } as unknown as AfterSalesCaseInput);
  const error: unknown = await handle.result().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof Error, 'the case fails');
  return root(handle);
}

// ---------------------------------------------------------------------------------------------
// Customer journeys

const journeyInput = (customerId: string, policy?: JourneyInput['policy']): JourneyInput => ({
  customerId,
  channel: 'email',
  inquiry: 'Needs a booking system for 40 clinics',
  inquiryId: `inq-${customerId}`,
  contact: { name: 'Test Contact', email: 'contact@example.com', company: 'Example Clinics' },
  specialRequests: ['on-premise data storage'],
  owner: 'sales-7',
  policy,
});

const contract: SignContract = {
  contractId: 'K-REPLAY-1',
  terms: {
    responseWindows: { P2: { firstReplyHours: 1, resolutionHours: 8 } },
    warrantyUntil: '2099-12-31',
    contractEnd: '2099-12-31',
  },
};

async function startJourney(
  ctx: ScenarioContext,
  input: JourneyInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof customerJourney>> {
  await skipToWeekdayMorning(ctx);
  return await ctx.client.start<typeof customerJourney>('customerJourney', {
    taskQueue: ctx.taskQueue,
    workflowId: journeyWorkflowId(input.customerId),
    args: [input],
  });
}

const journeyView = (handle: JourneyHandle) => handle.query(getJourneyQuery);

async function waitForJourney(
  handle: JourneyHandle,
  done: (view: JourneyView) => boolean,
  what: string,
): Promise<JourneyView> {
  return await waitUntil(() => journeyView(handle), done, what);
}

/** Inquiry answered, needs recorded, one alternative proposed, the quote submitted. */
async function toQuote(handle: JourneyHandle, price: number, cost: number): Promise<QuoteStarted> {
  await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7' });
  await waitForJourney(handle, (view) => view.stage === 'needs-analysis', 'needs analysis');
  await handle.executeUpdate(recordNeedsUpdate, {
    args: [
      {
        requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }],
        painPoints: [{ title: 'No-shows', impact: 5, urgency: 4, difficulty: 2 }],
      },
    ],
  });
  await handle.executeUpdate(submitProposalUpdate, {
    args: [{ alternatives: [{ id: 'A', title: 'Cloud plan' }] }],
  });
  await handle.executeUpdate(reviewProposalUpdate, {
    args: [{ decision: 'approve', reviewer: 'sales-lead' }],
  });
  return await handle.executeUpdate(submitQuoteUpdate, {
    args: [{ alternativeId: 'A', price, cost, currency: 'CNY' }],
  });
}

/** The quote's `quoteApproval` child, where a manager decides (a quote meeting the margin policy has none). */
function approvalOf(ctx: ScenarioContext, quote: QuoteStarted): WorkflowHandle<typeof quoteApproval> {
  assert.ok(quote.approvalWorkflowId, `quote ${quote.quoteId} has no approval workflow`);
  return ctx.client.getHandle<typeof quoteApproval>(quote.approvalWorkflowId);
}

/** Closes the journey the way ops do and checks its result. */
async function closeJourney(handle: JourneyHandle, reason: string): Promise<void> {
  await handle.executeUpdate(closeJourneyUpdate, { args: [{ reason }] });
  // By id alone: the latest run's result. Following the chain of runs from the first one can wait
  // forever on the time-skipping server when the journey continued as new many times.
  const result = await handle.client.getHandle<typeof customerJourney>(handle.workflowId).result();
  assert.equal(result.outcome, 'closed', `outcome of ${handle.workflowId}`);
}

/** An auto-approved quote, then silence: follow-ups at 2, 5 and 10 days, lost after 21 days. */
export async function journeyLost(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-LOST'));
  assert.equal((await toQuote(handle, 100_000, 60_000)).autoApproved, true);
  await waitForJourney(handle, (view) => view.stage === 'negotiation', 'the quote sent');
  const result = await handle.result(); // the server skips the 21 days
  assert.equal(result.outcome, 'lost');
  assert.equal(result.lostReason, 'no-response');
  return root(handle);
}

/**
 * Won: needs, proposal, a quote the manager approves, contract and handoff, delivery, an issue
 * whose case closes satisfied (a promoter, so a referral request), then ops close the journey.
 */
export async function journeyWon(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-WON'));
  const approval = approvalOf(ctx, await toQuote(handle, 100_000, 80_000)); // 20 %: the manager decides
  await waitUntil(
    () => approval.query(getQuoteQuery),
    (view: QuoteView) => view.status === 'pending-approver',
    'the quote waiting for the manager',
  );
  await ctx.sleep(HOUR);
  await approval.executeUpdate(decideQuoteUpdate, { args: [{ decision: 'approve', approverId: 'mgr-1' }] });
  assert.equal((await approval.result()).decidedBy, 'mgr-1');
  await waitForJourney(handle, (view) => view.stage === 'negotiation', 'the quote sent');

  await handle.executeUpdate(signContractUpdate, { args: [contract] });
  await handle.signal(deliveryConfirmedSignal, { note: 'installed in all clinics' });
  await waitForJourney(handle, (view) => view.stage === 'after-sales', 'after-sales');

  const reported = await handle.executeUpdate(reportIssueUpdate, {
    args: [
      { description: 'Booking page down for one clinic', category: 'technical', severity: 'service-outage' },
    ],
  });
  const child = ctx.client.getHandle<typeof afterSalesCase>(reported.caseWorkflowId);
  await waitForStage(child, 'awaiting-reply');
  await child.signal(agentRespondedSignal, { agentId: 'agent-3' });
  await waitForStage(child, 'in-progress');
  await child.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'clinic cache cleared' }] });
  await feedback(child, { csat: 5, nps: 9, resolved: true }, 'closed');
  await expectOutcome(child, 'closed-satisfied');
  const told = await waitForJourney(
    handle,
    (view) => view.cases[0]?.status === 'closed' && view.referralsRequested === 1,
    'the journey told of the closed case',
  );
  assert.equal(told.cases[0]?.outcome, 'closed-satisfied');
  await closeJourney(handle, 'contract fulfilled');
  return root(handle);
}

/**
 * A journey that continues as new after 60 events (an open case and 25 further inquiries carry
 * it over), still hears from its case afterwards, and is closed by ops.
 */
export async function journeyContinueAsNew(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-CAN', { continueAsNewAfterEvents: 60 }));
  await toQuote(handle, 100_000, 60_000);
  await waitForJourney(handle, (view) => view.stage === 'negotiation', 'the quote sent');
  await handle.executeUpdate(signContractUpdate, { args: [contract] });
  const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
    args: [{ description: 'Search is slow' }],
  });
  const child = ctx.client.getHandle<typeof afterSalesCase>(caseWorkflowId);
  await waitForStage(child, 'awaiting-reply');
  for (let i = 1; i <= 25; i++) {
    await handle.signal(newInquirySignal, {
      inquiryId: `inq-C-REPLAY-CAN-${i}`,
      channel: 'email',
      summary: `Follow-up question ${i}`,
    });
  }
  await waitForJourney(handle, (view) => view.continuedAsNew >= 1, 'a continue-as-new');
  await child.executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] });
  await expectOutcome(child, 'closed-by-ops');
  await waitForJourney(handle, (view) => view.cases[0]?.status === 'closed', 'the case closed');
  await closeJourney(handle, 'customer moved to another vendor');
  return root(handle);
}

/**
 * A journey at the lowest continue-as-new threshold under concurrent updates: three rounds of
 * two issue reports and an inquiry each, sent at once, while the journey continues as new every
 * few messages (updates that reach a run deciding to continue are refused and resent by the
 * client helper); then every case is closed by ops, each telling its journey, and ops close it.
 */
export async function journeyContinueAsNewUnderLoad(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-CAN-LOAD', { continueAsNewAfterEvents: 20 }));
  const send = <A extends [unknown, ...unknown[]], R>(
    update: Parameters<typeof executeJourneyUpdate<R, A>>[1],
    args: A,
    updateId: string,
  ) => executeJourneyUpdate(handle, update, { args, updateId });
  await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7' });
  await waitForJourney(handle, (view) => view.stage === 'needs-analysis', 'needs analysis');
  await send(
    recordNeedsUpdate,
    [{ requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }] }],
    'load-needs',
  );
  await send(submitProposalUpdate, [{ alternatives: [{ id: 'A', title: 'Cloud plan' }] }], 'load-proposal');
  await send(reviewProposalUpdate, [{ decision: 'approve', reviewer: 'sales-lead' }], 'load-review');
  await send(
    submitQuoteUpdate,
    [{ alternativeId: 'A', price: 100_000, cost: 60_000, currency: 'CNY' }],
    'load-quote',
  );
  await waitForJourney(handle, (view) => view.stage === 'negotiation', 'the quote sent');
  await send(signContractUpdate, [contract], 'load-contract');
  await handle.signal(deliveryConfirmedSignal, { note: 'installed' });
  await waitForJourney(handle, (view) => view.stage === 'after-sales', 'after-sales');
  const cases: string[] = [];
  for (let round = 1; round <= 3; round++) {
    const reports = [1, 2].map((n) =>
      send(
        reportIssueUpdate,
        [{ description: `Round ${round}, issue ${n}`, category: 'technical', severity: 'cosmetic' }],
        `load-r${round}-issue-${n}`,
      ),
    );
    const inquiry = send(
      registerInquiryUpdate,
      [{ inquiryId: `inq-C-REPLAY-CAN-LOAD-r${round}`, channel: 'phone', summary: 'Another site' }],
      `load-r${round}-inquiry`,
    );
    const [first, second] = await Promise.all([...reports, inquiry]);
    cases.push((first as IssueReported).caseWorkflowId, (second as IssueReported).caseWorkflowId);
  }
  for (const caseWorkflowId of cases) {
    const child = ctx.client.getHandle<typeof afterSalesCase>(caseWorkflowId);
    await child.executeUpdate(closeCaseUpdate, { args: [{ reason: 'duplicate' }] });
    await expectOutcome(child, 'closed-by-ops');
  }
  const told = await waitForJourney(
    handle,
    (view) => view.cases.length === cases.length && view.cases.every((record) => record.status === 'closed'),
    'every case told to the journey',
  );
  assert.ok(told.continuedAsNew >= 2, `continued as new ${told.continuedAsNew} times`);
  assert.deepEqual(told.cases.map((record) => record.caseWorkflowId).sort(), [...cases].sort());
  await closeJourney(handle, 'load test over');
  return root(handle);
}

/**
 * Reception to the letter: the desk reports itself busy, a second inquiry gets its own window and
 * the "we will answer by …" reply, the first is answered by name, contact details are corrected and
 * consent recorded, and the needs interview's follow-ups run out: lost without response.
 */
export async function journeyReception(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-RECEPTION'));
  await handle.signal(deskBusySignal, { busy: true });
  await handle.executeUpdate(registerInquiryUpdate, {
    args: [{ inquiryId: 'inq-C-REPLAY-RECEPTION-2', channel: 'phone', summary: 'Also SMS reminders?' }],
  });
  await handle.signal(deskBusySignal, { busy: false });
  await handle.signal(inquiryAnsweredSignal, { agentId: 'sales-7', inquiryId: 'inq-C-REPLAY-RECEPTION-2' });
  await handle.executeUpdate(updateContactUpdate, {
    args: [{ contact: { company: 'Example Clinic Group' }, preferredChannel: 'email', by: 'sales-7' }],
  });
  await handle.executeUpdate(recordConsentUpdate, { args: [{ marketing: true, by: 'sales-7' }] });
  await handle.executeUpdate(recordNeedsUpdate, {
    args: [{ requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }] }],
  });
  const result = await handle.result(); // the server skips the follow-ups and the 21 days
  assert.equal(result.outcome, 'lost');
  assert.equal(result.lostReason, 'no-response');
  return root(handle);
}

/** Won, with the pre-sales survey a day after the contract answered, delivered and closed. */
export async function journeyPresalesSurvey(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-PRESALES'));
  await toQuote(handle, 100_000, 60_000);
  await waitForJourney(handle, (view) => view.stage === 'negotiation', 'the quote sent');
  await handle.executeUpdate(signContractUpdate, { args: [contract] });
  await ctx.sleep(DAY + HOUR);
  await handle.executeUpdate(submitPresalesFeedbackUpdate, {
    args: [{ csat: 5, speed: 4, understanding: 5 }],
  });
  await handle.signal(deliveryConfirmedSignal, { note: 'installed' });
  await waitForJourney(handle, (view) => view.stage === 'after-sales', 'after-sales');
  await closeJourney(handle, 'contract fulfilled');
  return root(handle);
}

/**
 * Delivery tracked: a contract with a promised date and two milestones; the first reached (the
 * customer told), the second late (owner warned, lead told), then delivered late.
 */
export async function journeyDeliveryMilestones(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-DELIVERY'));
  await toQuote(handle, 100_000, 60_000);
  await waitForJourney(handle, (view) => view.stage === 'negotiation', 'the quote sent');
  const day = async (days: number) =>
    new Date((await ctx.now()) + 8 * HOUR + days * DAY).toISOString().slice(0, 10);
  await handle.executeUpdate(signContractUpdate, {
    args: [
      {
        contractId: 'K-REPLAY-DELIVERY',
        terms: { deliveryDate: await day(6) },
        milestones: [
          { name: 'site-survey', dueDate: await day(2), owner: 'delivery-2' },
          { name: 'installation', dueDate: await day(4) },
        ],
      },
    ],
  });
  await handle.executeUpdate(milestoneReachedUpdate, { args: [{ name: 'site-survey' }] });
  await ctx.sleep(7 * DAY);
  await waitForJourney(handle, (view) => view.delivery?.late === true, 'the delivery late');
  await handle.signal(deliveryConfirmedSignal, { note: 'installed late' });
  await waitForJourney(handle, (view) => view.stage === 'after-sales', 'after-sales');
  await closeJourney(handle, 'contract fulfilled');
  return root(handle);
}

/**
 * An A-grade contract (its value over the policy's threshold): the urgent issue's case runs the
 * faster lane and the account owner is asked to join; ops close the case and the journey.
 */
export async function journeyGradeA(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-GRADE'));
  await toQuote(handle, 100_000, 60_000);
  await waitForJourney(handle, (view) => view.stage === 'negotiation', 'the quote sent');
  await handle.executeUpdate(signContractUpdate, {
    args: [{ ...contract, value: { amount: 1_500_000, currency: 'CNY' } }],
  });
  const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
    args: [{ description: 'Every clinic is down', category: 'technical', severity: 'safety-hazard' }],
  });
  const child = ctx.client.getHandle<typeof afterSalesCase>(caseWorkflowId);
  await waitForStage(child, 'awaiting-reply');
  await child.executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] });
  await expectOutcome(child, 'closed-by-ops');
  await waitForJourney(handle, (view) => view.cases[0]?.status === 'closed', 'the case closed');
  await closeJourney(handle, 'contract fulfilled');
  return root(handle);
}

/**
 * Customer-level SLA health: an A-grade customer's three cases breach and are closed by ops; the
 * journey flags the customer at risk (the owner told), the fourth case runs on shortened windows,
 * and the flag goes when the first breach leaves the 30 days; then closed.
 */
export async function journeySlaHealth(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(
    ctx,
    journeyInput('C-REPLAY-HEALTH', { case: { firstReply: { P3: { hours: 2, basis: 'calendar' } } } }),
  );
  await toQuote(handle, 100_000, 60_000);
  await waitForJourney(handle, (view) => view.stage === 'negotiation', 'the quote sent');
  await handle.executeUpdate(signContractUpdate, {
    args: [{ ...contract, value: { amount: 1_500_000, currency: 'CNY' } }],
  });
  for (let n = 1; n <= 4; n++) {
    const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
      args: [{ description: `Export fails (${n})`, category: 'technical', severity: 'function-failure' }],
    });
    const child = ctx.client.getHandle<typeof afterSalesCase>(caseWorkflowId);
    await waitForStage(child, 'awaiting-reply');
    if (n < 4) await ctx.sleep(2 * HOUR);
    await child.executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] });
    await expectOutcome(child, 'closed-by-ops');
    await waitForJourney(handle, (view) => view.cases[n - 1]?.status === 'closed', `case ${n} closed`);
  }
  const flagged = await journeyView(handle);
  assert.equal(flagged.slaHealth?.flagged, 1, 'flagged once');
  await ctx.sleep(31 * DAY);
  const cleared = await waitForJourney(
    handle,
    (view) => view.slaHealth?.atRiskSince === undefined,
    'cleared',
  );
  // As of the journey's last look (the first breach left the window): the two later ones remain.
  assert.equal(cleared.slaHealth?.breachedCases, 2);
  await closeJourney(handle, 'contract fulfilled');
  return root(handle);
}

/**
 * The proposal reviewed before the customer sees it: sent back by the reviewer, approved, sent
 * back by the customer, approved again and accepted; quoted, then lost on price.
 */
export async function journeyProposalReview(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-REVIEW'));
  await handle.executeUpdate(recordNeedsUpdate, {
    args: [{ requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }] }],
  });
  const propose = (title: string) =>
    handle.executeUpdate(submitProposalUpdate, { args: [{ alternatives: [{ id: 'A', title }] }] });
  await propose('Cloud plan');
  await ctx.sleep(HOUR);
  await handle.executeUpdate(reviewProposalUpdate, {
    args: [{ decision: 'revise', reviewer: 'lead-1', comments: 'add training' }],
  });
  await propose('Cloud plan with training');
  await handle.executeUpdate(reviewProposalUpdate, { args: [{ decision: 'approve', reviewer: 'lead-1' }] });
  await handle.executeUpdate(proposalFeedbackUpdate, { args: [{ verdict: 'revise', comments: 'cheaper' }] });
  await propose('Lean plan');
  await handle.executeUpdate(reviewProposalUpdate, { args: [{ decision: 'approve', reviewer: 'lead-1' }] });
  await handle.executeUpdate(proposalFeedbackUpdate, { args: [{ verdict: 'accept' }] });
  await handle.executeUpdate(submitQuoteUpdate, {
    args: [{ alternativeId: 'A', price: 100_000, cost: 60_000, currency: 'CNY' }],
  });
  await waitForJourney(handle, (view) => view.stage === 'negotiation', 'the quote sent');
  await handle.executeUpdate(markLostUpdate, { args: [{ reason: 'price' }] });
  await ctx.sleep(DAY + HOUR);
  await waitForJourney(handle, (view) => view.presalesSurvey?.sentAt !== undefined, 'the survey sent');
  await handle.executeUpdate(submitPresalesFeedbackUpdate, { args: [{ csat: 2 }] });
  assert.equal((await handle.result()).outcome, 'lost');
  return root(handle);
}

/** A signed customer's archive kept current: a later inquiry, a case opened and closed, each recorded. */
export async function journeyArchiveEvents(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-ARCHIVE'));
  await toQuote(handle, 100_000, 60_000);
  await waitForJourney(handle, (view) => view.stage === 'negotiation', 'the quote sent');
  await handle.executeUpdate(signContractUpdate, { args: [contract] });
  await handle.signal(newInquirySignal, {
    inquiryId: 'crm-archive-1',
    channel: 'phone',
    summary: 'More seats?',
  });
  const { caseWorkflowId } = await handle.executeUpdate(reportIssueUpdate, {
    args: [{ description: 'Search is slow' }],
  });
  const child = ctx.client.getHandle<typeof afterSalesCase>(caseWorkflowId);
  await waitForStage(child, 'awaiting-reply');
  await child.executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] });
  await expectOutcome(child, 'closed-by-ops');
  await waitForJourney(handle, (view) => view.cases[0]?.status === 'closed', 'the case closed');
  await closeJourney(handle, 'contract fulfilled');
  return root(handle);
}

/** Marked lost at the inquiry: the pre-sales survey a day later, answered; the journey ends with it. */
export async function journeyLostSurveyAnswered(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-LOST-SURVEY'));
  await handle.executeUpdate(markLostUpdate, { args: [{ reason: 'price', note: 'budget cut' }] });
  await ctx.sleep(DAY + HOUR);
  await waitForJourney(handle, (view) => view.presalesSurvey?.sentAt !== undefined, 'the survey sent');
  await handle.executeUpdate(submitPresalesFeedbackUpdate, { args: [{ csat: 3, speed: 2 }] });
  const result = await handle.result();
  assert.equal(result.outcome, 'lost');
  assert.equal(result.lostReason, 'price');
  return root(handle);
}

/** Needs recorded, then silence: lost without response, the survey unanswered, the journey ends a week later. */
export async function journeyLostSurveyUnanswered(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-LOST-QUIET'));
  await handle.executeUpdate(recordNeedsUpdate, {
    args: [{ requirements: [{ title: 'Online booking', priority: 'must', urgency: 5, businessValue: 5 }] }],
  });
  const result = await handle.result(); // the server skips the follow-ups, the loss and the survey's week
  assert.equal(result.outcome, 'lost');
  assert.equal(result.lostReason, 'no-response');
  return root(handle);
}

/** A thin-margin quote nobody decides: the deputy is asked, then it expires back to sales. */
export async function quoteDeputyExpired(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await startJourney(ctx, journeyInput('C-REPLAY-QUOTE'));
  const approval = approvalOf(ctx, await toQuote(handle, 100, 90)); // 10 %
  const decision = await approval.result(); // the server skips both approvers' windows
  assert.equal(decision.decision, 'expired');
  assert.equal(decision.escalatedToDeputy, true);
  await waitForJourney(
    handle,
    (view) => view.stage === 'proposal' && view.quotes[0]?.status === 'expired',
    'the journey back at the proposal',
  );
  await closeJourney(handle, 'prospect paused the project');
  return root(handle);
}

// ---------------------------------------------------------------------------------------------
// Weekly QA report

/** The scheduled report: one activity builds and delivers it. */
export async function weeklyReport(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await ctx.client.start<typeof weeklyQaReport>('weeklyQaReport', {
    taskQueue: ctx.taskQueue,
    workflowId: 'replay-weekly-qa-report',
    args: [{ to: '2026-11-23T01:00:00.000Z', days: 7 }],
  });
  const summary = await handle.result();
  assert.equal(summary.deliveryId, 'REPORT-1');
  return root(handle);
}

/** A root-cause analysis nobody answers in time: reminded, overdue, then closed with findings. */
export async function rootCauseAnalysisOverdue(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await ctx.client.start<typeof rootCauseAnalysis>('rootCauseAnalysis', {
    taskQueue: ctx.taskQueue,
    workflowId: 'rca-team-replay-care',
    args: [
      {
        area: { dimension: 'team', value: 'replay-care' },
        trigger: {
          satisfactionRate: 0.5,
          answers: 4,
          target: 0.8,
          from: '2026-11-16T00:00:00.000Z',
          to: '2026-11-23T00:00:00.000Z',
        },
        owner: 'care-lead',
        dueWithin: '9h',
      },
    ],
  });
  await ctx.sleep(4 * DAY);
  await handle.executeUpdate(recordFindingsUpdate, {
    args: [
      {
        findings: 'No repair guide at night',
        actions: [{ action: 'Write one', owner: 'care-lead' }],
        by: 'care-lead',
      },
    ],
  });
  assert.equal((await handle.result()).overdue, true);
  return root(handle);
}

/** The monthly frequent-issue summary, built and delivered. */
export async function monthlySummary(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const handle = await ctx.client.start<typeof monthlyIssueSummary>('monthlyIssueSummary', {
    taskQueue: ctx.taskQueue,
    workflowId: 'replay-monthly-issue-summary',
    args: [{ month: '2026-11' }],
  });
  assert.equal((await handle.result()).deliveryId, 'SUMMARY-1');
  return root(handle);
}

/** A QA review the reviewer answers late: reminded, overdue, closed by the scores. */
export async function qaReviewOverdue(ctx: ScenarioContext): Promise<ScenarioRoot> {
  const subject = { kind: 'case' as const, id: 'replay-case-qa' };
  const handle = await ctx.client.start<typeof qaReview>('qaReview', {
    taskQueue: ctx.taskQueue,
    workflowId: 'qa-review-case-replay-case-qa',
    args: [
      {
        subject,
        draw: { from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', seed: 7 },
        dueWithin: '9h',
      },
    ],
  });
  await ctx.sleep(4 * DAY);
  await handle.executeUpdate(submitQaReviewUpdate, {
    args: [
      {
        reviewer: 'qa-1',
        scores: { solution: 4, communication: 5, satisfaction: 3 },
        findings: 'Slow but right',
      },
    ],
  });
  assert.equal((await handle.result()).overdue, true);
  return root(handle);
}

/** Every scenario, in recording order. */
export const SCENARIOS: readonly Scenario[] = [
  { name: 'case-satisfied', summary: 'advice → satisfied (promoter)', run: caseSatisfied },
  {
    name: 'case-p1-breach',
    summary: 'P1 outage, no reply for 2 h → ladder, breach, escalation → resolved, satisfied',
    run: caseP1Breach,
  },
  { name: 'case-reopen', summary: 'unsatisfied → specialist team → replaced → satisfied', run: caseReopen },
  {
    name: 'case-management',
    summary: 'unsatisfied four times → management → closed unsatisfied',
    run: caseManagement,
  },
  { name: 'case-no-feedback', summary: 'revisit breached → closed without feedback', run: caseNoFeedback },
  {
    name: 'case-compensation',
    summary: 'replacement cannot ship → refund offered → accepted → satisfied',
    run: caseCompensation,
    activities: { shipReplacement: () => Promise.resolve({ shipped: false, reason: 'out-of-stock' }) },
  },
  {
    name: 'case-logistics',
    summary: 'carrier claim, solution agreed in 20 h → satisfied',
    run: caseLogistics,
  },
  { name: 'case-invalid-input', summary: 'invalid input → fails at once', run: caseInvalidInput },
  {
    name: 'case-hand-over',
    summary: 'routine technical fault → senior engineers → handed to support → satisfied',
    run: caseHandOver,
  },
  {
    name: 'case-assisted-review',
    summary: 'assisted reply → corrected by a person → resolved → satisfied',
    run: caseAssistedReview,
  },
  {
    name: 'case-carrier-settlement',
    summary: 'delayed parcel → compensation offered → agreed → close held → settled → closed',
    run: caseCarrierSettlement,
  },
  {
    name: 'case-recall-details',
    summary: 'safety hazard without batch → customer asked → recall opened → refund → satisfied',
    run: caseRecallDetails,
  },
  {
    name: 'case-functional-defect',
    summary: 'functional defect → decided and replaced within its windows → satisfied',
    run: caseFunctionalDefect,
  },
  {
    name: 'case-terms-lookup',
    summary: 'started without terms → the archive’s contract terms applied → satisfied',
    run: caseTermsLookup,
    activities: {
      lookupPromisedTerms: () =>
        Promise.resolve({
          source: 'archive',
          terms: {
            contractId: 'K-REPLAY-16',
            responseWindows: { P3: { firstReplyHours: 2, basis: 'calendar' } },
          },
        }),
    },
  },
  {
    name: 'case-collaboration-visit',
    summary: 'supply chain brought in → answers → on-site service booked → done → satisfied',
    run: caseCollaborationVisit,
  },
  {
    name: 'case-serious-complaint',
    summary: 'serious complaint → management at once → six steps → management round → satisfied',
    run: caseSeriousComplaint,
  },
  {
    name: 'case-sla-journal',
    summary:
      'answered → paused 5 h → reclassified → resolution breached → resolved → satisfied; journal in the memo',
    run: caseSlaJournal,
  },
  {
    name: 'case-pause-cap',
    summary: 'paused on parts past a 2 h cap → lead asked → 1 h approved → answered → satisfied',
    run: casePauseCap,
  },
  {
    name: 'case-guarantee-repair',
    summary: 'bought 60 days ago → free repair, parts at cost → repaired → satisfied',
    run: caseGuaranteeRepair,
  },
  {
    name: 'journey-lost',
    summary: 'quote sent → follow-ups at 2, 5, 10 days → lost after 21 days',
    run: journeyLost,
  },
  {
    name: 'journey-won',
    summary: 'needs → proposal → manager-approved quote → contract → delivery → case satisfied → closed',
    run: journeyWon,
    children: ['quote-1', 'case-1'],
  },
  {
    name: 'journey-continue-as-new',
    summary: 'continueAsNewAfterEvents 60 → continued as new with an open case → closed',
    run: journeyContinueAsNew,
    children: ['case-1'],
    continuesAsNew: true,
  },
  {
    name: 'journey-continue-as-new-under-load',
    summary:
      'continueAsNewAfterEvents 20, three rounds of concurrent reports and inquiries → six cases closed → closed',
    run: journeyContinueAsNewUnderLoad,
    children: ['case-1', 'case-2', 'case-3', 'case-4', 'case-5', 'case-6'],
    continuesAsNew: true,
  },
  {
    name: 'journey-reception',
    summary: 'busy desk → second inquiry answered by name → contact and consent → needs → follow-ups → lost',
    run: journeyReception,
  },
  {
    name: 'journey-presales-survey',
    summary: 'quote → contract → pre-sales survey a day later answered → delivered → closed',
    run: journeyPresalesSurvey,
  },
  {
    name: 'journey-delivery-milestones',
    summary:
      'contract with a promised date and two milestones → one reached → one late → delivered late → closed',
    run: journeyDeliveryMilestones,
  },
  {
    name: 'journey-sla-health',
    summary:
      'A-grade: three cases breached → customer at risk → fourth case shortened → 31 days → flag gone → closed',
    run: journeySlaHealth,
    children: ['case-1', 'case-4'],
  },
  {
    name: 'journey-grade-a',
    summary:
      'A-grade contract → urgent issue: case in the faster lane, owner joins → case closed by ops → closed',
    run: journeyGradeA,
    children: ['case-1'],
  },
  {
    name: 'journey-proposal-review',
    summary:
      'proposal sent back by the reviewer → approved → sent back by the customer → approved, accepted → quoted → lost',
    run: journeyProposalReview,
  },
  {
    name: 'journey-archive-events',
    summary: 'contract → a later inquiry, a case opened and closed, each recorded in the archive → closed',
    run: journeyArchiveEvents,
    children: ['case-1'],
  },
  {
    name: 'journey-lost-survey-answered',
    summary: 'marked lost → pre-sales survey a day later → answered → ended',
    run: journeyLostSurveyAnswered,
  },
  {
    name: 'journey-lost-survey-unanswered',
    summary: 'needs → follow-ups → lost without response → survey unanswered for a week → ended',
    run: journeyLostSurveyUnanswered,
  },
  {
    name: 'quote-deputy-expired',
    summary: 'thin-margin quote → manager silent → deputy silent → expired → journey closed',
    run: quoteDeputyExpired,
    children: ['quote-1'],
  },
  {
    name: 'root-cause-analysis-overdue',
    summary: 'analysis opened → reminded → overdue → closed with findings',
    run: rootCauseAnalysisOverdue,
  },
  {
    name: 'monthly-issue-summary',
    summary: 'the monthly frequent-issue summary built and delivered',
    run: monthlySummary,
  },
  {
    name: 'qa-review-overdue',
    summary: 'QA review opened → reminded → overdue → scored',
    run: qaReviewOverdue,
  },
  { name: 'weekly-qa-report', summary: 'the scheduled weekly report built and delivered', run: weeklyReport },
];

/** The history files (stems, without `.json`) a scenario must leave in tests/histories/. */
export function expectedHistoryFiles(scenario: Scenario): string[] {
  return [
    scenario.name,
    ...(scenario.continuesAsNew ? [`${scenario.name}.run-2`] : []),
    ...(scenario.children ?? []).map((child) => `${scenario.name}.${child}`),
  ];
}
