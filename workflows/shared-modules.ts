/**
 * The workflow modules every cached workflow of a worker shares, instead of a copy each.
 *
 * With the reusable V8 context (the SDK's default), a module is evaluated once per cached workflow
 * unless the bundle preloads it, and ours are mostly zod schemas: about 2.5 MiB per cached
 * journey. The bundle preloads this module (lib/bundle.ts); everything it imports is evaluated
 * once and shared. The SDK then deep-freezes what it shares, which zod's schemas cannot bear (they
 * finish building themselves on first use and reset a regex's `lastIndex` on every check), so this
 * module freezes first what may be frozen and stops the SDK's freeze there:
 * - each module's exports object, shallowly (an export cannot be replaced);
 * - the plain data under it (policies, tables, lists), deeply, skipping zod schemas, so a rule
 *   that tried to change a shared default would fail loudly instead of leaking into other
 *   workflows;
 * - zod's own shared values: its regular expressions are left unfrozen behind a frozen holder, and
 *   its one lazily computed flag is computed now, before the freeze.
 *
 * Every module of `workflows/` and `archive/` must be listed: one left out is evaluated while
 * preloading (it is imported by a listed one) but not shielded, so the SDK deep-freezes its schemas
 * and the first workflow that parses with them fails. tests/shared-modules.test.ts checks the list
 * against the folders and that no module keeps top-level mutable state, which sharing would leak
 * from one workflow to the next.
 */
