/**
 * The three guarantees and their limits (rule AS-18): within the policy's month of purchase a
 * fault of ours is replaced or refunded on request; after it, or when the customer caused the
 * fault, the product is still repaired free, with parts at cost (the customer is told). A safety
 * hazard is always replaced or refunded (rule AS-9). Without a purchase date the month cannot be
 * checked, so it does not restrict.
 */
import { nowIso } from '../kernel/time';
import type { Case } from './model';

const DAY = 86_400_000;

export interface Guarantee {
  /** Replace or refund may be offered. */
  replaceOrRefund: boolean;
  /** Why not, in words for ops. */
  reason?: string;
  /** A repair charges the parts at cost. */
  partsAtCost: boolean;
}

export function guaranteeOf(c: Case): Guarantee {
  const { input, policy, inWarranty } = c.s;
  if (input.severity === 'safety-hazard') return { replaceOrRefund: true, partsAtCost: !inWarranty };
  if (input.cause === 'customer-caused') {
    return { replaceOrRefund: false, reason: 'the customer caused the fault', partsAtCost: true };
  }
  const bought = input.product?.purchasedAt;
  if (bought !== undefined) {
    const age = Math.floor((Date.parse(nowIso()) - Date.parse(`${bought}T00:00:00Z`)) / DAY);
    if (age > policy.guaranteeDays) {
      return {
        replaceOrRefund: false,
        reason: `bought on ${bought}, ${age} days ago (more than ${policy.guaranteeDays})`,
        partsAtCost: true,
      };
    }
  }
  return { replaceOrRefund: true, partsAtCost: !inWarranty };
}
