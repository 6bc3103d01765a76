/**
 * `quoteApproval`: the internal approval of one quote (rule PS-6 in docs/rules.md).
 *
 * A quote whose margin meets the policy is approved by policy at once. Otherwise the manager is
 * asked and has a window of business hours; after it the deputy is asked; after the deputy's
 * window the quote expires back to sales. The decision goes back to the journey by signal.
 */
import {
  condition,
  getExternalWorkflowHandle,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { addWorkingTime } from './definitions/business-hours';
import { durationMs } from './definitions/common';
import { quoteDecidedSignal } from './definitions/journey';
import {
  DecideQuote,
  decideQuoteUpdate,
  getQuoteQuery,
  marginOf,
  QUOTE_APPROVAL_WORKFLOW,
  QUOTE_HANDLER_DESCRIPTIONS,
  QuoteApprovalInput,
  type QuoteDecision,
  type QuoteView,
} from './definitions/quote';
import { parseOrThrow, RuleViolation } from './definitions/validation';
import {
  activities,
  calendarProblems,
  failureMessage,
  formatInstant,
  idempotencyKey,
  invalidInput,
  msUntil,
  nowIso,
  parseWorkflowInput,
} from './internal/workflow-support';

export async function quoteApproval(input: QuoteApprovalInput): Promise<QuoteDecision> {
  const quote = parseWorkflowInput(QuoteApprovalInput, input, QUOTE_APPROVAL_WORKFLOW);
  const unworkable = calendarProblems(
    quote.calendar,
    'calendar',
    [
      { field: 'policy.approverWindow', ms: durationMs(quote.policy.approverWindow) },
      { field: 'policy.deputyWindow', ms: durationMs(quote.policy.deputyWindow) },
    ],
    nowIso(),
  );
  if (unworkable.length > 0) throw invalidInput(QUOTE_APPROVAL_WORKFLOW, unworkable);
  const margin = marginOf(quote.price, quote.cost);
  let status: QuoteView['status'] = 'pending-approver';
  let approverDueAt: string | undefined;
  let deputyDueAt: string | undefined;
  let decision: QuoteDecision | undefined;
  let escalatedToDeputy = false;

  const view = (): QuoteView => ({
    quoteId: quote.quoteId,
    journeyId: quote.journeyId,
    price: quote.price,
    cost: quote.cost,
    currency: quote.currency,
    margin,
    status,
    approverDueAt,
    deputyDueAt,
    decision,
  });
  const details = (line: string) =>
    setCurrentDetails(
      `**Quote ${quote.quoteId}** · ${quote.price} ${quote.currency} · margin ${(margin * 100).toFixed(1)} % ` +
        `(auto-approval from ${(quote.policy.autoApproveMargin * 100).toFixed(0)} %)\n\n${line}`,
    );
  const decide = (kind: QuoteDecision['decision'], decidedBy: string, extra: Partial<QuoteDecision> = {}) => {
    decision = {
      quoteId: quote.quoteId,
      decision: kind,
      decidedBy,
      margin,
      escalatedToDeputy,
      decidedAt: nowIso(),
      ...extra,
    };
    status = 'decided';
    details(`**Decision:** ${kind} by ${decidedBy}${extra.reason ? ` — ${extra.reason}` : ''}`);
  };

  setHandler(getQuoteQuery, view, { description: QUOTE_HANDLER_DESCRIPTIONS.getQuote });
  setHandler(
    decideQuoteUpdate,
    (request) => {
      const parsed = DecideQuote.parse(request);
      const kind =
        parsed.decision === 'approve' ? 'approved' : parsed.decision === 'reject' ? 'rejected' : 'adjusted';
      decide(kind, parsed.approverId, { suggestedPrice: parsed.suggestedPrice, reason: parsed.reason });
      return decision!;
    },
    {
      validator: (request) => {
        parseOrThrow(DecideQuote, request, 'decideQuote');
        if (status === 'decided') throw new RuleViolation(`the quote is already ${decision?.decision}`);
      },
      description: QUOTE_HANDLER_DESCRIPTIONS.decideQuote,
    },
  );

  if (margin >= quote.policy.autoApproveMargin) {
    decide('approved', 'policy', { reason: `margin ${(margin * 100).toFixed(1)} % meets the policy` });
  } else {
    approverDueAt = addWorkingTime(nowIso(), durationMs(quote.policy.approverWindow), quote.calendar);
    details(`**Waiting for the manager** until ${formatInstant(approverDueAt)}`);
    await notify('approver', `quote ${quote.quoteId} needs approval: margin ${(margin * 100).toFixed(1)} %`);
    const decidedByManager = await condition(() => decision !== undefined, msUntil(approverDueAt), {
      summary: `manager decides by ${formatInstant(approverDueAt)}`,
    });
    if (!decidedByManager) {
      escalatedToDeputy = true;
      status = 'pending-deputy';
      deputyDueAt = addWorkingTime(nowIso(), durationMs(quote.policy.deputyWindow), quote.calendar);
      details(
        `**Escalated to the deputy** (no decision in time); waiting until ${formatInstant(deputyDueAt)}`,
      );
      await notify('deputy-approver', `quote ${quote.quoteId} was not decided in time; please decide`);
      const decidedByDeputy = await condition(() => decision !== undefined, msUntil(deputyDueAt), {
        summary: `deputy decides by ${formatInstant(deputyDueAt)}`,
      });
      if (!decidedByDeputy) {
        decide('expired', 'nobody', { reason: 'neither the manager nor the deputy decided in time' });
        await notify('owner', `quote ${quote.quoteId} expired without a decision`);
      }
    }
  }

  try {
    await getExternalWorkflowHandle(quote.journeyId).signal(quoteDecidedSignal, decision!);
  } catch (error) {
    // The journey may have been closed meanwhile; the decision stays in this workflow's result.
    details(`**Decision:** ${decision!.decision}; the journey could not be told: ${failureMessage(error)}`);
  }
  return decision!;

  async function notify(audience: 'approver' | 'deputy-approver' | 'owner', reason: string): Promise<void> {
    try {
      await activities.notifyStaff.executeWithOptions({ summary: `notify ${audience}` }, [
        {
          idempotencyKey: idempotencyKey(`notify/${audience}`),
          subjectId: workflowInfo().workflowId,
          audience,
          staffId: audience === 'owner' ? quote.owner : undefined,
          window: 'quote-approval',
          reason,
        },
      ]);
    } catch (error) {
      details(`notifying ${audience} failed: ${failureMessage(error)}`);
    }
  }
}
