/**
 * Activities: every side effect of the journey, built by a factory from its dependencies so the
 * worker passes real integrations and tests pass fakes typed from `Activities`.
 *
 * Each activity maps one request onto one external system through the integration gateway
 * (webhook or local outbox). Every one of them is safe to run twice: the request carries the
 * workflow's idempotency key, the outbox records a key once, and webhook receivers are expected
 * to answer a repeated key with the original result (`idempotency-key` header). A retried or
 * replayed activity therefore never sends a second message, refund or order.
 */
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { collectCaseResults } from '../lib/report/collect';
import { generateReport } from '../lib/report/generate';
import { repeatIssues } from '../lib/report/metrics';
import { collectJourneyReports } from '../lib/report/presales';
import { frequentIssues } from '../lib/report/monthly';
import { renderHtml } from '../lib/report/render';
import { projectRoot } from '../lib/config';
import { getJourneyQuery, journeyWorkflowId } from '../workflows/customer-journey/contract';
import { PromisedTerms } from '../workflows/kernel/contract';
import { FailureType } from '../workflows/kernel/errors';
import type { IntegrationGateway, SystemName } from './integrations/gateway';
import { DEFAULT_OUTBOX_DIR } from './integrations/config';
import { OutboxGateway } from './integrations/outbox-gateway';
import type { Activities, ReplacementResult } from './types';

export type { Activities } from './types';

/** What the activities need from the outside world. */
export interface ActivityDeps {
  /** How requests reach external systems; the worker builds it from CJ_INTEGRATION_MODE. */
  gateway?: IntegrationGateway;
  /**
   * Reads visibility and workflow results for the weekly QA report, and a customer's journey for
   * the contract terms of a case started without them.
   */
  reportClient?: Client;
}

/** Sends one keyed request; a permanent refusal becomes a non-retryable failure. */
async function send(
  gateway: IntegrationGateway,
  system: SystemName,
  operation: string,
  request: { idempotencyKey: string } & object,
): Promise<Record<string, unknown>> {
  const { idempotencyKey, ...payload } = request;
  const result = await gateway.send({ system, operation, idempotencyKey, payload });
  if (result.status === 'accepted') return result.body;
  throw ApplicationFailure.create({
    type: FailureType.IntegrationRejected,
    message: `${system} refused ${operation} (HTTP ${result.httpStatus} ${result.code}): ${result.message}`,
    details: [{ system, operation, httpStatus: result.httpStatus, code: result.code }],
    nonRetryable: true,
  });
}

/** The receiver's id for the request, or the gateway's own (the outbox answers `{ id }`). */
function idOf(body: Record<string, unknown>, field: string): string {
  const value = body[field] ?? body.id;
  return typeof value === 'string' && value.length > 0 ? value : `unknown-${field}`;
}

/** An activity that sends one request and answers with the id the receiver gave it. */
function sender<F extends string>(
  gateway: IntegrationGateway,
  system: SystemName,
  operation: string,
  field: F,
): (request: { idempotencyKey: string } & object) => Promise<Record<F, string>> {
  return async (request) => {
    const body = await send(gateway, system, operation, request);
    return { [field]: idOf(body, field) } as Record<F, string>;
  };
}

/**
 * Builds the activity implementations registered on the worker.
 *
 * @param deps the integration gateway; an outbox in `data/outbox` when omitted.
 * @returns every activity of {@link Activities}.
 */
