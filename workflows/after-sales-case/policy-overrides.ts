/**
 * A case's effective policy: the defaults (policy.ts), then the overrides of its input, then the
 * contract's promised terms, then the customer's lanes (grade, SLA risk). The what-if replay
 * resolves a candidate policy the same way.
 */
import { z } from 'zod';
import { BusinessCalendar } from '../kernel/business-hours';
import { CustomerGrade, Priority, Team, type PromisedTerms } from '../kernel/contract';
import { WindowSpec } from '../kernel/sla-clock';
import {
  Compensation,
  DEFAULT_CASE_POLICY,
  GradeLane,
  Hours,
  IssueCategory,
  LadderStep,
  PauseReason,
  Severity,
  ShipmentProblem,
  WindowName,
  type CasePolicy,
} from './policy';

/** Technical routing of executions started before handling-v4 (routine faults to support). */
const LEGACY_TECHNICAL_ROUTING: Readonly<Record<Priority, Team>> = Object.freeze({
  P1: 'senior-engineers',
  P2: 'senior-engineers',
  P3: 'technical-support',
  P4: 'technical-support',
});

/** Partial policy accepted in a workflow input, merged over the defaults. */
export const CasePolicyOverrides = z.strictObject({
  calendar: BusinessCalendar.optional(),
  priorityMatrix: z
    .partialRecord(Severity, z.partialRecord(z.enum(['single-customer', 'many-customers']), Priority))
    .optional(),
  routing: z.partialRecord(IssueCategory, z.partialRecord(Priority, Team)).optional(),
  firstReply: z.partialRecord(Priority, WindowSpec).optional(),
  resolution: z.partialRecord(Priority, WindowSpec).optional(),
  carrierSolution: WindowSpec.optional(),
  cosmeticExchange: WindowSpec.optional(),
  recallOpening: WindowSpec.optional(),
  recallDetails: WindowSpec.optional(),
  functionalDefect: z
    .strictObject({ decision: WindowSpec.optional(), completion: WindowSpec.optional() })
    .optional(),
  claimSettlement: WindowSpec.optional(),
  carrierCompensation: z.partialRecord(ShipmentProblem, Compensation).optional(),
  repair: z.strictObject({ inStore: WindowSpec.optional(), factory: WindowSpec.optional() }).optional(),
  collaborationReply: WindowSpec.optional(),
  appointment: z.strictObject({ slotHours: Hours.optional(), bookAheadHours: Hours.optional() }).optional(),
  revisit: WindowSpec.optional(),
  noFeedbackCloseHours: Hours.optional(),
  ladder: z.array(LadderStep).min(1).optional(),
  pausableWindows: z.array(WindowName).optional(),
  pauseReasons: z.array(PauseReason).min(1).optional(),
  pauseCap: WindowSpec.optional(),
  atRiskWindowShare: z.number().gt(0, 'must be more than 0').max(1, 'must be at most 1').optional(),
  maxReopens: z.number().int().min(0).max(10).optional(),
  satisfiedCsat: z.number().int().min(1).max(5).optional(),
  promoterNps: z.number().int().min(0).max(10).optional(),
  qaSampleRate: z.number().min(0).max(1).optional(),
  assistedReplyPriorities: z.array(Priority).optional(),
  assistedReplyCategories: z.array(IssueCategory).optional(),
  routinePriorities: z.array(Priority).optional(),
  guaranteeDays: z.number().int().min(0).max(3650).optional(),
  gradeLanes: z.partialRecord(CustomerGrade, GradeLane).optional(),
});
export type CasePolicyOverrides = z.infer<typeof CasePolicyOverrides>;

function mergeRecords<K extends string, V>(
  base: Record<K, V>,
  override: Partial<Record<K, V>> | undefined,
): Record<K, V> {
  return { ...base, ...(override ?? {}) };
}

/**
 * The effective policy of one case: defaults, then the input's overrides, then the promised
 * terms (response windows, revisit hours and business calendar from the customer's contract).
 */
