/**
 * The journey's stages and the only ways between them. `Entity.moveTo` follows this table; which
 * stage accepts which message is in the message table (contract.ts, `JOURNEY_MESSAGES`).
 */
import { z } from 'zod';
import type { Transitions } from '../kernel/entity';

/** Where a journey stands; also the `JourneyStage` search attribute. */
export const JourneyStage = z.enum([
  'inquiry',
  'needs-analysis',
  'proposal',
  'quote-approval',
  'negotiation',
  'onboarding',
  'after-sales',
  'lost',
  'closed',
]);
export type JourneyStage = z.infer<typeof JourneyStage>;

export const JOURNEY_TRANSITIONS: Transitions<JourneyStage> = {
  // Answered, or straight into a needs interview; a prospect can be lost at any point before the contract.
  inquiry: ['needs-analysis', 'lost', 'closed'],
  'needs-analysis': ['proposal', 'lost', 'closed'],
  // A proposal is revised, quoted, or sent back to the needs by an objection.
  proposal: ['needs-analysis', 'quote-approval', 'lost', 'closed'],
  // The approval decides: sent to the customer (negotiation) or back to the proposal.
  'quote-approval': ['proposal', 'negotiation', 'needs-analysis', 'lost', 'closed'],
  // An objection loops back; a signature moves on to the handoff.
  negotiation: ['needs-analysis', 'proposal', 'quote-approval', 'onboarding', 'lost', 'closed'],
  onboarding: ['after-sales', 'closed'],
  'after-sales': ['closed'],
  lost: [],
  closed: [],
};

/** Stages before the contract: where a prospect can still be lost. */
export const PRE_CONTRACT: readonly JourneyStage[] = [
  'inquiry',
  'needs-analysis',
  'proposal',
  'quote-approval',
  'negotiation',
];
/** Every stage of a journey that has not ended. */
export const LIVE_STAGES = JourneyStage.options.filter((stage) => stage !== 'lost' && stage !== 'closed');
