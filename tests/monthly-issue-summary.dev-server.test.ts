/**
 * The monthly frequent-issue summary (rule X6) on the real dev server: closed cases of the month,
 * the top categories, products and causes with their trend, a repeated issue recorded in the
 * knowledge base, the summary delivered to the quality team and training.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities';
import { OutboxGateway, readOutbox } from '../activities/integrations';
import { frequentIssues } from '../lib/report/monthly';
import type { afterSalesCase, monthlyIssueSummary } from '../workflows';
import { closeCaseUpdate, resolveUpdate, type CaseResult } from '../workflows/after-sales-case/contract';
import { monthRange, previousMonth } from '../workflows/monthly-issue-summary/contract';
import { ActivityRecorder } from './helpers/fake-activities';
import { createTestWorker, devServerEnvironment, testNames } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

describe('monthly frequent-issue summary (X6)', () => {
  // Asserts the numbers of docs/rules.md LE-9.
  it('ranks this month against the last, the top 5 with their trend', () => {
    const at = (category: CaseResult['category'], product?: string) => ({ category, product }) as CaseResult;
    const current = [at('technical', 'A'), at('technical', 'A'), at('logistics', 'B'), at('quality')];
    const previous = [at('technical'), at('technical'), at('technical'), at('logistics')];
    expect(frequentIssues(current, previous, (c) => c.category)).toEqual([
      { key: 'technical', count: 2, previous: 3, trend: 'down' },
      { key: 'logistics', count: 1, previous: 1, trend: 'same' },
      { key: 'quality', count: 1, previous: 0, trend: 'new' },
    ]);
    expect(frequentIssues(current, previous, (c) => c.product, 1)).toEqual([
      { key: 'A', count: 2, previous: 0, trend: 'new' },
    ]);
    // The top 5 by default: of seven products the two least reported are left out.
    const seven = ['P1', 'P1', 'P2', 'P2', 'P3', 'P3', 'P4', 'P4', 'P5', 'P5', 'P6', 'P7'].map((p) =>
      at('other', p),
    );
    expect(frequentIssues(seven, [], (c) => c.product).map((issue) => issue.key)).toEqual([
      'P1',
      'P2',
      'P3',
      'P4',
      'P5',
    ]);
    expect(monthRange('2026-12')).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
      previousFrom: '2026-11-01T00:00:00.000Z',
    });
    expect(previousMonth('2027-01-01T01:00:00.000Z')).toBe('2026-12');
  });

  // Asserts the numbers of docs/rules.md LE-9.
  it('summarises the month’s closed cases, records the repeated issue and delivers it', async () => {
    const { taskQueue, workflowId } = testNames();
    const tag = taskQueue.slice(-8);
    const outbox = fs.mkdtempSync(path.join(inject('temporal').runDir, 'monthly-'));
    const real = createActivities({ gateway: new OutboxGateway({ dir: outbox }), reportClient: env.client });
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: {
        ...new ActivityRecorder().activities,
        buildMonthlyIssueSummary: (request: Parameters<typeof real.buildMonthlyIssueSummary>[0]) =>
          real.buildMonthlyIssueSummary(request),
      },
    });
    await worker.runUntil(async () => {
      const customer = (name: string) => `C-MS-${tag}-${name}`;
      const closedCase = async (
        name: string,
        customerId: string,
        input: Partial<Parameters<typeof afterSalesCase>[0]>,
      ) => {
        const handle = await env.client.workflow.start<typeof afterSalesCase>('afterSalesCase', {
          taskQueue,
          workflowId: workflowId(name),
          args: [{ customerId, description: 'Jams after an hour', category: 'quality', ...input }],
        });
        await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'clean the roller' }] });
        await handle.executeUpdate(closeCaseUpdate, { args: [{ reason: 'resolved-elsewhere' }] });
        return (await handle.result()).caseId;
      };
      const sku = `SKU-${tag}`;
      await closedCase('first', customer('a'), { product: { sku }, cause: 'quality' });
      const repeat = await closedCase('again', customer('a'), { product: { sku }, cause: 'quality' });
      await closedCase('other', customer('b'), { category: 'other', cause: 'unknown' });
      const month = new Date().toISOString().slice(0, 7);
      const query = `CustomerId IN ('${customer('a')}', '${customer('b')}')`;
      await expect
        .poll(
          async () =>
            (
              await env.client.workflow.count(
                `WorkflowType = 'afterSalesCase' AND ${query} AND ExecutionStatus = 'Completed'`,
              )
            ).count,
          { timeout: 20_000 },
        )
        .toBe(3);
      const summary = await env.client.workflow.execute<typeof monthlyIssueSummary>('monthlyIssueSummary', {
        taskQueue,
        workflowId: workflowId('summary'),
        args: [{ month, query }],
      });
      expect(summary).toMatchObject({
        month,
        cases: 3,
        previousCases: 0,
        topCategories: [
          { key: 'quality', count: 2, previous: 0, trend: 'new' },
          { key: 'other', count: 1, previous: 0, trend: 'new' },
        ],
        topProducts: [{ key: sku, count: 2, trend: 'new' }],
        topCauses: [
          { key: 'quality', count: 2 },
          { key: 'unknown', count: 1 },
        ],
        repeatIssues: 1,
        knowledgeBaseEntries: 1,
      });
      const quality = readOutbox(outbox, 'quality');
      const entries = quality.filter((entry) => entry.operation === 'record-knowledge-base-entry');
      expect(entries.map((entry) => entry.payload)).toEqual([
        expect.objectContaining({ caseId: repeat, product: sku, cause: 'quality', category: 'quality' }),
      ]);
      const delivered = quality.filter((entry) => entry.operation === 'monthly-issue-summary');
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.payload).toMatchObject({ handTo: ['quality-team', 'training'], month, cases: 3 });
    });
  });
});
