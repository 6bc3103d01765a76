/**
 * The weekly QA draw and the reviews (rules LE-2, X16), on the time-skipping test server: exactly
 * 20 % of the week's closed cases (rounded up) and a share of its answered inquiries, reproducibly
 * from the recorded seed, each reviewed as tracked work whose scores close it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../activities/types';
import type { qaReview, weeklyQaReport } from '../workflows';
import { CustomerIdKey } from '../workflows/kernel/search-attributes';
import { getQaReviewQuery, qaReviewWorkflowId, submitQaReviewUpdate } from '../workflows/qa-review/contract';
import { drawSample } from '../workflows/weekly-qa-report/sample';
import { ActivityRecorder } from './helpers/fake-activities';
import { skipToShanghai } from './helpers/journey-harness';
import { createTestWorker, rejectionOf, testNames, timeSkippingEnvironment } from './helpers/temporal';
import { walkTrackedTimeline } from './helpers/tracked-work';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const ids = (n: number, prefix = 'case') =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

describe('the weekly QA draw (LE-2)', () => {
  // Asserts the numbers of docs/rules.md LE-2.
  it('the weekly report draws exactly 20 % (rounded up): 2 of 10, 3 of 11, reproducibly from its seed', async () => {
    expect(drawSample(ids(10), 0.2, 42)).toHaveLength(2);
    expect(drawSample(ids(11), 0.2, 42)).toHaveLength(3);
    expect(drawSample(ids(0), 0.2, 42)).toEqual([]);
    // The same population and seed, in any order: the same sample; another seed, (almost surely) another.
    expect(drawSample([...ids(50)].reverse(), 0.2, 7)).toEqual(drawSample(ids(50), 0.2, 7));
    expect(drawSample(ids(50), 0.2, 8)).not.toEqual(drawSample(ids(50), 0.2, 7));
    // Every case is as likely as any other: over many seeds each is drawn about 20 % of the time.
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 2_000; seed++)
      for (const id of drawSample(ids(10), 0.2, seed)) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of ids(10)) expect(counts.get(id)! / 2_000).toBeGreaterThan(0.15);

    // The workflow: 11 closed cases and 10 answered inquiries → 3 case reviews and 1 inquiry review.
    const { taskQueue } = testNames();
    const tag = taskQueue.slice(-8);
    const population = {
      cases: ids(11, `case-${tag}`).map((id) => ({ id, customerId: `C-${id}` })),
      inquiries: ids(10, `inquiry-${tag}`).map((id) => ({ id, customerId: `C-${id}` })),
    };
    const delivered: Parameters<Activities['buildWeeklyQaReport']>[0][] = [];
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: {
        ...new ActivityRecorder().activities,
        listQaPopulation: () => Promise.resolve(population),
        buildWeeklyQaReport: (request: Parameters<Activities['buildWeeklyQaReport']>[0]) => {
          delivered.push(request);
          return Promise.resolve({
            from: request.from,
            to: request.to,
            cases: 11,
            qaSample: request.sample?.caseIds.length ?? 0,
            flaggedAreas: [],
            satisfactionRate: null,
            slaCompliance: null,
            deliveryId: 'REPORT-1',
          });
        },
      },
    });
    await worker.runUntil(async () => {
      const summary = await env.client.workflow.execute<typeof weeklyQaReport>('weeklyQaReport', {
        taskQueue,
        workflowId: `${taskQueue}-week`,
        args: [{ to: '2026-11-23T01:00:00.000Z' }],
      });
      const draw = summary.qaDraw!;
      expect(draw.cases).toEqual({
        population: 11,
        drawn: drawSample(
          population.cases.map((c) => c.id),
          0.2,
          draw.seed,
        ),
      });
      expect(draw.cases.drawn).toHaveLength(3);
      expect(draw.inquiries.drawn).toEqual(
        drawSample(
          population.inquiries.map((i) => i.id),
          0.1,
          draw.seed + 1,
        ),
      );
      expect(draw.inquiries.drawn).toHaveLength(1);
      expect(draw.reviewsStarted).toBe(4);
      // The delivered report's sample is the draw, with its seed.
      expect(delivered[0]!.sample).toEqual({ seed: draw.seed, caseIds: draw.cases.drawn });
      const first = env.client.workflow.getHandle(
        qaReviewWorkflowId({ kind: 'case', id: draw.cases.drawn[0]! }),
      );
      expect(await first.query(getQaReviewQuery)).toMatchObject({ stage: 'open', reviewer: 'quality-team' });
      expect((await first.describe()).typedSearchAttributes.get(CustomerIdKey)).toBe(
        `C-${draw.cases.drawn[0]}`,
      );
      for (const id of [
        ...draw.cases.drawn.map((c) => ({ kind: 'case' as const, id: c })),
        ...draw.inquiries.drawn.map((i) => ({ kind: 'inquiry' as const, id: i })),
      ])
        await env.client.workflow.getHandle(qaReviewWorkflowId(id)).terminate('test finished');
    });
  });

  // Asserts the numbers of docs/rules.md LE-2.
  it('a review is due in 27 business hours: reminded at 75 %, overdue at its due date, closed by its scores 1–5', async () => {
    // A Monday 08:00 in Shanghai: the business clock starts at 09:00 sharp.
    const at = await skipToShanghai(env, { hour: 8, day: 1 });
    const { taskQueue } = testNames();
    const recorder = new ActivityRecorder();
    const worker = await createTestWorker(env, { taskQueue, activities: recorder.activities });
    await worker.runUntil(async () => {
      const subject = { kind: 'case' as const, id: `case-${taskQueue.slice(-8)}` };
      const handle = await env.client.workflow.start<typeof qaReview>('qaReview', {
        taskQueue,
        workflowId: qaReviewWorkflowId(subject),
        args: [{ subject, draw: { from: at.toISOString(), to: at.toISOString(), seed: 1 } }],
      });
      const opened = await handle.query(getQaReviewQuery);
      await walkTrackedTimeline(env, {
        at,
        dueAt: opened.dueAt,
        // 27 business hours: Wednesday 18:00; 75 % is 20.25 hours, Wednesday 11:15.
        dueAfterHours: 2 * 24 + 10,
        remindAfterHours: 2 * 24 + 3.25,
        ownerNotices: () => recorder.of('notifyStaff', { audience: 'owner', staffId: 'quality-team' }).length,
        stage: async () => (await handle.query(getQaReviewQuery)).stage,
        leadNotices: () =>
          recorder.of('notifyStaff', { audience: 'owner-lead', staffId: 'quality-lead' }).length,
        handle,
      });
      expect(
        await rejectionOf(
          handle.executeUpdate(submitQaReviewUpdate, {
            args: [
              { reviewer: 'qa-1', scores: { solution: 6, communication: 4, satisfaction: 4 }, findings: 'x' },
            ],
          }),
        ),
      ).toMatch(/scores\.solution: must be 1–5/);
      expect(
        await rejectionOf(
          handle.executeUpdate(submitQaReviewUpdate, {
            args: [
              { reviewer: 'qa-1', scores: { solution: 4, communication: 0, satisfaction: 4 }, findings: 'x' },
            ],
          }),
        ),
      ).toMatch(/scores\.communication: must be 1–5/);
      const closed = await handle.executeUpdate(submitQaReviewUpdate, {
        args: [
          {
            reviewer: 'qa-1',
            scores: { solution: 4, communication: 5, satisfaction: 3 },
            findings: 'Clear answer, slow',
          },
        ],
      });
      expect(closed).toMatchObject({ stage: 'closed', overdue: true, reviewedBy: 'qa-1' });
      expect((await handle.result()).scores).toEqual({ solution: 4, communication: 5, satisfaction: 3 });
    });
  });
});