import * as v1AfterSalesCase from '../archive/workflows-v1/after-sales-case';
import * as v1CustomerJourney from '../archive/workflows-v1/customer-journey';
import * as v1DefinitionsBusinessHours from '../archive/workflows-v1/definitions/business-hours';
import * as v1DefinitionsCase from '../archive/workflows-v1/definitions/case';
import * as v1DefinitionsCasePolicy from '../archive/workflows-v1/definitions/case-policy';
import * as v1DefinitionsCommon from '../archive/workflows-v1/definitions/common';
import * as v1DefinitionsErrors from '../archive/workflows-v1/definitions/errors';
import * as v1DefinitionsJourney from '../archive/workflows-v1/definitions/journey';
import * as v1DefinitionsJourneyPolicy from '../archive/workflows-v1/definitions/journey-policy';
import * as v1DefinitionsQuote from '../archive/workflows-v1/definitions/quote';
import * as v1DefinitionsSearchAttributes from '../archive/workflows-v1/definitions/search-attributes';
import * as v1DefinitionsValidation from '../archive/workflows-v1/definitions/validation';
import * as v1DefinitionsWeeklyReport from '../archive/workflows-v1/definitions/weekly-report';
import * as v1Index from '../archive/workflows-v1/index';
import * as v1InternalAttempt from '../archive/workflows-v1/internal/attempt';
import * as v1InternalCaseModel from '../archive/workflows-v1/internal/case-model';
import * as v1InternalHandlers from '../archive/workflows-v1/internal/handlers';
import * as v1InternalJourneyModel from '../archive/workflows-v1/internal/journey-model';
import * as v1InternalSlaClock from '../archive/workflows-v1/internal/sla-clock';
import * as v1InternalVisibility from '../archive/workflows-v1/internal/visibility';
import * as v1InternalWorkflowSupport from '../archive/workflows-v1/internal/workflow-support';
import * as v1QuoteApproval from '../archive/workflows-v1/quote-approval';
import * as afterSalesCaseActivities from './after-sales-case/activities';
import * as afterSalesCaseAfterClose from './after-sales-case/after-close';
import * as afterSalesCaseCarrierClaim from './after-sales-case/carrier-claim';
import * as afterSalesCaseCollaboration from './after-sales-case/collaboration';
import * as afterSalesCaseComplaint from './after-sales-case/complaint';
import * as afterSalesCaseContract from './after-sales-case/contract';
import * as afterSalesCaseGuarantee from './after-sales-case/guarantee';
import * as afterSalesCaseHandling from './after-sales-case/handling';
import * as afterSalesCaseModel from './after-sales-case/model';
import * as afterSalesCaseOffer from './after-sales-case/offer';
import * as afterSalesCaseOps from './after-sales-case/ops';
import * as afterSalesCasePauses from './after-sales-case/pauses';
import * as afterSalesCasePayloads from './after-sales-case/payloads';
import * as afterSalesCasePolicyKeys from './after-sales-case/policy-keys';
import * as afterSalesCasePolicyOverrides from './after-sales-case/policy-overrides';
import * as afterSalesCasePolicy from './after-sales-case/policy';
import * as afterSalesCaseResolution from './after-sales-case/resolution';
import * as afterSalesCaseRevisit from './after-sales-case/revisit';
import * as afterSalesCaseStages from './after-sales-case/stages';
import * as afterSalesCaseTerms from './after-sales-case/terms';
import * as afterSalesCaseTriage from './after-sales-case/triage';
import * as afterSalesCaseView from './after-sales-case/view';
import * as afterSalesCaseViewSchemas from './after-sales-case/view-schemas';
import * as afterSalesCaseWindows from './after-sales-case/windows';
import * as afterSalesCaseWorkflow from './after-sales-case/workflow';
import * as customerJourneyActivities from './customer-journey/activities';
import * as customerJourneyArchive from './customer-journey/archive';
import * as customerJourneyContract from './customer-journey/contract';
import * as customerJourneyCustomer from './customer-journey/customer';
import * as customerJourneyDelivery from './customer-journey/delivery';
import * as customerJourneyEnding from './customer-journey/ending';
import * as customerJourneyFollowUp from './customer-journey/follow-up';
import * as customerJourneyGrade from './customer-journey/grade';
import * as customerJourneyHealth from './customer-journey/health';
import * as customerJourneyHandoff from './customer-journey/handoff';
import * as customerJourneyModel from './customer-journey/model';
import * as customerJourneyPolicy from './customer-journey/policy';
import * as customerJourneyProposal from './customer-journey/proposal';
import * as customerJourneyReception from './customer-journey/reception';
import * as customerJourneyRecords from './customer-journey/records';
import * as customerJourneyRelationship from './customer-journey/relationship';
import * as customerJourneyReport from './customer-journey/report';
import * as customerJourneySales from './customer-journey/sales';
import * as customerJourneyStages from './customer-journey/stages';
import * as customerJourneyState from './customer-journey/state';
import * as customerJourneyView from './customer-journey/view';
import * as customerJourneyViewSchemas from './customer-journey/view-schemas';
import * as customerJourneyWorkflow from './customer-journey/workflow';
import * as index from './index';
import * as kernelActivities from './kernel/activities';
import * as kernelActivityCalls from './kernel/activity-calls';
import * as kernelAgenda from './kernel/agenda';
import * as kernelBusinessHours from './kernel/business-hours';
import * as kernelContinueAsNew from './kernel/continue-as-new';
import * as kernelContract from './kernel/contract';
import * as kernelEntity from './kernel/entity';
import * as kernelErrors from './kernel/errors';
import * as kernelInput from './kernel/input';
import * as kernelMessages from './kernel/messages';
import * as kernelMetrics from './kernel/metrics';
import * as kernelSearchAttributes from './kernel/search-attributes';
import * as kernelSlaClock from './kernel/sla-clock';
import * as kernelSlaJournal from './kernel/sla-journal';
import * as kernelSlaWindows from './kernel/sla-windows';
import * as kernelTellParent from './kernel/tell-parent';
import * as kernelTime from './kernel/time';
import * as kernelTimeZones from './kernel/time-zones';
import * as kernelTrackedWork from './kernel/tracked-work';
import * as kernelValidation from './kernel/validation';
import * as kernelVersions from './kernel/versions';
import * as kernelVisibility from './kernel/visibility';
import * as monthlyIssueSummaryActivities from './monthly-issue-summary/activities';
import * as monthlyIssueSummaryContract from './monthly-issue-summary/contract';
import * as monthlyIssueSummaryWorkflow from './monthly-issue-summary/workflow';
import * as qaReviewContract from './qa-review/contract';
import * as qaReviewWorkflow from './qa-review/workflow';
import * as quoteApprovalContract from './quote-approval/contract';
import * as quoteApprovalPolicy from './quote-approval/policy';
import * as quoteApprovalStages from './quote-approval/stages';
import * as quoteApprovalWorkflow from './quote-approval/workflow';
import * as rootCauseAnalysisContract from './root-cause-analysis/contract';
import * as rootCauseAnalysisWorkflow from './root-cause-analysis/workflow';
import * as weeklyQaReportActivities from './weekly-qa-report/activities';
import * as weeklyQaReportContract from './weekly-qa-report/contract';
import * as weeklyQaReportSample from './weekly-qa-report/sample';
import * as weeklyQaReportWorkflow from './weekly-qa-report/workflow';
import * as zodCore from 'zod/v4/core';