export function createActivities(deps: ActivityDeps = {}): Activities {
  const gateway = deps.gateway ?? new OutboxGateway({ dir: path.join(projectRoot(), DEFAULT_OUTBOX_DIR) });
  return {
    notifyCustomer: sender(gateway, 'messaging', 'notify-customer', 'messageId'),
    notifyStaff: sender(gateway, 'staffing', 'notify-staff', 'notificationId'),
    async assignCase(request) {
      const body = await send(gateway, 'staffing', 'assign-case', request);
      // Without a staffing system answering with a person, the team's queue owns the case.
      const assignee = typeof body.assignee === 'string' ? body.assignee : `queue:${request.team}`;
      return { assignee };
    },
    lookupPromisedTerms: termsLookupActivity(gateway, deps.reportClient),
    openCarrierClaim: sender(gateway, 'logistics', 'open-claim', 'claimId'),
    openRecall: sender(gateway, 'fulfilment', 'open-recall', 'recallId'),
    scheduleRepair: sender(gateway, 'fulfilment', 'schedule-repair', 'repairOrderId'),
    scheduleVisit: sender(gateway, 'fulfilment', 'schedule-visit', 'visitId'),
    async shipReplacement(request): Promise<ReplacementResult> {
      const { idempotencyKey, ...payload } = request;
      const result = await gateway.send({
        system: 'fulfilment',
        operation: 'ship-replacement',
        idempotencyKey,
        payload,
      });
      // "Cannot ship" (out of stock, discontinued) is a business answer the workflow compensates
      // for, not an integration failure.
      if (result.status === 'rejected') return { shipped: false, reason: result.code };
      return { shipped: true, shipmentId: idOf(result.body, 'shipmentId') };
    },
    issueRefund: sender(gateway, 'fulfilment', 'issue-refund', 'refundId'),
    scheduleRevisit: sender(gateway, 'feedback', 'schedule-revisit', 'taskId'),
    sendSurvey: sender(gateway, 'feedback', 'send-survey', 'surveyId'),
    requestQaReview: sender(gateway, 'quality', 'request-qa-review', 'reviewId'),
    recordKnowledgeBaseEntry: sender(gateway, 'quality', 'record-knowledge-base-entry', 'entryId'),
    requestReferral: sender(gateway, 'feedback', 'request-referral', 'requestId'),
    syncCustomerArchive: sender(gateway, 'crm', 'sync-customer-archive', 'archiveVersion'),
    recordArchiveEvent: sender(gateway, 'crm', 'archive-event', 'archiveVersion'),
    pushTrainingSchedule: sender(gateway, 'crm', 'push-training-schedule', 'scheduleId'),
    createTask: sender(gateway, 'crm', 'create-task', 'taskId'),
    buildWeeklyQaReport: weeklyReportActivity(gateway, deps.reportClient),
    buildMonthlyIssueSummary: monthlySummaryActivity(gateway, deps.reportClient),
    listQaPopulation: qaPopulationActivity(deps.reportClient),
  };
}

/**
 * The signed contract terms of a customer whose case was started without them: first the
 * customer's journey (its contract, read by a query), then the customer archive through the
 * gateway (a CRM answering `{ "terms": … }`; the outbox knows none). Safe to run twice: it only
 * reads.
 */
