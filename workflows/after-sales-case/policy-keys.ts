/**
 * Where a window's budget comes from in a case policy, for the SLA journal and the what-if replay:
 * the key written with each window, and the spec a (candidate) policy holds at that key.
 */
import type { Priority } from '../kernel/contract';
import { WindowSpec } from '../kernel/sla-clock';
import type { CasePolicy, WindowName } from './policy';

/**
 * The policy entry a window's budget comes from (`firstReply.P2`), journaled with the window so a
 * candidate policy's budget can be looked up for it (`specAt`). The repair passes its own (its
 * mode decides); an appointment's window is its slot, which no policy entry sets alone.
 */
export function policyKeyOf(window: WindowName, priority: Priority): string | undefined {
  switch (window) {
    case 'first-reply':
      return `firstReply.${priority}`;
    case 'resolution':
      return `resolution.${priority}`;
    case 'carrier-solution':
      return 'carrierSolution';
    case 'exchange':
      return 'cosmeticExchange';
    case 'recall':
      return 'recallOpening';
    case 'recall-details':
      return 'recallDetails';
    case 'defect-decision':
      return 'functionalDefect.decision';
    case 'defect-completion':
      return 'functionalDefect.completion';
    case 'claim-settlement':
      return 'claimSettlement';
    case 'collaboration':
      return 'collaborationReply';
    case 'revisit':
      return 'revisit';
    case 'repair':
    case 'appointment':
      return undefined;
  }
}

/** The window spec at a policy key (`policyKeyOf`), or undefined when the policy has none there. */
export function specAt(policy: CasePolicy, key: string): WindowSpec | undefined {
  let node: unknown = policy;
  for (const part of key.split('.')) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  }
  const parsed = WindowSpec.safeParse(node);
  return parsed.success ? parsed.data : undefined;
}
