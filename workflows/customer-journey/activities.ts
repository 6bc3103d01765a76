/**
 * The activities a customer journey calls besides the kernel's: the customer archive (the
 * handoff package and every later event) and the training schedule. `activities/` implements
 * them; see `../kernel/activities.ts` for the rules every request follows.
 */
import { proxyActivities } from '@temporalio/workflow';
import { ACTIVITY_OPTIONS } from '../kernel/activity-calls';
import type { KernelActivities, Keyed } from '../kernel/activities';

export interface ArchiveSyncRequest extends Keyed {
  customerId: string;
  journeyId: string;
  /** The handoff package: requirements, promised terms, special requests (see journey.ts). */
  record: Record<string, unknown>;
}

/**
 * One event of a signed customer's relationship, kept in the customer archive as it happens: an
 * inquiry, a case opened, a case closed (with the revisit's answer and whether a referral was
 * asked). Personal data only in `data` (encrypted payloads), never in the ids or `kind`.
 */
export interface ArchiveEventRequest extends Keyed {
  customerId: string;
  journeyId: string;
  kind: 'inquiry' | 'case-opened' | 'case-closed';
  at: string;
  /** The case or inquiry the event is about. */
  subjectId: string;
  data: Record<string, unknown>;
}

export interface TrainingRequest extends Keyed {
  customerId: string;
  journeyId: string;
  deliveredAt: string;
}

/** The journey's own activities, as the workflow sees them. */
export interface JourneyActivities {
  syncCustomerArchive(request: ArchiveSyncRequest): Promise<{ archiveVersion: string }>;
  /** Idempotent: the archive records an event once per idempotency key, answering with the same version. */
  recordArchiveEvent(request: ArchiveEventRequest): Promise<{ archiveVersion: string }>;
  pushTrainingSchedule(request: TrainingRequest): Promise<{ scheduleId: string }>;
}

/** The proxy the journey's rules call activities through: its own and the kernel's. */
export const journeyActivities = proxyActivities<JourneyActivities & KernelActivities>(ACTIVITY_OPTIONS);
