/**
 * Reads the what-if replay's input from visibility pages: each closed case's report figures and
 * its SLA journal, both from its memo, so the time grows with pages, not histories. A case closed
 * before cases kept a journal cannot be replayed and is counted as such.
 */
import type { Client } from '@temporalio/client';
import {
  CASE_REPORT_MEMO,
  CASE_SLA_JOURNAL_MEMO,
  CaseResult,
  CaseSlaJournal,
} from '../../workflows/after-sales-case/contract';
import { closedCasesQuery, listClosed, memoField } from '../report/collect';
import type { JournaledCase } from './engine';

export interface JournaledCases {
  cases: JournaledCase[];
  /** Closed without a journal (before the `sla-journal` patch). */
  withoutJournal: number;
  /** A memo that could not be decoded or is not what the case writes. */
  unreadable: number;
}

/** The journaled cases that closed in `[from, to)`, oldest close first. */
export async function collectJournaledCases(
  client: Client,
  options: { from: Date; to: Date; extraQuery?: string; onProgress?(done: number, total: number): void },
): Promise<JournaledCases> {
  const query = closedCasesQuery(options.from, options.to, options.extraQuery);
  let total = (await client.workflow.count(query)).count;
  const out: JournaledCases = { cases: [], withoutJournal: 0, unreadable: 0 };
  let done = 0;
  options.onProgress?.(done, total);
  for await (const execution of listClosed(client, query, options.to)) {
    const [result, journal] = await Promise.all([
      memoField(client, execution, CASE_REPORT_MEMO),
      memoField(client, execution, CASE_SLA_JOURNAL_MEMO),
    ]);
    done += 1;
    total = Math.max(total, done);
    if (done % 100 === 0) options.onProgress?.(done, total);
    if (journal === undefined) {
      out.withoutJournal += 1;
      continue;
    }
    const parsedResult = CaseResult.safeParse(result);
    const parsedJournal = CaseSlaJournal.safeParse(journal);
    if (!parsedResult.success || !parsedJournal.success) {
      out.unreadable += 1;
      continue;
    }
    out.cases.push({
      workflowId: execution.workflowId,
      closeTime: execution.closeTime,
      result: parsedResult.data,
      journal: parsedJournal.data,
    });
  }
  options.onProgress?.(done, done);
  out.cases.sort((a, b) => a.closeTime.getTime() - b.closeTime.getTime());
  return out;
}
