/**
 * The after-sales relationship (rules HO-2, RT-1, RT-2): an issue reported on the journey starts
 * a case that inherits the contract's promised terms; a closed case reports back, and a promoter
 * is asked for a referral at most once per period; periodic revisits keep the customer close.
 */
import {
  currentUpdateInfo,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  startChild,
} from '@temporalio/workflow';
import {
  AFTER_SALES_CASE_WORKFLOW,
  type AfterSalesCaseInput,
  type CaseResult,
  reportBySignalSignal,
} from '../after-sales-case/contract';
import { CASE_REPORTS_BY_RESULT } from '../kernel/versions';
import { priorityOf } from '../after-sales-case/policy';
import { resolveCasePolicy } from '../after-sales-case/policy-overrides';
import { idempotencyKey } from '../kernel/activity-calls';
import { journeyActivities as activities } from './activities';
import { durationMs } from '../kernel/contract';
import { addMs, formatInstant, nowIso, nowMs } from '../kernel/time';
import type { IssueReported, ParsedReportIssue } from './contract';
import type { CaseRecord } from './records';
import { consentOf } from './customer';
import { recordInArchive } from './archive';
import { jointResponse } from './grade';
import { customerChannel } from './model';
import { createTask, type Journey } from './model';
import { countClosedCase, shortensNextCase } from './health';

const REVISIT = 'revisit';

/**
 * Rule HO-2: the case inherits the contract's promised terms (commitment consistency).
 *
 * A report is one case however often it arrives: the case record keeps the update id that
 * opened it, so the same update delivered again (a caller's retry, or the server handing an
 * update answered just before a continue-as-new to the next run as well) finds its case.
 */
export async function reportIssue(j: Journey, issue: ParsedReportIssue): Promise<IssueReported> {
  const s = j.s;
  const requestId = currentUpdateInfo()?.id;
  const known =
    requestId === undefined ? undefined : s.cases.find((record) => record.requestId === requestId);
  if (known) return { caseWorkflowId: known.caseWorkflowId, priority: known.priority };
  s.caseCount += 1;
  const caseWorkflowId = `${s.journeyId}/case-${s.caseCount}`;
  const repeatOf = earlierCaseRepeated(j, issue);
  const byResult = j.code.has(CASE_REPORTS_BY_RESULT);
  const caseInput: AfterSalesCaseInput = {
    ...issue,
    // Rule PS-11: the case talks to the customer on their channel unless the report names one.
    channel: issue.channel ?? (j.receptionV3 ? customerChannel(j) : 'phone'),
    customerId: s.customerId,
    journeyId: s.journeyId,
    promisedTerms: s.contract?.terms,
    ...(s.grade ? { customerGrade: s.grade.grade } : {}),
    ...(s.region ? { region: s.region } : {}),
    ...(repeatOf ? { repeatOf } : {}),
    ...(shortensNextCase(j) ? { slaAtRisk: true } : {}),
    ...(byResult ? { reportBack: 'result' as const } : {}),
    policy: j.policy.case,
  };
  const priority = priorityOf(
    resolveCasePolicy(j.policy.case, s.contract?.terms),
    issue.severity,
    issue.scope,
  );
  s.cases.push({
    caseWorkflowId,
    priority,
    openedAt: nowIso(),
    status: 'open',
    requestId,
    category: issue.category,
    ...(issue.product?.sku ? { product: issue.product.sku } : {}),
    ...(repeatOf ? { repeatOf } : {}),
    ...(byResult ? { reportsByResult: true } : {}),
  });
  if (repeatOf)
    j.entity.record(
      'repeat-issue',
      `case ${caseWorkflowId} repeats ${repeatOf}: the same issue within ${j.policy.repeatWithin}`,
    );
  j.entity.record('issue-reported', `${priority} ${issue.category} issue → case ${caseWorkflowId}`, {
    data: { caseWorkflowId },
  });
  // Cases report back by signal and outlive a continue-as-new of the journey (ABANDON).
  const child = await startChild(AFTER_SALES_CASE_WORKFLOW, {
    workflowId: caseWorkflowId,
    args: [caseInput],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `${priority} ${issue.category} / ${issue.severity} case of ${s.customerId}`,
  });
  trackChild(j, child);
  if (byResult) hearCloseThroughResult(j, child);
  await Promise.all([
    jointResponse(j, caseWorkflowId, priority),
    recordInArchive(j, 'case-opened', caseWorkflowId, {
      priority,
      category: issue.category,
      severity: issue.severity,
      description: issue.description,
    }),
  ]);
  return { caseWorkflowId, priority };
}

/**
 * Rule LE-7: the latest earlier case about the same product (else the same category) opened within
 * `repeatWithin`, which the new one repeats. Cases recorded before repeat marking carry no category
 * and are never matched.
 */
function earlierCaseRepeated(j: Journey, issue: ParsedReportIssue): string | undefined {
  const since = nowMs() - durationMs(j.policy.repeatWithin);
  const sku = issue.product?.sku;
  return [...j.s.cases]
    .reverse()
    .find(
      (record) =>
        record.category !== undefined &&
        Date.parse(record.openedAt) >= since &&
        (sku && record.product ? record.product === sku : record.category === issue.category),
    )?.caseWorkflowId;
}

/** Follows a child of this run until it completes (see childrenFinishing). */
export function trackChild(j: Journey, child: { workflowId: string; result(): Promise<unknown> }): void {
  j.runningChildren.add(child.workflowId);
  const done = () => void j.runningChildren.delete(child.workflowId);
  child.result().then(done, done);
}

/**
 * True while a child of this run has reported back (case closed, quote decided) but its
 * completion has not reached the journey yet. That event arrives moments after the report; if
 * it arrived while the journey completes, the server would refuse the completion and with it
 * the update that ended the journey (ops would see their close fail).
 */
