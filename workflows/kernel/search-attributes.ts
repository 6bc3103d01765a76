/**
 * Custom search attributes: the analyst-facing index of every journey and case.
 *
 * They are part of the public contract: ops filter on them in the Web UI and
 * analysts query them with `temporal workflow list --query`. None of them may hold personal
 * data: customers appear only by their opaque id.
 *
 * The set stays inside the dev server's per-namespace limits (at most 10 Keyword and 3 each of
 * Bool, Int, Double, Datetime, Text, KeywordList), which `tests/runtime.test.ts` checks.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Opaque customer id from the CRM (never a name, phone or e-mail). */
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
/** Workflow id of the journey a case belongs to, so analysts can list one journey's cases. */
export const JourneyIdKey = defineSearchAttributeKey('JourneyId', SearchAttributeType.KEYWORD);
/** Where a customer journey stands (inquiry, needs, proposal, contract, after-sales, lost…). */
export const JourneyStageKey = defineSearchAttributeKey('JourneyStage', SearchAttributeType.KEYWORD);
/** Where an after-sales case stands (triage, in-progress, awaiting-customer, revisit, closed…). */
export const CaseStageKey = defineSearchAttributeKey('CaseStage', SearchAttributeType.KEYWORD);
/** Case priority P1–P4 from the severity × scope matrix. */
export const CasePriorityKey = defineSearchAttributeKey('CasePriority', SearchAttributeType.KEYWORD);
/** Issue category: technical, logistics, quality, service, other. */
export const IssueCategoryKey = defineSearchAttributeKey('IssueCategory', SearchAttributeType.KEYWORD);
/** Channel the inquiry or issue arrived on: phone, email, online-chat, social, walk-in. */
export const ChannelKey = defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD);
/** Team that owns the case now (senior-engineers, logistics-desk, quality-team, customer-care…). */
export const AssignedTeamKey = defineSearchAttributeKey('AssignedTeam', SearchAttributeType.KEYWORD);
/** How the case was resolved: repair, replace, refund, advice, recall. */
export const ResolutionTypeKey = defineSearchAttributeKey('ResolutionType', SearchAttributeType.KEYWORD);
/** The customer's grade (A/B/C) on their journey and their cases: ops find the A-grade lane's work. */
export const CustomerGradeKey = defineSearchAttributeKey('CustomerGrade', SearchAttributeType.KEYWORD);

/** True once any response window of the workflow was missed. */
export const SlaBreachedKey = defineSearchAttributeKey('SlaBreached', SearchAttributeType.BOOL);
/** True once the workflow was escalated beyond its first owner. */
export const EscalatedKey = defineSearchAttributeKey('Escalated', SearchAttributeType.BOOL);
/** True when the closed case was drawn into the 20 % quality-review sample. */
export const QaSampledKey = defineSearchAttributeKey('QaSampled', SearchAttributeType.BOOL);

/** Latest customer satisfaction (CSAT 1–5). */
export const SatisfactionScoreKey = defineSearchAttributeKey('SatisfactionScore', SearchAttributeType.INT);
/** Latest net-promoter answer (0–10). */
export const NpsScoreKey = defineSearchAttributeKey('NpsScore', SearchAttributeType.INT);
/** How many times a case was reopened after an unsatisfied revisit. */
export const ReopenCountKey = defineSearchAttributeKey('ReopenCount', SearchAttributeType.INT);

/** The nearest open SLA deadline, so ops can sort by "due soonest". */
export const NextDeadlineAtKey = defineSearchAttributeKey('NextDeadlineAt', SearchAttributeType.DATETIME);
/** When the case was (last) resolved; the 48-hour revisit runs from here. */
export const ResolvedAtKey = defineSearchAttributeKey('ResolvedAt', SearchAttributeType.DATETIME);

/**
 * When a journey was lost or closed. A lost journey stays open a while for the pre-sales survey,
 * so its close time is not when the prospect was lost.
 */
export const EndedAtKey = defineSearchAttributeKey('EndedAt', SearchAttributeType.DATETIME);

/** Names of the SLA windows that were breached (first-reply, resolution, revisit…). */
export const BreachedWindowsKey = defineSearchAttributeKey(
  'BreachedWindows',
  SearchAttributeType.KEYWORD_LIST,
);

/**
 * What a case waits on a person for, apart from its SLA windows: `reply-review` (an assisted
 * reply not yet confirmed or corrected), `integration-failed` (a backend call gave up),
 * `carrier-claim` (a claim not yet settled).
 */
export const NeedsAttentionKey = defineSearchAttributeKey('NeedsAttention', SearchAttributeType.KEYWORD_LIST);

/** Every custom search attribute, in the order `npm start` registers them. */
export const allSearchAttributeKeys = [
  CustomerIdKey,
  JourneyIdKey,
  JourneyStageKey,
  CaseStageKey,
  CasePriorityKey,
  IssueCategoryKey,
  ChannelKey,
  AssignedTeamKey,
  ResolutionTypeKey,
  CustomerGradeKey,
  SlaBreachedKey,
  EscalatedKey,
  QaSampledKey,
  SatisfactionScoreKey,
  NpsScoreKey,
  ReopenCountKey,
  NextDeadlineAtKey,
  ResolvedAtKey,
  EndedAtKey,
  BreachedWindowsKey,
  NeedsAttentionKey,
] as const;
