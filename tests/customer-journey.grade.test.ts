/**
 * The customer's grade (rule HO-6), on the time-skipping test server: graded at the contract from
 * its value (or by ops), indexed on the journey and its cases, and an A grade is the faster lane
 * (windows at half, seniors keep technical faults) with the account owner joining urgent cases.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handOverUpdate } from '../workflows/after-sales-case/contract';
import {
  reportIssueUpdate,
  signContractUpdate,
  type JourneyInput,
} from '../workflows/customer-journey/contract';
import { CustomerGradeKey } from '../workflows/kernel/search-attributes';
import { toNegotiation, withJourneyWorker } from './helpers/journey-harness';
import { rejectionOf, timeSkippingEnvironment } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const inquiry: Omit<JourneyInput, 'customerId'> = {
  channel: 'email',
  inquiry: 'Booking system for 12 clinics',
  owner: 'sales-7',
};

describe('customer grade (HO-6)', () => {
  // Asserts the numbers of docs/rules.md HO-6.
  it('an A-grade contract: its urgent case runs at half the windows, the account owner joins, seniors keep it', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, recorder, caseView, timelineTypes }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      await handle.executeUpdate(signContractUpdate, {
        args: [{ contractId: 'K-GR-1', terms: {}, value: { amount: 1_500_000, currency: 'CNY' } }],
      });
      const signed = await waitFor(handle, (view) => view.grade !== undefined);
      expect(signed.grade).toMatchObject({
        grade: 'A',
        basis: 'contract-value',
        value: { amount: 1_500_000, currency: 'CNY' },
      });
      expect((await handle.describe()).typedSearchAttributes.get(CustomerGradeKey)).toBe('A');
      expect(await timelineTypes(handle)).toContain('customer-graded');

      // A safety hazard is P1: first reply in 1 h instead of 2, resolution in 12 h instead of 24.
      const urgent = await handle.executeUpdate(reportIssueUpdate, {
        args: [
          { description: 'Booking down in every clinic', category: 'technical', severity: 'safety-hazard' },
        ],
      });
      expect(urgent.priority).toBe('P1');
      const child = env.client.workflow.getHandle(urgent.caseWorkflowId);
      await expect
        .poll(async () =>
          (await caseView(urgent.caseWorkflowId)).clocks.map((c) => [c.window, c.budgetHours]),
        )
        .toContainEqual(['first-reply', 1]);
      expect(
        (await caseView(urgent.caseWorkflowId)).clocks.find((c) => c.window === 'resolution')?.budgetHours,
      ).toBe(12);
      const view = await caseView(urgent.caseWorkflowId);
      expect(view.customerGrade).toBe('A');
      expect(view.team).toBe('senior-engineers');
      expect((await child.describe()).typedSearchAttributes.get(CustomerGradeKey)).toBe('A');
      const joint = recorder.of('createTask', { kind: 'joint-response' });
      expect(joint).toHaveLength(1);
      expect(joint[0]!.request).toMatchObject({ owner: 'sales-7' });
      expect(await timelineTypes(handle)).toContain('joint-response');

      // A routine technical fault of an A-grade customer is not handed down to support.
      const routine = await handle.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'Report export is slow', category: 'technical', severity: 'function-failure' }],
      });
      expect(routine.priority).toBe('P3');
      expect(recorder.of('createTask', { kind: 'joint-response' })).toHaveLength(1);
      const routineCase = env.client.workflow.getHandle(routine.caseWorkflowId);
      await expect
        .poll(async () => (await caseView(routine.caseWorkflowId)).clocks.map((c) => c.window))
        .toContain('first-reply');
      const routineView = await caseView(routine.caseWorkflowId);
      // P3 first reply: 4 business hours → 2.
      expect(routineView.clocks.find((c) => c.window === 'first-reply')?.budgetHours).toBe(2);
      expect(
        await rejectionOf(
          routineCase.executeUpdate(handOverUpdate, {
            args: [{ to: 'technical-support', reason: 'routine', by: 'eng-1' }],
          }),
        ),
      ).toMatch(/A-grade customer stays with senior engineers/);
    });
  });

  // Asserts the numbers of docs/rules.md HO-6.
  it('grades B and C from the value, keeps ops’ grade, and an ordinary case keeps its windows', async () => {
    await withJourneyWorker(env, async ({ start, waitFor, caseView, recorder }) => {
      const sign = async (
        value: { amount: number; currency: string } | undefined,
        grade?: 'A' | 'B' | 'C',
      ) => {
        const handle = await start(inquiry);
        await toNegotiation(handle, waitFor);
        await handle.executeUpdate(signContractUpdate, {
          args: [
            { contractId: 'K-GR-2', terms: {}, ...(value ? { value } : {}), ...(grade ? { grade } : {}) },
          ],
        });
        return { handle, view: await waitFor(handle, (view) => view.grade !== undefined) };
      };
      expect((await sign({ amount: 300_000, currency: 'CNY' })).view.grade).toMatchObject({
        grade: 'B',
        basis: 'contract-value',
      });
      // The edges: A from 1,000,000 CNY, B from 200,000.
      for (const [amount, grade] of [
        [1_000_000, 'A'],
        [999_999.99, 'B'],
        [200_000, 'B'],
        [199_999.99, 'C'],
      ] as const) {
        expect((await sign({ amount, currency: 'CNY' })).view.grade).toMatchObject({
          grade,
          basis: 'contract-value',
        });
      }
      expect((await sign({ amount: 20_000, currency: 'USD' })).view.grade).toMatchObject({ grade: 'C' });
      // Without a value, the accepted quote's price (100,000 CNY) grades: C.
      expect((await sign(undefined)).view.grade).toMatchObject({
        grade: 'C',
        value: { amount: 100_000, currency: 'CNY' },
      });
      expect((await sign({ amount: 5_000_000, currency: 'JPY' })).view.grade).toMatchObject({
        grade: 'B',
        basis: 'ungraded',
      });
      const ops = await sign({ amount: 1_000, currency: 'CNY' }, 'A');
      expect(ops.view.grade).toMatchObject({ grade: 'A', basis: 'ops' });

      const { handle } = await sign({ amount: 300_000, currency: 'CNY' });
      const reported = await handle.executeUpdate(reportIssueUpdate, {
        args: [{ description: 'All clinics down', category: 'technical', severity: 'safety-hazard' }],
      });
      await expect
        .poll(async () =>
          (await caseView(reported.caseWorkflowId)).clocks.map((c) => [c.window, c.budgetHours]),
        )
        .toContainEqual(['first-reply', 2]);
      expect(recorder.of('createTask', { kind: 'joint-response' })).toHaveLength(0);
    });
  });

  it('refuses a grade or a value it cannot use, naming the field', async () => {
    await withJourneyWorker(env, async ({ start, waitFor }) => {
      const handle = await start(inquiry);
      await toNegotiation(handle, waitFor);
      expect(
        await rejectionOf(
          handle.executeUpdate(signContractUpdate, {
            args: [{ contractId: 'K-GR-3', terms: {}, grade: 'D' as 'A' }],
          }),
        ),
      ).toMatch(/grade: must be one of A, B, C$/);
      expect(
        await rejectionOf(
          handle.executeUpdate(signContractUpdate, {
            args: [{ contractId: 'K-GR-3', terms: {}, value: { amount: -5, currency: 'CNY' } }],
          }),
        ),
      ).toMatch(/value\.amount: must be above 0/);
    });
  });
});
