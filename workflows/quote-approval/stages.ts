/**
 * The quote's stages and the only moves between them: the manager first, the deputy when the
 * manager's window passes, and `decided` from either (or at once, by policy, from the start).
 */
import type { Transitions } from '../kernel/entity';
import type { QuoteStatus } from './contract';

export const QUOTE_TRANSITIONS: Transitions<QuoteStatus> = {
  'pending-approver': ['pending-deputy', 'decided'],
  'pending-deputy': ['decided'],
  decided: [],
};
