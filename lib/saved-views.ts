/**
 * Ready-made list filters (saved views) for ops and analysts: the queries behind the README's
 * table, usable in the Web UI's filter box, with `temporal workflow list --query`, and with
 * `client.workflow.list` / `count`. Visibility queries take absolute times, so the views that
 * speak of "this week" or "the next two hours" are computed from a given instant.
 */

export interface SavedView {
  /** Short name for the UI's saved views. */
  name: string;
  /** Who it is for and what it answers. */
  purpose: string;
  query: string;
}

/** Monday 00:00 UTC of the week containing `now`. */
export function startOfWeek(now: Date): Date {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const sinceMonday = (start.getUTCDay() + 6) % 7;
  start.setUTCDate(start.getUTCDate() - sinceMonday);
  return start;
}

const iso = (date: Date) => date.toISOString();

/**
 * The saved views as of `now`.
 *
 * @param customerId the customer for the per-customer view (an opaque id).
 * @param team the team for the per-team view.
 */
export function savedViews(now: Date, customerId = 'C-1001', team = 'customer-care'): SavedView[] {
  const week = iso(startOfWeek(now));
  const soon = iso(new Date(now.getTime() + 2 * 3_600_000));
  const cases = `WorkflowType = 'afterSalesCase'`;
  const journeys = `WorkflowType = 'customerJourney'`;
  const analyses = `WorkflowType = 'rootCauseAnalysis'`;
  const running = `ExecutionStatus = 'Running'`;
  return [
    {
      name: 'Open P1 cases',
      purpose: 'ops: the most urgent work',
      query: `${cases} AND ${running} AND CasePriority = 'P1'`,
    },
    {
      name: 'Due within 2 hours',
      purpose: 'ops: open windows about to run out, or already overdue',
      query: `${cases} AND ${running} AND NextDeadlineAt < '${soon}'`,
    },
    {
      name: 'Breached SLAs this week',
      purpose: 'ops leads, analysts: every case of this week that missed a window',
      query: `${cases} AND SlaBreached = true AND StartTime >= '${week}'`,
    },
    {
      name: 'Escalated and open',
      purpose: 'specialist team, management',
      query: `${cases} AND ${running} AND Escalated = true`,
    },
    {
      name: 'Unsatisfied revisits',
      purpose: 'quality team: customers who answered CSAT 3 or lower',
      query: `${cases} AND SatisfactionScore <= 3`,
    },
    {
      name: 'Overdue revisits',
      purpose: 'revisit callers: no answer within 48 hours of the fix',
      query: `${cases} AND CaseStage = 'revisit-overdue'`,
    },
    {
      name: 'QA sample this week',
      purpose: 'quality team: the week’s QA reviews (20 % of closed cases, a share of answered inquiries)',
      // The weekly draw's reviews, and the cases whose own policy drew them.
      query:
        `(WorkflowType = 'qaReview' AND StartTime >= '${week}') OR ` +
        `(${cases} AND QaSampled = true AND CloseTime >= '${week}')`,
    },
    {
      name: 'Assisted replies awaiting review',
      purpose: 'team leads: drafted replies a person has not yet confirmed or corrected',
      query: `${cases} AND ${running} AND NeedsAttention = 'reply-review'`,
    },
    {
      name: 'Carrier claims not settled',
      purpose: 'logistics desk: claims still to follow to closure',
      query: `${cases} AND ${running} AND NeedsAttention = 'carrier-claim'`,
    },
    {
      name: 'Repeat issues this week',
      purpose: 'quality team, team leads: the same issue again within 30 days, and why the fix did not hold',
      query: `${cases} AND NeedsAttention = 'repeat-issue' AND StartTime >= '${week}'`,
    },
    {
      name: 'Closed without a resolution this week',
      purpose: 'team leads, analysts: the cases behind the resolution rate, closed with nothing carried out',
      query: `${cases} AND ExecutionStatus = 'Completed' AND ResolutionType IS NULL AND CloseTime >= '${week}'`,
    },
    {
      name: 'Open cases of one team',
      purpose: 'team leads: the team’s workload (the report breaks every figure down per team)',
      query: `${cases} AND ${running} AND AssignedTeam = '${team}'`,
    },
    {
      name: 'A-grade customers’ open cases',
      purpose: 'key-account owners, team leads: the faster lane (windows at half, seniors keep them)',
      query: `${cases} AND ${running} AND CustomerGrade = 'A'`,
    },
    {
      name: 'Customers at SLA risk',
      purpose: 'account owners, ops leads: customers whose cases keep breaching (rule OU-2)',
      query: `${journeys} AND ${running} AND NeedsAttention = 'customer-at-risk'`,
    },
    {
      name: 'Cases of one customer',
      purpose: 'anyone: a customer’s history',
      query: `${cases} AND CustomerId = '${customerId}'`,
    },
    {
      name: 'Inquiries waiting for a first response',
      purpose: 'sales desk',
      query: `${journeys} AND ${running} AND JourneyStage = 'inquiry'`,
    },
    {
      name: 'Deliveries running late',
      purpose: 'delivery leads: a promised date or milestone missed',
      query: `${journeys} AND ${running} AND BreachedWindows IN ('delivery', 'milestone')`,
    },
    {
      name: 'Root-cause analyses overdue',
      purpose: 'quality lead: analyses whose findings are past their due date',
      query: `${analyses} AND ${running} AND SlaBreached = true`,
    },
    {
      name: 'Lost prospects this week',
      purpose: 'sales leads, analysts: conversion',
      // A lost journey stays open for the pre-sales survey: when it was lost is `EndedAt`.
      query: `${journeys} AND JourneyStage = 'lost' AND EndedAt >= '${week}'`,
    },
  ];
}
