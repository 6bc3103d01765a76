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
import { ApplicationFailure } from '@temporalio/common';
import { projectRoot } from '../lib/config';
import { FailureType } from '../workflows/definitions/errors';
import type { IntegrationGateway, SystemName } from './integrations/gateway';
import { DEFAULT_OUTBOX_DIR } from './integrations/config';
import { OutboxGateway } from './integrations/outbox-gateway';
import type { Activities, ReplacementResult } from './types';

export type { Activities } from './types';

/** What the activities need from the outside world. */
export interface ActivityDeps {
  /** How requests reach external systems; the worker builds it from CJ_INTEGRATION_MODE. */
  gateway?: IntegrationGateway;
}

/** Sends one keyed request; a permanent refusal becomes a non-retryable failure. */
async function send(
  gateway: IntegrationGateway,
  system: SystemName,
  operation: string,
  request: { idempotencyKey: string },
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

/**
 * Builds the activity implementations registered on the worker.
 *
 * @param deps the integration gateway; an outbox in `data/outbox` when omitted.
 * @returns every activity of {@link Activities}.
 */
export function createActivities(deps: ActivityDeps = {}): Activities {
  const gateway = deps.gateway ?? new OutboxGateway({ dir: path.join(projectRoot(), DEFAULT_OUTBOX_DIR) });
  return {
    async notifyCustomer(request) {
      return { messageId: idOf(await send(gateway, 'messaging', 'notify-customer', request), 'messageId') };
    },
    async notifyStaff(request) {
      return {
        notificationId: idOf(await send(gateway, 'staffing', 'notify-staff', request), 'notificationId'),
      };
    },
    async assignCase(request) {
      const body = await send(gateway, 'staffing', 'assign-case', request);
      // Without a staffing system answering with a person, the team's queue owns the case.
      const assignee = typeof body.assignee === 'string' ? body.assignee : `queue:${request.team}`;
      return { assignee };
    },
    async openCarrierClaim(request) {
      return { claimId: idOf(await send(gateway, 'logistics', 'open-claim', request), 'claimId') };
    },
    async openRecall(request) {
      return { recallId: idOf(await send(gateway, 'fulfilment', 'open-recall', request), 'recallId') };
    },
    async scheduleRepair(request) {
      return {
        repairOrderId: idOf(await send(gateway, 'fulfilment', 'schedule-repair', request), 'repairOrderId'),
      };
    },
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
    async issueRefund(request) {
      return { refundId: idOf(await send(gateway, 'fulfilment', 'issue-refund', request), 'refundId') };
    },
    async scheduleRevisit(request) {
      return { taskId: idOf(await send(gateway, 'feedback', 'schedule-revisit', request), 'taskId') };
    },
    async sendSurvey(request) {
      return { surveyId: idOf(await send(gateway, 'feedback', 'send-survey', request), 'surveyId') };
    },
    async requestQaReview(request) {
      return { reviewId: idOf(await send(gateway, 'quality', 'request-qa-review', request), 'reviewId') };
    },
    async recordKnowledgeBaseEntry(request) {
      return {
        entryId: idOf(await send(gateway, 'quality', 'record-knowledge-base-entry', request), 'entryId'),
      };
    },
    async requestReferral(request) {
      return { requestId: idOf(await send(gateway, 'feedback', 'request-referral', request), 'requestId') };
    },
    async syncCustomerArchive(request) {
      return {
        archiveVersion: idOf(await send(gateway, 'crm', 'sync-customer-archive', request), 'archiveVersion'),
      };
    },
    async pushTrainingSchedule(request) {
      return {
        scheduleId: idOf(await send(gateway, 'crm', 'push-training-schedule', request), 'scheduleId'),
      };
    },
    async createTask(request) {
      return { taskId: idOf(await send(gateway, 'crm', 'create-task', request), 'taskId') };
    },
  };
}
