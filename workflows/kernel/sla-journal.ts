/**
 * The SLA journal: every change a workflow made to its clocks, in order, with the instant and,
 * for a window's budget, which policy entry it came from. Kept in the workflow state beside the
 * clocks and written to a closed case's memo, so a candidate policy can be replayed over the
 * same events by the same clock code (`lib/what-if/`) without reading histories.
 *
 * No personal data: window names, instants, budgets and policy keys only.
 */
import { z } from 'zod';
import { WindowSpec } from './sla-clock';

/** What every entry has (a function: a shared module keeps no mutable literal at its top). */
const base = () => ({
  at: z.string(),
  window: z.string(),
  /** What the window is about when a workflow runs several of one window (a team). */
  subject: z.string().optional(),
});

/** One change to one clock. */
export const SlaJournalEntry = z.discriminatedUnion('op', [
  z.object({
    ...base(),
    op: z.literal('start'),
    spec: WindowSpec,
    /** The window opens later (when the desk opens); it runs from then. */
    runsFrom: z.string().optional(),
    /**
     * The policy entry the budget came from (`firstReply.P2`, `repair.factory`); absent when
     * it came from elsewhere (an appointment's slot), which a candidate policy does not change.
     */
    key: z.string().optional(),
  }),
  z.object({ ...base(), op: z.literal('rebudget'), spec: WindowSpec, key: z.string().optional() }),
  z.object({ ...base(), op: z.enum(['fulfil', 'cancel', 'pause', 'resume']) }),
]);
export type SlaJournalEntry = z.infer<typeof SlaJournalEntry>;
