/**
 * Fake activities for workflow tests: they answer like the real systems would and record every
 * call, so a test can assert who was notified, when, and with which idempotency key. Individual
 * activities can be replaced per test (e.g. a replacement that cannot ship).
 */
import type { Activities } from '../../activities/types';

export interface RecordedCall {
  activity: keyof Activities;
  request: Record<string, unknown> & { idempotencyKey: string };
  /** Server time of the call, when a clock was given (the time-skipping server's). */
  at?: number;
}

export class ActivityRecorder {
  readonly calls: RecordedCall[] = [];
  readonly activities: Activities;

  constructor(
    overrides: Partial<Activities> = {},
    private readonly clock?: () => Promise<number>,
  ) {
    const record = async (activity: keyof Activities, request: object) => {
      this.calls.push({
        activity,
        request: request as RecordedCall['request'],
        at: this.clock ? await this.clock() : undefined,
      });
    };
    const id = (prefix: string, request: { idempotencyKey: string }) =>
      `${prefix}-${request.idempotencyKey.split('/').slice(1).join('-')}`;
    const defaults: Activities = {
      notifyCustomer: async (r) => (await record('notifyCustomer', r), { messageId: id('msg', r) }),
      notifyStaff: async (r) => (await record('notifyStaff', r), { notificationId: id('note', r) }),
      assignCase: async (r) => (await record('assignCase', r), { assignee: `agent-${r.team}` }),
      lookupPromisedTerms: async (r) => (await record('lookupPromisedTerms', r), { source: 'none' as const }),
      openCarrierClaim: async (r) => (await record('openCarrierClaim', r), { claimId: 'CLAIM-1' }),
      openRecall: async (r) => (await record('openRecall', r), { recallId: 'RECALL-1' }),
      scheduleRepair: async (r) => (await record('scheduleRepair', r), { repairOrderId: 'REPAIR-1' }),
      scheduleVisit: async (r) => (await record('scheduleVisit', r), { visitId: 'VISIT-1' }),
      shipReplacement: async (r) => (
        await record('shipReplacement', r),
        { shipped: true, shipmentId: 'SHIP-1' }
      ),
      issueRefund: async (r) => (await record('issueRefund', r), { refundId: 'REFUND-1' }),
      scheduleRevisit: async (r) => (await record('scheduleRevisit', r), { taskId: id('task', r) }),
      sendSurvey: async (r) => (await record('sendSurvey', r), { surveyId: id('survey', r) }),
      requestQaReview: async (r) => (await record('requestQaReview', r), { reviewId: id('qa', r) }),
      recordKnowledgeBaseEntry: async (r) => (
        await record('recordKnowledgeBaseEntry', r),
        { entryId: 'KB-1' }
      ),
      requestReferral: async (r) => (await record('requestReferral', r), { requestId: id('ref', r) }),
      syncCustomerArchive: async (r) => (await record('syncCustomerArchive', r), { archiveVersion: 'v1' }),
      recordArchiveEvent: async (r) => (await record('recordArchiveEvent', r), { archiveVersion: 'v2' }),
      pushTrainingSchedule: async (r) => (await record('pushTrainingSchedule', r), { scheduleId: 'TRAIN-1' }),
      createTask: async (r) => (await record('createTask', r), { taskId: id('task', r) }),
      buildMonthlyIssueSummary: async (r) => (
        await record('buildMonthlyIssueSummary', r),
        {
          month: r.month,
          from: r.from,
          to: r.to,
          cases: 0,
          previousCases: 0,
          topCategories: [],
          topProducts: [],
          topCauses: [],
          repeatIssues: 0,
          knowledgeBaseEntries: 0,
          deliveryId: 'SUMMARY-1',
        }
      ),
      listQaPopulation: async (r) => (await record('listQaPopulation', r), { cases: [], inquiries: [] }),
      buildWeeklyQaReport: async (r) => (
        await record('buildWeeklyQaReport', r),
        {
          from: r.from,
          to: r.to,
          cases: 0,
          qaSample: 0,
          flaggedAreas: [],
          satisfactionRate: null,
          slaCompliance: null,
          deliveryId: 'REPORT-1',
        }
      ),
    };
    const wrapped = Object.fromEntries(
      Object.entries(overrides).map(([name, implementation]) => [
        name,
        async (request: object) => {
          await record(name as keyof Activities, request);
          return (implementation as (request: object) => Promise<unknown>)(request);
        },
      ]),
    );
    this.activities = { ...defaults, ...wrapped };
  }

  /** Calls of one activity, optionally filtered by a request field. */
  of<K extends keyof Activities>(
    activity: K,
    match: Partial<Parameters<Activities[K]>[0]> = {},
  ): RecordedCall[] {
    return this.calls.filter(
      (call) =>
        call.activity === activity &&
        Object.entries(match).every(
          ([key, value]) => JSON.stringify(call.request[key]) === JSON.stringify(value),
        ),
    );
  }
}