export function resolveCasePolicy(
  overrides?: CasePolicyOverrides,
  promised?: PromisedTerms,
  options: { legacyRouting?: boolean; grade?: CustomerGrade; atRisk?: boolean } = {},
): CasePolicy {
  const base = DEFAULT_CASE_POLICY;
  const o = overrides ?? {};
  const policy: CasePolicy = {
    ...base,
    ...Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)),
    priorityMatrix: {
      cosmetic: mergeRecords(base.priorityMatrix.cosmetic, o.priorityMatrix?.cosmetic),
      'function-failure': mergeRecords(
        base.priorityMatrix['function-failure'],
        o.priorityMatrix?.['function-failure'],
      ),
      'service-outage': mergeRecords(
        base.priorityMatrix['service-outage'],
        o.priorityMatrix?.['service-outage'],
      ),
      'safety-hazard': mergeRecords(
        base.priorityMatrix['safety-hazard'],
        o.priorityMatrix?.['safety-hazard'],
      ),
    },
    routing: {
      technical: mergeRecords(base.routing.technical, o.routing?.technical),
      logistics: mergeRecords(base.routing.logistics, o.routing?.logistics),
      quality: mergeRecords(base.routing.quality, o.routing?.quality),
      service: mergeRecords(base.routing.service, o.routing?.service),
      other: mergeRecords(base.routing.other, o.routing?.other),
    },
    firstReply: mergeRecords(base.firstReply, o.firstReply),
    resolution: mergeRecords(base.resolution, o.resolution),
    repair: { ...base.repair, ...Object.fromEntries(Object.entries(o.repair ?? {}).filter(([, v]) => v)) },
    functionalDefect: {
      ...base.functionalDefect,
      ...Object.fromEntries(Object.entries(o.functionalDefect ?? {}).filter(([, v]) => v)),
    },
    carrierCompensation: mergeRecords(base.carrierCompensation, o.carrierCompensation),
    appointment: {
      ...base.appointment,
      ...Object.fromEntries(Object.entries(o.appointment ?? {}).filter(([, v]) => v !== undefined)),
    },
  };
  // Executions before handling-v4 sent routine technical faults to technical support first.
  if (options.legacyRouting) {
    policy.routing.technical = { ...LEGACY_TECHNICAL_ROUTING, ...(o.routing?.technical ?? {}) };
  }
  if (promised) applyPromisedTerms(policy, promised);
  const lane = options.grade ? policy.gradeLanes?.[options.grade] : undefined;
  if (lane) applyLane(policy, lane);
  // Rule OU-2: a customer at SLA risk, after the grade's lane.
  if (options.atRisk) applyLane(policy, { windowShare: policy.atRiskWindowShare ?? 1 });
  return policy;
}

/** The customer's lane shortens every priority's windows, after the promised terms. */
function applyLane(policy: CasePolicy, lane: Pick<GradeLane, 'windowShare'>): void {
  const share = (spec: WindowSpec): WindowSpec => ({
    ...spec,
    hours: Math.round(spec.hours * lane.windowShare * 1000) / 1000,
  });
  const scaled = <T extends Record<Priority, WindowSpec>>(specs: T): T =>
    Object.fromEntries(Object.entries(specs).map(([key, spec]) => [key, share(spec)])) as T;
  policy.firstReply = scaled(policy.firstReply);
  policy.resolution = scaled(policy.resolution);
}

function applyPromisedTerms(policy: CasePolicy, promised: PromisedTerms): void {
  if (promised.businessCalendar) policy.calendar = promised.businessCalendar;
  if (promised.revisitHours) policy.revisit = { ...policy.revisit, hours: promised.revisitHours };
  for (const priority of Priority.options) {
    const window = promised.responseWindows?.[priority];
    if (!window) continue;
    const basis = window.basis;
    if (window.firstReplyHours) {
      policy.firstReply = {
        ...policy.firstReply,
        [priority]: { hours: window.firstReplyHours, basis: basis ?? policy.firstReply[priority].basis },
      };
    }
    if (window.resolutionHours) {
      policy.resolution = {
        ...policy.resolution,
        [priority]: { hours: window.resolutionHours, basis: basis ?? policy.resolution[priority].basis },
      };
    }
  }
}
