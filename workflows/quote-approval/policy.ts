/**
 * The quote approval rules as data: the margin that passes on its own and the business time the
 * manager, then the deputy, have to decide.
 */
import { z } from 'zod';
import { DurationText } from '../kernel/contract';

export const QuotePolicy = z.strictObject({
  /** Quotes at or above this margin ((price − cost) / price) are approved without a manager. */
  autoApproveMargin: z.number().min(0).max(1),
  /** Business time the manager has to decide before the deputy is asked. */
  approverWindow: DurationText,
  /** Business time the deputy has before the quote expires back to sales. */
  deputyWindow: DurationText,
});
export type QuotePolicy = z.infer<typeof QuotePolicy>;
