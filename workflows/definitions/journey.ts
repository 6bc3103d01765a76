/**
 * The `customerJourney` contract: messages between the journey, its cases and its clients.
 */
import { defineSignal } from '@temporalio/workflow';
import type { CaseResult } from './case';

export const CUSTOMER_JOURNEY_WORKFLOW = 'customerJourney';

/**
 * Sent by a case to its journey when it closes. Cases report back by signal rather than by
 * child result so a journey that continued-as-new still hears from cases its earlier run started.
 */
export const caseClosedSignal = defineSignal<[CaseResult]>('caseClosed');