export function childrenFinishing(j: Journey): boolean {
  const { cases, quotes } = j.s;
  return [...j.runningChildren].some(
    (id) =>
      cases.some((record) => record.caseWorkflowId === id && record.status !== 'open') ||
      quotes.some((quote) => quote.approvalWorkflowId === id && quote.status !== 'pending'),
  );
}

/**
 * A case heard through its result: its close is handled like its signal would be. Not once this run
 * has decided to continue as new: the case was told to signal the next run by then.
 */
function hearCloseThroughResult(j: Journey, child: { workflowId: string; result(): Promise<unknown> }) {
  const heard = child.result().then(
    async (result) => {
      if (j.closing) return;
      j.reportsInFlight += 1;
      try {
        await onCaseClosed(j, result as CaseResult);
      } finally {
        j.reportsInFlight -= 1;
        j.progress += 1;
      }
    },
    // A case that failed or was terminated reports nothing, as a signalling one would not.
    () => undefined,
  );
  j.caseResults.set(child.workflowId, heard);
}

/** Open cases this run hears through their results (they need telling before a continue-as-new). */
export function casesReportingByResult(j: Journey): CaseRecord[] {
  return j.s.cases.filter((record) => record.reportsByResult === true && record.status === 'open');
}

/**
 * Before a continue-as-new: every open case this run hears through its result is told to signal
 * the next run instead. A case that closed meanwhile cannot be told: its result reaches this run,
 * which handles it before it continues.
 */
export async function handCaseReportsOver(j: Journey): Promise<void> {
  await Promise.all(
    casesReportingByResult(j).map(async (record) => {
      try {
        await getExternalWorkflowHandle(record.caseWorkflowId).signal(reportBySignalSignal, {});
        record.reportsByResult = false;
      } catch {
        await j.caseResults.get(record.caseWorkflowId);
        // Handled by now, or the case failed or was terminated: nothing more will come from it.
        record.reportsByResult = false;
      }
    }),
  );
}

export async function onCaseClosed(j: Journey, result: CaseResult): Promise<void> {
  const record = j.s.cases.find((candidate) => candidate.caseWorkflowId === result.caseId);
  if (!record) return j.entity.rejectSignal('caseClosed', [`unknown case ${result.caseId}`]);
  // Heard twice (its result in the run that continued as new, its signal in the next): once only.
  if (record.status === 'closed' && record.reportsByResult !== undefined) return;
  const referred = await closeCaseRecord(j, record, result);
  // Rule OU-2: a case closed with a breach counts towards the customer's SLA health.
  await countClosedCase(j, result);
  // The revisit's answer and the referral go into the archive with the close.
  await recordInArchive(j, 'case-closed', result.caseId, {
    outcome: result.outcome,
    csat: result.csat,
    nps: result.nps,
    referralRequested: referred,
  });
}

/** The case's close on the journey's record; true when a referral was requested. */
async function closeCaseRecord(
  j: Journey,
  record: Journey['s']['cases'][number],
  result: CaseResult,
): Promise<boolean> {
  const s = j.s;
  record.status = 'closed';
  record.outcome = result.outcome;
  record.csat = result.csat;
  record.nps = result.nps;
  j.entity.record(
    'case-closed',
    `case ${result.caseId} ${result.outcome}${result.csat ? `, CSAT ${result.csat}` : ''}${result.nps !== undefined ? `, NPS ${result.nps}` : ''}`,
  );
  // Rule RT-1: promoters are asked for referrals, at most once per interval.
  if (!result.promoter) return false;
  // Rule PS-12: only a customer who agreed to it is asked to recommend us.
  if (j.receptionV3 && !consentOf(j).referrals) {
    j.entity.record('referral-skipped', 'promoter, but no consent to referral requests');
    return false;
  }
  const last = s.lastReferralAt ? Date.parse(s.lastReferralAt) : undefined;
  if (last !== undefined && nowMs() - last < durationMs(j.policy.referralMinInterval)) {
    j.entity.record(
      'referral-skipped',
      `promoter, but a referral was already requested on ${formatInstant(s.lastReferralAt!)}`,
    );
    return false;
  }
  s.lastReferralAt = nowIso();
  s.referralsRequested += 1;
  j.entity.record('referral-requested', `promoter after case ${result.caseId}: referral requested`);
  await j.entity.attempt(`referral/${result.caseId}`, 'requesting a referral', () =>
    activities.requestReferral.executeWithOptions({ summary: 'referral request (promoter)' }, [
      {
        idempotencyKey: idempotencyKey(`referral/${result.caseId}`),
        customerId: s.customerId,
        channel: j.receptionV3 ? customerChannel(j) : s.channel,
        subjectId: result.caseId,
      },
    ]),
  );
  return true;
}

/** Rule RT-2: periodic revisits after delivery, at the policy's cadence. */
export function scheduleRevisit(j: Journey, dueAt: string): void {
  j.agenda.set({ key: REVISIT, kind: REVISIT, dueAt, summary: `periodic revisit ${j.s.revisits + 1}` });
}

export function nextRevisitAt(j: Journey): string | undefined {
  return j.agenda.get(REVISIT)?.dueAt;
}

export function watchRevisits(j: Journey): void {
  j.agenda.on(REVISIT, async () => {
    const s = j.s;
    s.revisits += 1;
    j.entity.record('periodic-revisit', `periodic revisit ${s.revisits} due`);
    scheduleRevisit(j, addMs(nowIso(), durationMs(j.policy.revisitEvery)));
    await createTask(j, `revisit/${s.revisits}`, 'revisit', nowIso(), `periodic revisit ${s.revisits}`);
  });
}
