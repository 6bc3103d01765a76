/**
 * The case's stages and the only ways between them. `Entity.moveTo` follows this table; which
 * stage accepts which message is in the message table (contract.ts, `CASE_MESSAGES`).
 */
import { z } from 'zod';
import type { Transitions } from '../kernel/entity';

/** Where a case stands; also the `CaseStage` search attribute. */
export const CaseStage = z.enum([
  'triage',
  'awaiting-reply',
  'in-progress',
  'awaiting-customer',
  'repairing',
  'on-site',
  'revisit',
  'revisit-overdue',
  'closed',
]);
export type CaseStage = z.infer<typeof CaseStage>;

export const CASE_TRANSITIONS: Transitions<CaseStage> = {
  // Triage ends as soon as the case is opened: priority, team and windows are set.
  triage: ['awaiting-reply', 'closed'],
  // The first reply (or a question to the customer, or a remedy straight away) moves it on.
  'awaiting-reply': ['in-progress', 'awaiting-customer', 'repairing', 'on-site', 'revisit', 'closed'],
  'in-progress': ['awaiting-customer', 'repairing', 'on-site', 'revisit', 'closed'],
  // The customer answers; an accepted refund offer resolves the case at once.
  'awaiting-customer': ['in-progress', 'repairing', 'on-site', 'revisit', 'closed'],
  // The repair shop reports back: repaired (revisit) or unrepairable (another remedy).
  repairing: ['revisit', 'in-progress', 'closed'],
  // The technician reports back from the visit: done (revisit) or not (another remedy).
  'on-site': ['revisit', 'in-progress', 'closed'],
  // The 48-hour revisit: satisfied closes, not satisfied reopens, silence hands it to a person.
  revisit: ['revisit-overdue', 'in-progress', 'closed'],
  'revisit-overdue': ['in-progress', 'closed'],
  closed: [],
};

/** Every stage but `closed`: a case takes work until it is closed. */
export const OPEN_STAGES = CaseStage.options.filter((stage) => stage !== 'closed');
/** Stages in which the case accepts a remedy. */
export const RESOLVABLE_STAGES: readonly CaseStage[] = [
  'triage',
  'awaiting-reply',
  'in-progress',
  'awaiting-customer',
];
/** Stages waiting for the customer's revisit answer. */
export const REVISIT_STAGES: readonly CaseStage[] = ['revisit', 'revisit-overdue'];