/** Every shared module, by its path from the project root (the completeness test reads these). */
export const SHARED_MODULES: Readonly<Record<string, object>> = {
  'archive/workflows-v1/after-sales-case.ts': v1AfterSalesCase,
  'archive/workflows-v1/customer-journey.ts': v1CustomerJourney,
  'archive/workflows-v1/definitions/business-hours.ts': v1DefinitionsBusinessHours,
  'archive/workflows-v1/definitions/case-policy.ts': v1DefinitionsCasePolicy,
  'archive/workflows-v1/definitions/case.ts': v1DefinitionsCase,
  'archive/workflows-v1/definitions/common.ts': v1DefinitionsCommon,
  'archive/workflows-v1/definitions/errors.ts': v1DefinitionsErrors,
  'archive/workflows-v1/definitions/journey-policy.ts': v1DefinitionsJourneyPolicy,
  'archive/workflows-v1/definitions/journey.ts': v1DefinitionsJourney,
  'archive/workflows-v1/definitions/quote.ts': v1DefinitionsQuote,
  'archive/workflows-v1/definitions/search-attributes.ts': v1DefinitionsSearchAttributes,
  'archive/workflows-v1/definitions/validation.ts': v1DefinitionsValidation,
  'archive/workflows-v1/definitions/weekly-report.ts': v1DefinitionsWeeklyReport,
  'archive/workflows-v1/index.ts': v1Index,
  'archive/workflows-v1/internal/attempt.ts': v1InternalAttempt,
  'archive/workflows-v1/internal/case-model.ts': v1InternalCaseModel,
  'archive/workflows-v1/internal/handlers.ts': v1InternalHandlers,
  'archive/workflows-v1/internal/journey-model.ts': v1InternalJourneyModel,
  'archive/workflows-v1/internal/sla-clock.ts': v1InternalSlaClock,
  'archive/workflows-v1/internal/visibility.ts': v1InternalVisibility,
  'archive/workflows-v1/internal/workflow-support.ts': v1InternalWorkflowSupport,
  'archive/workflows-v1/quote-approval.ts': v1QuoteApproval,
  'workflows/after-sales-case/activities.ts': afterSalesCaseActivities,
  'workflows/after-sales-case/after-close.ts': afterSalesCaseAfterClose,
  'workflows/after-sales-case/carrier-claim.ts': afterSalesCaseCarrierClaim,
  'workflows/after-sales-case/collaboration.ts': afterSalesCaseCollaboration,
  'workflows/after-sales-case/complaint.ts': afterSalesCaseComplaint,
  'workflows/after-sales-case/contract.ts': afterSalesCaseContract,
  'workflows/after-sales-case/guarantee.ts': afterSalesCaseGuarantee,
  'workflows/after-sales-case/handling.ts': afterSalesCaseHandling,
  'workflows/after-sales-case/model.ts': afterSalesCaseModel,
  'workflows/after-sales-case/offer.ts': afterSalesCaseOffer,
  'workflows/after-sales-case/ops.ts': afterSalesCaseOps,
  'workflows/after-sales-case/pauses.ts': afterSalesCasePauses,
  'workflows/after-sales-case/payloads.ts': afterSalesCasePayloads,
  'workflows/after-sales-case/policy-keys.ts': afterSalesCasePolicyKeys,
  'workflows/after-sales-case/policy-overrides.ts': afterSalesCasePolicyOverrides,
  'workflows/after-sales-case/policy.ts': afterSalesCasePolicy,
  'workflows/after-sales-case/resolution.ts': afterSalesCaseResolution,
  'workflows/after-sales-case/revisit.ts': afterSalesCaseRevisit,
  'workflows/after-sales-case/stages.ts': afterSalesCaseStages,
  'workflows/after-sales-case/terms.ts': afterSalesCaseTerms,
  'workflows/after-sales-case/triage.ts': afterSalesCaseTriage,
  'workflows/after-sales-case/view-schemas.ts': afterSalesCaseViewSchemas,
  'workflows/after-sales-case/view.ts': afterSalesCaseView,
  'workflows/after-sales-case/windows.ts': afterSalesCaseWindows,
  'workflows/after-sales-case/workflow.ts': afterSalesCaseWorkflow,
  'workflows/customer-journey/activities.ts': customerJourneyActivities,
  'workflows/customer-journey/archive.ts': customerJourneyArchive,
  'workflows/customer-journey/contract.ts': customerJourneyContract,
  'workflows/customer-journey/customer.ts': customerJourneyCustomer,
  'workflows/customer-journey/delivery.ts': customerJourneyDelivery,
  'workflows/customer-journey/ending.ts': customerJourneyEnding,
  'workflows/customer-journey/follow-up.ts': customerJourneyFollowUp,
  'workflows/customer-journey/grade.ts': customerJourneyGrade,
  'workflows/customer-journey/health.ts': customerJourneyHealth,
  'workflows/customer-journey/handoff.ts': customerJourneyHandoff,
  'workflows/customer-journey/model.ts': customerJourneyModel,
  'workflows/customer-journey/policy.ts': customerJourneyPolicy,
  'workflows/customer-journey/proposal.ts': customerJourneyProposal,
  'workflows/customer-journey/reception.ts': customerJourneyReception,
  'workflows/customer-journey/records.ts': customerJourneyRecords,
  'workflows/customer-journey/relationship.ts': customerJourneyRelationship,
  'workflows/customer-journey/report.ts': customerJourneyReport,
  'workflows/customer-journey/sales.ts': customerJourneySales,
  'workflows/customer-journey/stages.ts': customerJourneyStages,
  'workflows/customer-journey/state.ts': customerJourneyState,
  'workflows/customer-journey/view-schemas.ts': customerJourneyViewSchemas,
  'workflows/customer-journey/view.ts': customerJourneyView,
  'workflows/customer-journey/workflow.ts': customerJourneyWorkflow,
  'workflows/index.ts': index,
  'workflows/kernel/activities.ts': kernelActivities,
  'workflows/kernel/activity-calls.ts': kernelActivityCalls,
  'workflows/kernel/agenda.ts': kernelAgenda,
  'workflows/kernel/business-hours.ts': kernelBusinessHours,
  'workflows/kernel/continue-as-new.ts': kernelContinueAsNew,
  'workflows/kernel/contract.ts': kernelContract,
  'workflows/kernel/entity.ts': kernelEntity,
  'workflows/kernel/errors.ts': kernelErrors,
  'workflows/kernel/input.ts': kernelInput,
  'workflows/kernel/messages.ts': kernelMessages,
  'workflows/kernel/metrics.ts': kernelMetrics,
  'workflows/kernel/search-attributes.ts': kernelSearchAttributes,
  'workflows/kernel/sla-clock.ts': kernelSlaClock,
  'workflows/kernel/sla-journal.ts': kernelSlaJournal,
  'workflows/kernel/sla-windows.ts': kernelSlaWindows,
  'workflows/kernel/tell-parent.ts': kernelTellParent,
  'workflows/kernel/time-zones.ts': kernelTimeZones,
  'workflows/kernel/time.ts': kernelTime,
  'workflows/kernel/tracked-work.ts': kernelTrackedWork,
  'workflows/kernel/validation.ts': kernelValidation,
  'workflows/kernel/versions.ts': kernelVersions,
  'workflows/kernel/visibility.ts': kernelVisibility,
  'workflows/monthly-issue-summary/activities.ts': monthlyIssueSummaryActivities,
  'workflows/monthly-issue-summary/contract.ts': monthlyIssueSummaryContract,
  'workflows/monthly-issue-summary/workflow.ts': monthlyIssueSummaryWorkflow,
  'workflows/qa-review/contract.ts': qaReviewContract,
  'workflows/qa-review/workflow.ts': qaReviewWorkflow,
  'workflows/quote-approval/contract.ts': quoteApprovalContract,
  'workflows/quote-approval/policy.ts': quoteApprovalPolicy,
  'workflows/quote-approval/stages.ts': quoteApprovalStages,
  'workflows/quote-approval/workflow.ts': quoteApprovalWorkflow,
  'workflows/root-cause-analysis/contract.ts': rootCauseAnalysisContract,
  'workflows/root-cause-analysis/workflow.ts': rootCauseAnalysisWorkflow,
  'workflows/weekly-qa-report/activities.ts': weeklyQaReportActivities,
  'workflows/weekly-qa-report/contract.ts': weeklyQaReportContract,
  'workflows/weekly-qa-report/sample.ts': weeklyQaReportSample,
  'workflows/weekly-qa-report/workflow.ts': weeklyQaReportWorkflow,
};

/** Freezes plain data deeply; stops at zod schemas, regular expressions, functions and class instances. */
function freezeData(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) return;
  if ('_zod' in value) return;
  for (const key of Object.keys(value)) freezeData((value as Record<string, unknown>)[key]);
  Object.freeze(value);
}

/**
 * Freezes a module's exports object. In the bundle it is a plain object; where the code runs
 * unbundled (Node's own module loader, in tests) it is a module namespace, which cannot be frozen
 * and is not shared either.
 */
function freezeHolder(holder: object): void {
  try {
    Object.freeze(holder);
  } catch {
    // a module namespace outside the bundle
  }
}

/** Shields one module's exports from the SDK's deep freeze, freezing what may be frozen. */
function shield(moduleExports: object): void {
  for (const key of Object.keys(moduleExports)) freezeData((moduleExports as Record<string, unknown>)[key]);
  freezeHolder(moduleExports);
}

// zod computes whether it may compile validators on first use, into a holder the freeze would lock.
void zodCore.util.allowsEval.value;
freezeHolder(zodCore.regexes);
for (const moduleExports of Object.values(SHARED_MODULES)) shield(moduleExports);
Object.freeze(SHARED_MODULES);
