/**
 * The customers at SLA risk now (rule OU-2): the running journeys whose `NeedsAttention` says so,
 * listed from visibility with their opaque customer ids.
 */
import type { Client } from '@temporalio/client';
import { CUSTOMER_JOURNEY_WORKFLOW } from '../../workflows/customer-journey/contract';
import { CustomerIdKey } from '../../workflows/kernel/search-attributes';

export interface CustomerAtRisk {
  customerId: string;
  journeyId: string;
}

/** The query of the journeys whose customer is at risk, with an optional further filter. */
export function customersAtRiskQuery(extraQuery?: string): string {
  const query =
    `WorkflowType = '${CUSTOMER_JOURNEY_WORKFLOW}' AND ExecutionStatus = 'Running' ` +
    `AND NeedsAttention = 'customer-at-risk'`;
  return extraQuery?.trim() ? `${query} AND (${extraQuery.trim()})` : query;
}

export async function collectCustomersAtRisk(client: Client, extraQuery?: string): Promise<CustomerAtRisk[]> {
  const found: CustomerAtRisk[] = [];
  for await (const execution of client.workflow.list({ query: customersAtRiskQuery(extraQuery) })) {
    found.push({
      customerId: execution.typedSearchAttributes.get(CustomerIdKey) ?? '(unknown)',
      journeyId: execution.workflowId,
    });
  }
  return found.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
}
