/**
 * The activities every workflow may call (messages to customers and staff, tasks, surveys,
 * referral requests), declared beside the workflows that call them; `activities/` implements
 * them. One request object in, one result object out; every request carries an
 * `idempotencyKey` the workflow derives from its id and the step, so a retried or replayed call
 * never has a second effect downstream. No request carries personal data: customers are named by
 * their opaque id and the messaging system looks their contact details up itself.
 */
import { proxyActivities } from '@temporalio/workflow';
import { ACTIVITY_OPTIONS } from './activity-calls';
import type { Audience, Channel, Priority, Team } from './contract';

export interface Keyed {
  /** Stable across retries and replays: `<workflow id>/<step>`. */
  idempotencyKey: string;
}

/** Messages to customers; the text lives in the messaging system's templates. */
export type CustomerTemplate =
  | 'case-received'
  | 'auto-reply'
  | 'recall-notice'
  | 'repair-scheduled'
  | 'replacement-shipped'
  | 'refund-offer'
  | 'refund-issued'
  | 'advice-given'
  | 'case-closed'
  | 'quote-sent'
  | 'contract-confirmation'
  | 'training-schedule'
  | 'follow-up'
  | 'revisit'
  | 'renewal-reminder'
  | 'carrier-compensation'
  | 'reply-corrected'
  | 'recall-details-needed'
  | 'visit-booked'
  | 'delivery-progress'
  | 'proposal-sent';

export interface NotifyCustomerRequest extends Keyed {
  customerId: string;
  channel: Channel;
  template: CustomerTemplate;
  /** The case or journey the message is about. */
  subjectId: string;
  /** Template variables (no personal data). */
  data?: Record<string, string | number | boolean>;
}

/** Staff audiences: the case ladder's, plus the journey's owner chain. */
export type StaffAudience = Audience | 'owner' | 'owner-lead' | 'approver' | 'deputy-approver' | 'ops';

export interface NotifyStaffRequest extends Keyed {
  subjectId: string;
  audience: StaffAudience;
  team?: Team;
  /** Staff id of the person addressed, when known. */
  staffId?: string;
  priority?: Priority;
  /** The SLA window or deadline the message is about (`first-reply`, `first-response`, `quote-approval`…). */
  window?: string;
  percent?: number;
  reason: string;
}

export interface SurveyRequest extends Keyed {
  /** The case (revisit survey) or the journey (pre-sales survey) the survey is about. */
  caseId: string;
  customerId: string;
  channel: Channel;
  /**
   * Where the survey tool posts the answer back: a case's `submitFeedback` update, or a journey's
   * `submitPresalesFeedback`.
   */
  replyTo: { workflowId: string; update: 'submitFeedback' | 'submitPresalesFeedback' };
}

export interface ReferralRequest extends Keyed {
  customerId: string;
  channel: Channel;
  subjectId: string;
}

export interface TaskRequest extends Keyed {
  subjectId: string;
  owner?: string;
  kind:
    | 'follow-up'
    | 'revisit'
    | 'renewal'
    | 'handoff'
    | 'joint-response'
    | 'proposal-review'
    | 'proposal-revision';
  dueAt: string;
  summary: string;
}

/** The shared activities, as workflows see them. */
export interface KernelActivities {
  notifyCustomer(request: NotifyCustomerRequest): Promise<{ messageId: string }>;
  notifyStaff(request: NotifyStaffRequest): Promise<{ notificationId: string }>;
  sendSurvey(request: SurveyRequest): Promise<{ surveyId: string }>;
  requestReferral(request: ReferralRequest): Promise<{ requestId: string }>;
  createTask(request: TaskRequest): Promise<{ taskId: string }>;
}

/** The proxy the kernel and every workflow call the shared activities through. */
export const kernelActivities = proxyActivities<KernelActivities>(ACTIVITY_OPTIONS);