function termsLookupActivity(
  gateway: IntegrationGateway,
  client: Client | undefined,
): Activities['lookupPromisedTerms'] {
  return async (request) => {
    if (client) {
      const journeyId = request.journeyId ?? journeyWorkflowId(request.customerId);
      try {
        const journey = await client.workflow.getHandle(journeyId).query(getJourneyQuery);
        if (journey.contract) return { source: 'journey', terms: journey.contract.terms };
      } catch (error) {
        // No journey for this customer: the archive may still know a contract.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
    const body = await send(gateway, 'crm', 'get-promised-terms', request);
    if (body.terms === undefined) return { source: 'none' };
    const terms = PromisedTerms.safeParse(body.terms);
    if (!terms.success) {
      throw ApplicationFailure.create({
        type: FailureType.IntegrationRejected,
        message: `crm answered get-promised-terms with terms that are not valid: ${terms.error.issues
          .map((issue) => `${issue.path.join('.') || 'terms'}: ${issue.message}`)
          .join('; ')}`,
        nonRetryable: true,
      });
    }
    return { source: 'archive', terms: terms.data };
  };
}

/** The Temporal client the report activities read with; a worker without one refuses them for good. */
function readerOf(client: Client | undefined): Client {
  if (!client) {
    throw ApplicationFailure.nonRetryable(
      'this worker has no Temporal client for reports',
      'ReportUnavailable',
    );
  }
  return client;
}

/**
 * Builds the week's report from Temporal itself and delivers it to the quality team. Safe to run
 * twice: it only reads, and the delivery carries the workflow's idempotency key.
 */
function weeklyReportActivity(
  gateway: IntegrationGateway,
  client: Client | undefined,
): Activities['buildWeeklyQaReport'] {
  return async (request) => {
    const reader = readerOf(client);
    const range = { from: new Date(request.from), to: new Date(request.to) };
    const report = await generateReport(reader, {
      ...range,
      qaSampleIds: request.sample?.caseIds,
      onProgress: (done, total) => Context.current().heartbeat({ done, total }),
    });
    const flaggedAreas = report.areas.flagged.map((area) => `${area.dimension}=${area.value}`);
    const summary = {
      cases: report.collection.read,
      qaSample: report.qaSample.length,
      flaggedAreas,
      flagged: report.areas.flagged.map(({ dimension, value, satisfactionRate, answers, nps, below }) => ({
        dimension,
        value,
        satisfactionRate,
        answers,
        nps,
        below,
      })),
      satisfactionRate: report.overall.csat.satisfactionRate,
      slaCompliance: report.overall.slaCompliance.all.rate,
    };
    const delivery = {
      idempotencyKey: request.idempotencyKey,
      range: report.range,
      summary,
      qaSample: report.qaSample,
      qaSeed: request.sample?.seed,
      flaggedAreas: report.areas.flagged,
      html: renderHtml(report, {
        title: `Weekly QA report ${request.from.slice(0, 10)} – ${request.to.slice(0, 10)}`,
      }),
    };
    const body = await send(gateway, 'quality', 'weekly-qa-report', delivery);
    return { from: request.from, to: request.to, ...summary, deliveryId: idOf(body, 'deliveryId') };
  };
}

/**
 * The month's frequent issues (rule X6), from the closed cases' figures in Temporal: top
 * categories, products and causes against the month before; each repeated issue becomes a
 * knowledge-base entry; the summary goes to the quality team and training. Safe to run twice: it
 * only reads, and each entry and the delivery carry keys derived from the workflow's.
 */
function monthlySummaryActivity(
  gateway: IntegrationGateway,
  client: Client | undefined,
): Activities['buildMonthlyIssueSummary'] {
  return async (request) => {
    const reader = readerOf(client);
    const heartbeat = (done: number, total: number) => Context.current().heartbeat({ done, total });
    const read = async (from: string, to: string) =>
      (
        await collectCaseResults(reader, {
          from: new Date(from),
          to: new Date(to),
          extraQuery: request.query,
          onProgress: heartbeat,
        })
      ).map((entry) => entry.result);
    const [current, previous] = [
      await read(request.from, request.to),
      await read(request.previousFrom, request.from),
    ];
    const repeats = repeatIssues(current);
    for (const repeat of repeats) {
      const result = current.find((entry) => entry.caseId === repeat.caseId)!;
      const entry = {
        idempotencyKey: `${request.idempotencyKey}/kb/${repeat.caseId}`,
        caseId: repeat.caseId,
        category: result.category,
        severity: result.severity,
        resolutionType: result.resolutionType,
        product: result.product,
        cause: result.cause,
        summary: `repeated issue: ${repeat.subject} again after ${repeat.days} days (case ${repeat.repeats})`,
        repeats: repeat.repeats,
      };
      await send(gateway, 'quality', 'record-knowledge-base-entry', entry);
    }
    const summary = {
      month: request.month,
      from: request.from,
      to: request.to,
      cases: current.length,
      previousCases: previous.length,
      topCategories: frequentIssues(current, previous, (entry) => entry.category),
      topProducts: frequentIssues(current, previous, (entry) => entry.product),
      topCauses: frequentIssues(current, previous, (entry) => entry.cause),
      repeatIssues: repeats.length,
      knowledgeBaseEntries: repeats.length,
    };
    const delivery = {
      idempotencyKey: request.idempotencyKey,
      // Handed to the quality team and to training (rule X6).
      handTo: ['quality-team', 'training'],
      ...summary,
      repeats,
    };
    const body = await send(gateway, 'quality', 'monthly-issue-summary', delivery);
    return { ...summary, deliveryId: idOf(body, 'deliveryId') };
  };
}

/**
 * What the week's QA draw is taken from: the period's closed cases and the inquiries answered in
 * it (from the journeys' pre-sales figures), sorted by id. Safe to run twice: it only reads.
 */
function qaPopulationActivity(client: Client | undefined): Activities['listQaPopulation'] {
  return async (request) => {
    const reader = readerOf(client);
    const range = { from: new Date(request.from), to: new Date(request.to) };
    const heartbeat = (done: number, total: number) => Context.current().heartbeat({ done, total });
    const cases = (await collectCaseResults(reader, { ...range, onProgress: heartbeat })).map(
      ({ result }) => ({
        id: result.caseId,
        customerId: result.customerId,
      }),
    );
    const { reports } = await collectJourneyReports(reader, range);
    const inquiries = reports.flatMap((report) =>
      report.inquiries
        .filter(
          (inquiry) =>
            inquiry.inquiryId !== undefined &&
            inquiry.respondedAt !== undefined &&
            inquiry.respondedAt >= request.from &&
            inquiry.respondedAt < request.to,
        )
        .map((inquiry) => ({ id: inquiry.inquiryId!, customerId: report.customerId })),
    );
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return { cases: cases.sort(byId), inquiries: inquiries.sort(byId) };
  };
}
