/**
 * The customer's grade (rule HO-6): set at the contract, by ops when the contract names one, else
 * from the contract's value (or the accepted quote's price) by the policy's thresholds. Every later
 * case carries it; an A grade is the case's faster lane (the case policy's `gradeLanes`), and an
 * urgent issue of an A-grade customer is answered by the account owner together with after-sales.
 */
import type { CustomerGrade, Priority } from '../kernel/contract';
import { nowIso } from '../kernel/time';
import { CUSTOMER_GRADE } from '../kernel/versions';
import type { ParsedSignContract } from './contract';
import { createTask, type Journey } from './model';
import type { JourneyPolicy } from './policy';
import type { ContractValue, GradeRecord } from './records';

/** The grade a contract of this value earns, and on what basis. */
export function gradeByValue(
  grading: JourneyPolicy['grading'],
  value: ContractValue | undefined,
): Pick<GradeRecord, 'grade' | 'basis'> {
  const thresholds = value ? grading.thresholds[value.currency] : undefined;
  if (!value || !thresholds) return { grade: grading.ungraded, basis: 'ungraded' };
  const grade: CustomerGrade = value.amount >= thresholds.A ? 'A' : value.amount >= thresholds.B ? 'B' : 'C';
  return { grade, basis: 'contract-value' };
}

/** The value that grades: the contract's own, else the price of the quote the customer accepted. */
function contractValue(j: Journey, contract: ParsedSignContract): ContractValue | undefined {
  if (contract.value) return contract.value;
  const accepted = j.s.quotes.filter((quote) => quote.status === 'approved').at(-1);
  return accepted ? { amount: accepted.price, currency: accepted.currency } : undefined;
}

/** At the signature (contracts since the customer-grade patch). */
export function gradeCustomer(j: Journey, contract: ParsedSignContract): void {
  if (!j.code.has(CUSTOMER_GRADE)) return;
  const value = contractValue(j, contract);
  const { grade, basis } = contract.grade
    ? { grade: contract.grade, basis: 'ops' as const }
    : gradeByValue(j.policy.grading, value);
  j.s.grade = { grade, basis, value, at: nowIso() };
  const why =
    basis === 'ops'
      ? 'named in the contract'
      : basis === 'contract-value'
        ? `contract value ${value!.amount} ${value!.currency}`
        : value
          ? `no thresholds for ${value.currency}: the policy's default`
          : "no contract value: the policy's default";
  j.entity.record('customer-graded', `customer graded ${grade} (${why})`, { data: { grade, basis } });
}

/** An urgent issue of an A-grade customer: the account owner joins after-sales on the case. */
export async function jointResponse(j: Journey, caseWorkflowId: string, priority: Priority): Promise<void> {
  if (j.s.grade?.grade !== 'A' || !j.policy.grading.jointResponse.includes(priority)) return;
  j.entity.record(
    'joint-response',
    `${priority} issue of an A-grade customer: the account owner answers with after-sales (case ${caseWorkflowId})`,
    { data: { caseWorkflowId } },
  );
  await createTask(
    j,
    `joint-response/${caseWorkflowId}`,
    'joint-response',
    nowIso(),
    `${priority} issue of an A-grade customer: join after-sales on case ${caseWorkflowId}`,
  );
}
