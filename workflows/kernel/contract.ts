/**
 * Vocabulary shared by journeys and cases: channels, priorities, teams, ids and the terms
 * promised to a customer in the contract.
 */
import { z } from 'zod';
import { BusinessCalendar } from './business-hours';

/**
 * The task queue named in the public contract: workers poll it, and clients start journeys and
 * cases on it unless configured otherwise (`CJ_TASK_QUEUE`).
 */
export const DEFAULT_TASK_QUEUE = 'customer-journey';

/** An ISO-8601 instant; payloads never carry `Date` objects. */
export const IsoTimestamp = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 timestamp' });
export type IsoTimestamp = z.infer<typeof IsoTimestamp>;

/**
 * The customer's opaque id from the CRM. It goes into workflow ids and search attributes, so it
 * must not be personal data: no e-mail address, no phone number, no spaces.
 */
export const CustomerId = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be an opaque CRM id (letters, digits, . _ : -)')
  .refine((id) => !/^\+?\d{11,}$/.test(id), 'must be an opaque CRM id, not a phone number');
export type CustomerId = z.infer<typeof CustomerId>;

/** Where a customer reached us (rule AS-1: every channel, nothing lost). */
export const Channel = z.enum(['phone', 'email', 'online-chat', 'social', 'walk-in']);
export type Channel = z.infer<typeof Channel>;

/** Case priority from the severity × scope matrix; P1 is the most urgent. */
export const Priority = z.enum(['P1', 'P2', 'P3', 'P4']);
export type Priority = z.infer<typeof Priority>;

/**
 * The customer's grade (A/B/C), set at the contract from its value (policy) or by ops: an A-grade
 * customer's cases take the faster lane.
 */
export const CustomerGrade = z.enum(['A', 'B', 'C']);
export type CustomerGrade = z.infer<typeof CustomerGrade>;

/** The sales region a customer belongs to (a code, never an address): the report compares regions. */
export const Region = z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be a region code such as east-china');

/** Teams a case can be routed or escalated to. */
/** How a case was resolved; activities (the CRM record) and the case share the vocabulary. */
export const ResolutionType = z.enum([
  'repair',
  'replace',
  'refund',
  'advice',
  'on-site-service',
  'installation',
]);
export type ResolutionType = z.infer<typeof ResolutionType>;

/** Who a case's ladder step notifies (the journey's owner chain adds its own, in activities.ts). */
export const Audience = z.enum(['assignee', 'team-lead', 'specialist-team', 'management']);
export type Audience = z.infer<typeof Audience>;

export const Team = z.enum([
  'senior-engineers',
  'technical-support',
  'logistics-desk',
  'quality-team',
  'customer-care',
  'specialist-team',
  'management',
  'supply-chain',
]);
export type Team = z.infer<typeof Team>;

/** Free text from people and systems; bounded so one message cannot bloat the history. */
export const Text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

/** An opaque id of a staff member (never a name). */
export const StaffId = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be an opaque staff id');

const Hours = z
  .number()
  .positive('must be more than 0 hours')
  .max(24 * 366, 'must be at most a year');

/** A response window as the contract states it. */
export const PromisedWindow = z.strictObject({
  firstReplyHours: Hours.optional(),
  resolutionHours: Hours.optional(),
  basis: z.enum(['calendar', 'business']).optional(),
});
export type PromisedWindow = z.infer<typeof PromisedWindow>;

/**
 * What pre-sales promised in the signed agreement. After-sales must honour it ("服務承諾一致性",
 * rule HO-2): these values override the default case policy for every later case.
 */
export const PromisedTerms = z.strictObject({
  contractId: z.string().max(64).optional(),
  /** Per-priority response windows promised to this customer. */
  responseWindows: z.partialRecord(Priority, PromisedWindow).optional(),
  /** Hours after resolution within which the customer is revisited. */
  revisitHours: Hours.optional(),
  /** Last day of the warranty (local date). Cases after it are repaired at cost. */
  warrantyUntil: z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }).optional(),
  /** Promised delivery date (local date). */
  deliveryDate: z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }).optional(),
  /** Last day of the contract (local date); the renewal reminder runs before it. */
  contractEnd: z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }).optional(),
  /** The customer's support hours, when the contract defines them. */
  businessCalendar: BusinessCalendar.optional(),
});
export type PromisedTerms = z.infer<typeof PromisedTerms>;

/**
 * A duration as people write it in policy JSON: `30s`, `5m`, `4h`, `2d` (seconds, minutes,
 * hours, days; decimals allowed).
 */
export const DurationText = z
  .string()
  .regex(/^\d+(\.\d+)?(s|m|h|d)$/, 'must be a duration such as 30s, 5m, 4h or 2d');
export type DurationText = z.infer<typeof DurationText>;

const UNIT_MS = Object.freeze({ s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const);

/** Milliseconds of a {@link DurationText}. */
export function durationMs(text: DurationText): number {
  const unit = text.slice(-1) as keyof typeof UNIT_MS;
  return Math.round(Number(text.slice(0, -1)) * UNIT_MS[unit]);
}

/** One event in a workflow's timeline (the `getTimeline` query and the Web UI's details). */
export const TimelineEntry = z.object({
  at: IsoTimestamp,
  type: z.string(),
  summary: z.string(),
  /** The SLA window the event is about, when it is about one. */
  window: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/** What `getTimeline` answers: every event in order, and how many signals were ignored. */
export const TimelineView = z.object({ entries: z.array(TimelineEntry), rejectedSignals: z.number() });
export type TimelineView = z.infer<typeof TimelineView>;
