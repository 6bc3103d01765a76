/**
 * The `quoteApproval` contract: one short-lived child workflow per quote, started by the
 * journey. A quote with enough margin is approved by policy; otherwise a manager decides within
 * a window, then a deputy; without any decision it expires back to sales.
 */
import { z } from 'zod';
import { BusinessCalendar } from '../kernel/business-hours';
import { CustomerId, IsoTimestamp, StaffId, Text } from '../kernel/contract';
import { query, signal, update } from '../kernel/messages';
import { QuotePolicy } from './policy';

export const QUOTE_APPROVAL_WORKFLOW = 'quoteApproval';

/** Who must decide now; `decided` once someone (or the policy, or time) has. */
export const QuoteStatus = z.enum(['pending-approver', 'pending-deputy', 'decided']);
export type QuoteStatus = z.infer<typeof QuoteStatus>;

const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO currency code such as CNY');

export const QuoteApprovalInput = z.strictObject({
  quoteId: z.string().min(1).max(64),
  journeyId: z.string().min(1).max(200),
  customerId: CustomerId,
  alternativeId: z.string().min(1).max(64),
  price: z.number().positive('must be more than 0'),
  cost: z.number().min(0, 'must not be negative'),
  currency: Currency,
  /** Who owns the deal; told when the quote expires. */
  owner: StaffId.optional(),
  policy: QuotePolicy,
  calendar: BusinessCalendar,
});
export type QuoteApprovalInput = z.input<typeof QuoteApprovalInput>;

export const QuoteDecisionKind = z.enum(['approved', 'rejected', 'adjusted', 'expired']);
export type QuoteDecisionKind = z.infer<typeof QuoteDecisionKind>;

export const QuoteDecision = z.object({
  quoteId: z.string(),
  decision: QuoteDecisionKind,
  /** `policy` for an automatic approval, otherwise the approver's staff id. */
  decidedBy: z.string(),
  margin: z.number(),
  escalatedToDeputy: z.boolean(),
  /** The price the approver suggests instead (decision `adjusted`). */
  suggestedPrice: z.number().optional(),
  reason: z.string().optional(),
  decidedAt: IsoTimestamp,
});
export type QuoteDecision = z.infer<typeof QuoteDecision>;

export const DecideQuote = z
  .strictObject({
    decision: z.enum(['approve', 'reject', 'adjust']),
    approverId: StaffId,
    suggestedPrice: z.number().positive('must be more than 0').optional(),
    reason: Text(300).optional(),
  })
  .refine((value) => value.decision !== 'adjust' || value.suggestedPrice !== undefined, {
    message: 'is required when the decision is adjust',
    path: ['suggestedPrice'],
  })
  .refine((value) => value.decision === 'approve' || (value.reason ?? '').length > 0, {
    message: 'must say why the quote is rejected or adjusted',
    path: ['reason'],
  });
export type DecideQuote = z.input<typeof DecideQuote>;

export const QuoteView = z.object({
  quoteId: z.string(),
  journeyId: z.string(),
  price: z.number(),
  cost: z.number(),
  currency: z.string(),
  margin: z.number(),
  status: QuoteStatus,
  approverDueAt: IsoTimestamp.optional(),
  deputyDueAt: IsoTimestamp.optional(),
  decision: QuoteDecision.optional(),
});
export type QuoteView = z.infer<typeof QuoteView>;

/**
 * What a quote approval tells its journey: the decision (by signal, for the same reason as a
 * case's `caseClosed`). The quote owns the message it sends; the journey's table handles it.
 */
export const QUOTE_DECIDED_MESSAGE = signal(
  'quoteDecided',
  QuoteDecision,
  'Sent by a quote approval of this journey with its decision (not for people).',
);
export const quoteDecidedSignal = QUOTE_DECIDED_MESSAGE.definition;

export const QUOTE_MESSAGES = {
  decideQuote: update(
    'decideQuote',
    DecideQuote,
    QuoteDecision,
    'The manager’s (or deputy’s) decision on a quote below the margin threshold. JSON: {"decision":"approve","approverId":"mgr-1"}; adjust needs "suggestedPrice" and a "reason".',
    { stages: ['pending-approver', 'pending-deputy'], refusal: () => 'the quote is already decided' },
  ),
  getQuote: query(
    'getQuote',
    QuoteView,
    'Price, cost, margin, who must decide by when, and the decision once made.',
  ),
} as const;

export const decideQuoteUpdate = QUOTE_MESSAGES.decideQuote.definition;
export const getQuoteQuery = QUOTE_MESSAGES.getQuote.definition;

/** (price − cost) / price, rounded to 4 decimals so it reads well in the UI. */
export function marginOf(price: number, cost: number): number {
  return Math.round(((price - cost) / price) * 10_000) / 10_000;
}
