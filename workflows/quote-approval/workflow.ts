/**
 * `quoteApproval`: the internal approval of one quote (rule PS-6 in docs/rules.md).
 *
 * A quote whose margin meets the policy is approved at once. Otherwise the manager has a window
 * of business time, then the deputy has one; without a decision the quote expires back to sales.
 * However it ends, the decision goes back to the journey by signal and is the result.
 */
import { condition, patched, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { quoteApproval as quoteApprovalV1 } from '../../archive/workflows-v1/quote-approval';
import { addWorkingTime } from '../kernel/business-hours';
import { durationMs } from '../kernel/contract';
import { Entity } from '../kernel/entity';
import { assertWorkableCalendar, parseWorkflowInput } from '../kernel/input';
import { registerMessages } from '../kernel/messages';
import { tellJourney } from '../kernel/tell-parent';
import { formatInstant, msUntil, nowIso } from '../kernel/time';
import { REDESIGN } from '../kernel/versions';
import { RuleViolation } from '../kernel/validation';
import {
  marginOf,
  QUOTE_APPROVAL_WORKFLOW,
  QUOTE_MESSAGES,
  QuoteApprovalInput,
  quoteDecidedSignal,
  type QuoteDecision,
  type QuoteStatus,
  type QuoteView,
} from './contract';
import { QUOTE_TRANSITIONS } from './stages';

type Parsed = ReturnType<typeof QuoteApprovalInput.parse>;

const DECIDED: Readonly<Record<'approve' | 'reject' | 'adjust', QuoteDecision['decision']>> = Object.freeze({
  approve: 'approved',
  reject: 'rejected',
  adjust: 'adjusted',
});

export async function quoteApproval(input: QuoteApprovalInput): Promise<QuoteDecision> {
  const quote = parseWorkflowInput(QuoteApprovalInput, input, QUOTE_APPROVAL_WORKFLOW);
  assertWorkableCalendar(
    QUOTE_APPROVAL_WORKFLOW,
    quote.calendar,
    'calendar',
    [
      { field: 'policy.approverWindow', ms: durationMs(quote.policy.approverWindow) },
      { field: 'policy.deputyWindow', ms: durationMs(quote.policy.deputyWindow) },
    ],
    nowIso(),
  );
  if (!patched(REDESIGN)) return await quoteApprovalV1(input);
  const approval = new Approval(quote);
  await approval.run();
  await approval.tellJourney();
  return approval.decision!;
}

class Approval {
  readonly margin: number;
  readonly entity: Entity<QuoteStatus>;
  decision?: QuoteDecision;
  private approverDueAt?: string;
  private deputyDueAt?: string;

  constructor(private readonly quote: Parsed) {
    this.margin = marginOf(quote.price, quote.cost);
    this.entity = new Entity<QuoteStatus>(
      { stage: 'pending-approver', timeline: [], rejectedSignals: 0 },
      {
        transitions: QUOTE_TRANSITIONS,
        subjectId: workflowInfo().workflowId,
        // The customer is never written to from here; the journey owns that conversation.
        customer: () => ({ customerId: quote.customerId, channel: 'email' }),
        changed: () => undefined,
      },
    );
    registerMessages(
      QUOTE_MESSAGES,
      {
        getQuote: () => this.view(),
        decideQuote: {
          validate: () => {
            if (this.decision) throw new RuleViolation(`the quote is already ${this.decision.decision}`);
          },
          run: (request) => {
            this.decide(DECIDED[request.decision], request.approverId, {
              suggestedPrice: request.suggestedPrice,
              reason: request.reason,
            });
            return this.decision!;
          },
        },
      },
      {
        stage: () => this.entity.stage,
        rejectSignal: (name, problems) => this.entity.rejectSignal(name, problems),
      },
    );
  }

  async run(): Promise<void> {
    const { policy, calendar } = this.quote;
    if (this.margin >= policy.autoApproveMargin) {
      this.decide('approved', 'policy', { reason: `margin ${percent(this.margin)} meets the policy` });
      return;
    }
    this.approverDueAt = addWorkingTime(nowIso(), durationMs(policy.approverWindow), calendar);
    this.details(`**Waiting for the manager** until ${formatInstant(this.approverDueAt)}`);
    await this.notify(
      'approver',
      `quote ${this.quote.quoteId} needs approval: margin ${percent(this.margin)}`,
    );
    if (await this.decidedBy(this.approverDueAt, 'manager')) return;

    this.entity.moveTo('pending-deputy', 'the manager did not decide in time');
    this.deputyDueAt = addWorkingTime(nowIso(), durationMs(policy.deputyWindow), calendar);
    this.details(
      `**Escalated to the deputy** (no decision in time); waiting until ${formatInstant(this.deputyDueAt)}`,
    );
    await this.notify(
      'deputy-approver',
      `quote ${this.quote.quoteId} was not decided in time; please decide`,
    );
    if (await this.decidedBy(this.deputyDueAt, 'deputy')) return;

    this.decide('expired', 'nobody', { reason: 'neither the manager nor the deputy decided in time' });
    await this.notify('owner', `quote ${this.quote.quoteId} expired without a decision`);
  }

  /** The journey learns the decision; a journey closed meanwhile leaves it in this result only. */
  async tellJourney(): Promise<void> {
    const delivery = await tellJourney(this.quote.journeyId, quoteDecidedSignal, this.decision!);
    if (!delivery.delivered) {
      this.details(
        `**Decision:** ${this.decision!.decision}; the journey could not be told: ${delivery.reason}`,
      );
    }
  }

  private decidedBy(dueAt: string, who: string): Promise<boolean> {
    return condition(() => this.decision !== undefined, msUntil(dueAt), {
      summary: `${who} decides by ${formatInstant(dueAt)}`,
    });
  }

  private decide(
    kind: QuoteDecision['decision'],
    decidedBy: string,
    extra: Partial<QuoteDecision> = {},
  ): void {
    this.decision = {
      quoteId: this.quote.quoteId,
      decision: kind,
      decidedBy,
      margin: this.margin,
      escalatedToDeputy: this.entity.stage === 'pending-deputy',
      decidedAt: nowIso(),
      ...extra,
    };
    this.entity.moveTo('decided', `${kind} by ${decidedBy}`);
    this.details(`**Decision:** ${kind} by ${decidedBy}${extra.reason ? ` — ${extra.reason}` : ''}`);
  }

  private async notify(audience: 'approver' | 'deputy-approver' | 'owner', reason: string): Promise<void> {
    const sent = await this.entity.notifyStaff(`notify/${audience}`, {
      audience,
      staffId: audience === 'owner' ? this.quote.owner : undefined,
      window: 'quote-approval',
      reason,
    });
    if (!sent) this.details(`notifying ${audience} failed; see the timeline`);
  }

  private view(): QuoteView {
    return {
      quoteId: this.quote.quoteId,
      journeyId: this.quote.journeyId,
      price: this.quote.price,
      cost: this.quote.cost,
      currency: this.quote.currency,
      margin: this.margin,
      status: this.entity.stage,
      approverDueAt: this.approverDueAt,
      deputyDueAt: this.deputyDueAt,
      decision: this.decision,
    };
  }

  private details(line: string): void {
    const { quoteId, price, currency, policy } = this.quote;
    setCurrentDetails(
      `**Quote ${quoteId}** · ${price} ${currency} · margin ${percent(this.margin)} ` +
        `(auto-approval from ${(policy.autoApproveMargin * 100).toFixed(0)} %)\n\n${line}`,
    );
  }
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}
