/**
 * `afterSalesCase` revisit and escalation on the time-skipping test server (rules AS-14, AS-15,
 * AS-17): the 48-hour revisit, the unsatisfied answer, reopening, management.
 */
import { describe, expect, it } from 'vitest';
import {
  closeCaseUpdate,
  escalateUpdate,
  reclassifyUpdate,
  resolveUpdate,
  submitFeedbackUpdate,
} from '../workflows/after-sales-case/contract';
import { clockOf, HOUR, MINUTE, withCaseWorker } from './helpers/case-harness';
import { rejectionOf } from './helpers/temporal';
import { timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

describe('revisit and escalation', () => {
  it('a satisfied revisit closes the case', async () => {
    await withCaseWorker(env(), async ({ start, recorder }) => {
      const handle = await start({ customerId: 'C-14', description: 'Cannot log in' });
      await handle.executeUpdate(resolveUpdate, {
        args: [{ type: 'advice', note: 'password reset link sent' }],
      });
      await env().sleep(20 * HOUR);
      const answer = await handle.executeUpdate(submitFeedbackUpdate, {
        args: [{ csat: 5, nps: 6, resolved: true }],
      });
      expect(answer).toEqual({ outcome: 'closed', satisfied: true, reopenCount: 0 });
      const result = await handle.result();
      expect(result).toMatchObject({
        outcome: 'closed-satisfied',
        csat: 5,
        nps: 6,
        promoter: false,
        reopenCount: 0,
      });
      expect(recorder.of('scheduleRevisit')).toHaveLength(1);
      expect(recorder.of('requestReferral')).toHaveLength(0);
    });
  });

  // Asserts the numbers of docs/rules.md AS-15.
  it('an unsatisfied revisit goes to the specialist team, is resolved again and closes when satisfied', async () => {
    await withCaseWorker(env(), async ({ start, view, recorder }) => {
      const handle = await start({ customerId: 'C-15', description: 'Wi-Fi drops', category: 'technical' });
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'firmware update' }] });
      // Fixed, but a CSAT of 3 is below the line of 4: not satisfied.
      const first = await handle.executeUpdate(submitFeedbackUpdate, {
        args: [{ csat: 3, resolved: true }],
      });
      expect(first).toEqual({ outcome: 'reopened', satisfied: false, reopenCount: 1 });
      await expect.poll(async () => (await view(handle)).stage).toBe('in-progress');
      const reopened = await view(handle);
      expect(reopened).toMatchObject({
        team: 'specialist-team',
        escalationLevel: 'specialist-team',
        reopenCount: 1,
      });
      expect(recorder.of('notifyStaff', { audience: 'specialist-team' }).length).toBeGreaterThan(0);

      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'replace' }] });
      // A CSAT of 4 is on the line: satisfied.
      await handle.executeUpdate(submitFeedbackUpdate, { args: [{ csat: 4, nps: 10, resolved: true }] });
      const result = await handle.result();
      expect(result).toMatchObject({
        outcome: 'closed-satisfied',
        csat: 4,
        reopenCount: 1,
        resolutionType: 'replace',
        promoter: true,
      });
      expect(recorder.of('sendSurvey')).toHaveLength(2);
      expect(recorder.of('requestReferral')).toHaveLength(1);
    });
  });

  // Asserts the numbers of docs/rules.md AS-14.
  it('no feedback within 48 hours marks the revisit breached and hands it to a person', async () => {
    await withCaseWorker(env(), async ({ start, view, recorder }) => {
      const handle = await start({ customerId: 'C-16', description: 'Noise' });
      await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'tighten screws' }] });
      const resolvedAt = Date.parse((await view(handle)).resolution!.at);
      const revisit = clockOf(await view(handle), 'revisit');
      expect(revisit).toMatchObject({ budgetHours: 48, basis: 'calendar' });
      expect(Date.parse(revisit.dueAt!) - Date.parse(revisit.startedAt)).toBe(48 * HOUR);
      await env().sleep(48 * HOUR - MINUTE);
      expect((await view(handle)).stage).toBe('revisit');
      await env().sleep(2 * MINUTE);
      const overdue = await view(handle);
      expect(overdue.stage).toBe('revisit-overdue');
      expect(clockOf(overdue, 'revisit').breached).toBe(true);
      expect(recorder.of('notifyStaff', { window: 'revisit', percent: 100 }).length).toBeGreaterThan(0);
      // Still answerable while a person follows up; without any answer it closes a week after the
      // resolution.
      await env().sleep(resolvedAt + 7 * 24 * HOUR - MINUTE - (await env().currentTimeMs()));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await env().sleep(2 * MINUTE);
      const result = await handle.result();
      expect(result).toMatchObject({ outcome: 'closed-no-feedback', breachedWindows: ['revisit'] });
      expect(Date.parse(result.closedAt) - resolvedAt).toBeGreaterThanOrEqual(7 * 24 * HOUR);
      expect(Date.parse(result.closedAt) - resolvedAt).toBeLessThan(7 * 24 * HOUR + 2 * MINUTE);
    });
  });

  // Asserts the numbers of docs/rules.md AS-15, AS-17.
  it('after the reopen limit management takes over, and a further unsatisfied answer closes the case', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      const handle = await start({ customerId: 'C-17', description: 'Keeps failing', category: 'technical' });
      const outcomes: string[] = [];
      for (let round = 0; round < 4; round++) {
        await expect
          .poll(async () => (await view(handle)).stage)
          .toBe(round === 0 ? 'awaiting-reply' : 'in-progress');
        await handle.executeUpdate(resolveUpdate, {
          args: [{ type: 'advice', note: `attempt ${round + 1}` }],
        });
        const answer = await handle.executeUpdate(submitFeedbackUpdate, {
          args: [{ csat: 1, resolved: false }],
        });
        outcomes.push(answer.outcome);
      }
      expect(outcomes).toEqual(['reopened', 'reopened', 'escalated-to-management', 'closed']);
      const result = await handle.result();
      expect(result).toMatchObject({ outcome: 'closed-unsatisfied', reopenCount: 3, team: 'management' });
    });
  });

  it('manual escalation climbs one way only', async () => {
    await withCaseWorker(env(), async ({ start, recorder }) => {
      const handle = await start({ customerId: 'C-18', description: 'VIP unhappy' });
      const view = await handle.executeUpdate(escalateUpdate, {
        args: [{ level: 'specialist-team', reason: 'VIP' }],
      });
      expect(view).toMatchObject({ escalationLevel: 'specialist-team', team: 'specialist-team' });
      expect(recorder.of('notifyStaff', { audience: 'specialist-team', reason: 'VIP' })).toHaveLength(1);
      expect(
        await rejectionOf(
          handle.executeUpdate(escalateUpdate, { args: [{ level: 'team-lead', reason: 'again' }] }),
        ),
      ).toMatch(/already escalated to specialist-team/);
    });
  });

  // Asserts the numbers of docs/rules.md AS-2.
  it('reclassification recomputes priority, team and deadlines', async () => {
    await withCaseWorker(env(), async ({ start, view, recorder }) => {
      const handle = await start({ customerId: 'C-19', description: 'Slow app', category: 'technical' });
      expect((await view(handle)).priority).toBe('P3');
      await env().sleep(30 * MINUTE);
      const updated = await handle.executeUpdate(reclassifyUpdate, {
        args: [{ severity: 'service-outage', scope: 'many-customers', reason: 'whole region down' }],
      });
      expect(updated).toMatchObject({ priority: 'P1', team: 'senior-engineers' });
      const firstReply = clockOf(updated, 'first-reply');
      expect(firstReply).toMatchObject({ budgetHours: 2, basis: 'calendar' });
      expect(Date.parse(firstReply.dueAt!) - Date.parse(firstReply.startedAt)).toBe(2 * HOUR);
      expect(recorder.of('assignCase', { team: 'senior-engineers' })).toHaveLength(1);
      expect(
        await rejectionOf(
          handle.executeUpdate(reclassifyUpdate, { args: [{ severity: 'service-outage', reason: 'same' }] }),
        ),
      ).toMatch(/nothing changes/);
      expect((await view(handle)).priority).toBe('P1');
    });
  });

  it('ops can close a case by hand; its open windows are closed with it', async () => {
    await withCaseWorker(env(), async ({ start }) => {
      const handle = await start({ customerId: 'C-20', description: 'Duplicate of another ticket' });
      const closed = await handle.executeUpdate(closeCaseUpdate, { args: [{ reason: 'duplicate' }] });
      expect(closed.stage).toBe('closed');
      expect(closed.clocks.every((clock) => clock.state === 'cancelled' || clock.state === 'fulfilled')).toBe(
        true,
      );
      expect((await handle.result()).outcome).toBe('closed-by-ops');
    });
  });
});
