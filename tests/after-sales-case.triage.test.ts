/**
 * `afterSalesCase` triage on the time-skipping test server (rules AS-1, AS-2): channel, category,
 * severity and scope decide the priority, the team and the windows; reclassification recomputes them.
 */
import { describe, expect, it } from 'vitest';
import { clockOf, p1Outage, withCaseWorker } from './helpers/case-harness';
import { timeSkippingServerForFile } from './helpers/temporal';

const env = timeSkippingServerForFile();

describe('triage', () => {
  it('routes a P1 technical outage to senior engineers and acknowledges the customer', async () => {
    await withCaseWorker(env(), async ({ start, waitFor, recorder }) => {
      const handle = await start(p1Outage);
      const view = await waitFor(handle, (v) => v.assignee !== undefined);
      expect(view.priority).toBe('P1');
      expect(view.team).toBe('senior-engineers');
      expect(view.stage).toBe('awaiting-reply');
      expect(view.assignee).toBe('agent-senior-engineers');
      expect(recorder.of('notifyCustomer', { template: 'case-received' })).toHaveLength(1);
      expect(clockOf(view, 'first-reply')).toMatchObject({
        budgetHours: 2,
        basis: 'calendar',
        state: 'running',
      });
      expect(clockOf(view, 'resolution')).toMatchObject({ budgetHours: 24, basis: 'calendar' });
    });
  });

  it.each([
    ['safety-hazard', 'single-customer', 'P1'],
    ['service-outage', 'single-customer', 'P2'],
    ['function-failure', 'many-customers', 'P2'],
    ['function-failure', 'single-customer', 'P3'],
    ['cosmetic', 'many-customers', 'P3'],
    ['cosmetic', 'single-customer', 'P4'],
  ] as const)('severity %s × scope %s is %s', async (severity, scope, priority) => {
    await withCaseWorker(env(), async ({ start, view }) => {
      const handle = await start({ customerId: 'C-1', description: 'x', category: 'other', severity, scope });
      expect((await view(handle)).priority).toBe(priority);
    });
  });

  // Asserts the numbers of docs/rules.md AS-1.
  it('accepts a minimal input with friendly defaults', async () => {
    await withCaseWorker(env(), async ({ start, view }) => {
      const handle = await start({ customerId: 'C-2', description: 'It makes a noise' });
      const v = await view(handle);
      expect(v).toMatchObject({
        channel: 'phone',
        category: 'other',
        severity: 'function-failure',
        priority: 'P3',
      });
      expect(v.team).toBe('customer-care');
    });
  });

  // Asserts the numbers of docs/rules.md AS-1.
  it('takes an issue from every channel and acknowledges the customer on it', async () => {
    await withCaseWorker(env(), async ({ start, view, recorder }) => {
      const channels = ['phone', 'email', 'online-chat', 'social', 'walk-in'] as const;
      for (const channel of channels) {
        const handle = await start({ customerId: 'C-2', description: 'It makes a noise', channel });
        expect((await view(handle)).channel).toBe(channel);
      }
      await expect
        .poll(() =>
          recorder.of('notifyCustomer', { template: 'case-received' }).map((c) => c.request.channel),
        )
        .toHaveLength(channels.length);
      expect(
        recorder
          .of('notifyCustomer', { template: 'case-received' })
          .map((call) => call.request.channel)
          .sort(),
      ).toEqual([...channels].sort());
    });
  });
});
