/**
 * Triage (rules AS-1 … AS-3, AS-7, AS-9): the case is opened with its priority (severity × scope),
 * routed to its team, and its windows start — synchronously, before any handler exists, so a
 * message delivered with the start already finds a triaged case. Then the side effects: the
 * assignment, the "case received" message with the promised reply time, and the category's
 * procedures (the carrier claim, the recall with full-chain trace).
 */
import type { z } from 'zod';
import { idempotencyKey } from '../kernel/activity-calls';
import { caseActivities as activities } from './activities';
import * as metrics from '../kernel/metrics';
import { openCarrierClaim } from './carrier-claim';
import type { ProductDetails } from './contract';
import type { Case } from './model';
import { notifyCaseStaff, raiseEscalation, startCaseWindows, type CategoryProcedure } from './windows';

/** Opens the case: timeline, windows, stage. Returns the procedures its category needs. */
export function openCase(c: Case): CategoryProcedure[] {
  const { input, priority, team } = c.s;
  c.entity.record('case-opened', `${input.category} issue reported via ${input.channel}`, {
    data: { severity: input.severity, scope: input.scope },
  });
  c.entity.record('triaged', `priority ${priority} (${input.severity} × ${input.scope}), routed to ${team}`, {
    data: { priority, team },
  });
  const procedures = startCaseWindows(c);
  c.entity.moveTo('awaiting-reply', 'triaged');
  metrics.caseOpened({ priority, team, channel: input.channel });
  return procedures;
}

/** The side effects of triage: assignment, acknowledgement, carrier claim, recall. */
export async function runTriage(c: Case, procedures: readonly CategoryProcedure[]): Promise<void> {
  const firstReply = c.windows.latest('first-reply');
  const replyBy = firstReply ? c.windows.dueAt(firstReply) : undefined;
  // Rule AS-19: a serious complaint is reported upward at once and handled by management.
  const serious = c.s.input.complaint === 'serious';
  if (serious) raiseEscalation(c, 'management', 'serious complaint: reported upward at once');
  c.triageAssigning = true;
  await Promise.all([
    assign(c, 'triage'),
    serious
      ? notifyCaseStaff(c, 'complaint/serious', {
          audience: 'management',
          reason: `serious complaint (${c.s.priority} ${c.s.input.category}): handle it at once`,
        })
      : undefined,
    c.entity.notifyCustomer('customer/case-received', 'case-received', {
      priority: c.s.priority,
      replyBy: replyBy ?? '',
    }),
    runProcedures(c, procedures),
  ]);
  c.entity.touch();
}

export async function runProcedures(c: Case, procedures: readonly CategoryProcedure[]): Promise<void> {
  await Promise.all(
    procedures.map((procedure) =>
      procedure === 'carrier-claim'
        ? openCarrierClaim(c)
        : procedure === 'recall'
          ? openRecall(c)
          : askRecallDetails(c),
    ),
  );
}

/** Asks the staffing system for a person of the case's team. */
export async function assign(c: Case, step: string): Promise<void> {
  const s = c.s;
  const team = s.team;
  const result = await c.entity.attempt(`assign/${step}`, `assigning to ${s.team}`, () =>
    activities.assignCase.executeWithOptions({ summary: `assign ${s.priority} case to ${s.team}` }, [
      {
        idempotencyKey: idempotencyKey(`assign/${step}`),
        caseId: s.caseId,
        team: s.team,
        priority: s.priority,
        category: s.input.category,
      },
    ]),
  );
  if (!result) return;
  // Handed to another team while the staffing system answered: that team's assignment counts.
  if (c.handlingV4 && s.team !== team) {
    c.entity.record(
      'assignment-superseded',
      `${result.assignee} (${team}) not kept: the case is now with ${s.team}`,
    );
    return;
  }
  s.assignee = result.assignee;
  c.entity.record('assigned', `assigned to ${result.assignee} (${s.team})`, {
    data: { team: s.team, assignee: result.assignee },
  });
}

async function openRecall(c: Case): Promise<void> {
  const { caseId, input } = c.s;
  const batch = input.product?.batch ?? 'unknown';
  const result = await c.entity.attempt('recall', 'opening the recall procedure', () =>
    activities.openRecall.executeWithOptions({ summary: `open recall for batch ${batch}` }, [
      {
        idempotencyKey: idempotencyKey('recall'),
        caseId,
        sku: input.product?.sku,
        batch: input.product?.batch,
      },
    ]),
  );
  if (!result) return;
  c.windows.fulfil('recall', `recall ${result.recallId} opened`);
  c.entity.record(
    'recall-opened',
    `recall ${result.recallId} opened with full-chain trace of batch ${batch}`,
    {
      window: 'recall',
      data: { recallId: result.recallId, sku: input.product?.sku, batch: input.product?.batch },
    },
  );
  raiseEscalation(c, 'specialist-team', 'safety hazard: recall procedure');
  await c.entity.notifyCustomer('customer/recall-notice', 'recall-notice', { recallId: result.recallId });
}

/** A recall without batch or order cannot be traced: the customer is asked for them. */
async function askRecallDetails(c: Case): Promise<void> {
  c.entity.record('recall-details-requested', 'batch or order needed to trace the recall; customer asked', {
    window: 'recall-details',
  });
  await c.entity.notifyCustomer('customer/recall-details', 'recall-details-needed', {
    needs: 'batch or order number',
  });
}

/** The customer gave the product's batch or order: a recall waiting for them is opened now. */
export async function onProductDetails(c: Case, details: z.output<typeof ProductDetails>): Promise<void> {
  const s = c.s;
  s.input = { ...s.input, product: { ...s.input.product, ...definedOnly(details) } };
  c.entity.record('product-details', 'product details received', {
    data: { sku: details.sku, batch: details.batch, orderId: details.orderId },
  });
  if (!c.windows.open('recall-details')) return c.entity.touch();
  c.windows.fulfil('recall-details', 'batch or order received');
  c.windows.start('recall', s.policy.recallOpening);
  await openRecall(c);
  c.entity.touch();
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
