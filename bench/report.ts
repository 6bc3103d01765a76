/** The printed table of a bench run (the same numbers as results.json, fewer of them). */

interface Latency {
  p50: number;
  p99: number;
  samples: number;
}

interface Rate {
  perSecond: number;
  completed: number;
  failed: number;
  workerCpuMsEach: number | null;
  serverCpuMsEach: number | null;
}

/** The parts of the results the table shows. */
export interface TableInput {
  summary: {
    throughputRatio: number;
    actionsPerJourney: number;
    actionsPerCase: number;
    rssKiBPerCachedJourney: number;
    rssKiBPerCachedCase: number;
    report10kSeconds: number | null;
    reportSecondsPer1000: number;
  };
  report: {
    cases: number;
    createdIn: { seconds: number; perSecond: number };
    listing: { seconds: number; secondsPer1000: number; pages: number };
    histories: { cases: number; seconds: number; secondsPer1000: number };
    sameFigures: boolean;
  };
  meta: {
    mode: string;
    durationSeconds: number;
    machine: { cpus: number; node: string };
    devServer: { cli: string };
    worker: { tuning: object; reasons: Record<string, string> };
  };
  throughput: {
    count: number;
    concurrency: number;
    journey: Rate & { journeyMs: Latency };
    baseline: Rate & { runMs: Latency; plan: object };
    ratio: number;
    rounds: number;
    machineLoad: { samples: number[] };
  };
  actions: {
    sampledFamilies: number;
    perJourney: {
      actions: number;
      minimum: number;
      overMinimum: number;
      byKind: Record<string, number>;
      byActivityType: Record<string, number>;
      queriesByDriver: number;
      describesByDriver: number;
      byWorkflow: Record<string, number>;
    };
    perCase: { actionsEndToEnd: number; actionsInItsHistory: number; minimum: number };
    overMinimumBySource: Record<string, number>;
    biggestCost: {
      source: string;
      actionsPerJourney: number;
      shareOfJourney: number;
      proposal: string;
      upsertsAfterProposal?: number;
      actionsPerJourneyAfterProposal?: number;
    };
    baselineRun: { actions: number };
  };
  history: {
    perJourney: Record<string, { events: number; bytes: number }>;
    longevity: {
      journeyAtAfterSalesStart: { events: number; bytes: number };
      addedToTheJourneyPerCase: { events: number; bytes: number };
      addedPerRevisit: { events: number; bytes: number };
      addedByAReferral: { events: number; bytes: number };
      eventsPerMonth: number;
      bytesPerMonth: number;
      billableActionsPerMonth: number;
      monthsUntilContinueAsNewSuggested: number;
      monthsUntilHistoryWarning: number;
      bindingLimit: string;
    };
  };
  parked: {
    journeys: number;
    startSeconds: number;
    startsPerSecond: number;
    workerCpuMsPerStart: number | null;
    workerRssMiB: {
      before: number;
      afterFirst: { journeys: number; rssMiB: number };
      after: number;
      perJourneyKiB: number;
    };
    cases: {
      cases: number;
      workerRssMiB: {
        before: number;
        afterFirst: { cases: number; rssMiB: number };
        after: number;
        perCaseKiB: number;
      };
    };
    server: {
      before: { describeNamespaceMs: Latency; countRunningMs: Latency };
      after: { describeNamespaceMs: Latency; countRunningMs: Latency };
    };
    updateRoundTripMs: Latency;
  };
  startup: {
    runs: number;
    prebuiltBundle: { createWorkerMs: { median: number }; processToReadyMs: { median: number } };
    bundlingAtStart: { createWorkerMs: { median: number }; processToReadyMs: { median: number } };
    bundleBuildMs: number;
  };
}

const n = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';
const kib = (bytes: number) => `${n(bytes / 1024, 1)} KiB`;
const list = (record: Record<string, number>) =>
  Object.entries(record)
    .filter(([, value]) => value !== 0)
    .sort((a, b) => b[1] - a[1])
    .map(([key, value]) => `${key} ${n(value, Number.isInteger(value) ? 0 : 1)}`)
    .join(', ');

/** Rows of cells, columns padded to their widest cell. */
function grid(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>(
    (acc, row) => row.map((cell, i) => Math.max(acc[i] ?? 0, cell.length)),
    [],
  );
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function renderTable(r: TableInput): string {
  const t = r.throughput;
  const a = r.actions;
  const h = r.history;
  const l = h.longevity;
  const p = r.parked;
  const s = r.startup;
  const cpu = (rate: Rate) =>
    rate.workerCpuMsEach === null
      ? 'n/a'
      : `${n(rate.workerCpuMsEach)} / ${rate.serverCpuMsEach === null ? 'n/a' : n(rate.serverCpuMsEach)} ms`;
  const m = r.summary;
  const lines = [
    `Customer journey bench (${r.meta.mode}) — ${r.meta.machine.cpus} CPUs, Node ${r.meta.machine.node}, ` +
      `${r.meta.devServer.cli}, ${n(r.meta.durationSeconds)} s`,
    '',
    'Summary (targets)',
    ...grid([
      ['throughput journey / baseline', n(m.throughputRatio, 3), '≥ 0.9'],
      ['billable actions per journey', n(m.actionsPerJourney, 1), '≤ 36.4'],
      ['billable actions per case', n(m.actionsPerCase, 1), '≤ 16'],
      ['worker RSS per cached journey', `${n(m.rssKiBPerCachedJourney, 1)} KiB`, '≤ 400 KiB'],
      ['worker RSS per cached case', `${n(m.rssKiBPerCachedCase, 1)} KiB`, '≤ 400 KiB'],
      [
        'report over 10,000 cases',
        m.report10kSeconds === null
          ? `${n(m.reportSecondsPer1000, 2)} s per 1,000 (10,000 with --long)`
          : `${n(m.report10kSeconds, 2)} s`,
        '< 10 s',
      ],
    ]).map((line) => `   ${line}`),
    '',
    `1. Throughput: ${n(t.count)} of each, ${t.concurrency} in flight`,
    ...grid([
      ['', 'per second', 'p50 / p99 each', 'worker / server CPU each', 'failed'],
      [
        'happy-path journeys',
        n(t.journey.perSecond, 2),
        `${n(t.journey.journeyMs.p50)} / ${n(t.journey.journeyMs.p99)} ms`,
        cpu(t.journey),
        String(t.journey.failed),
      ],
      [
        'baseline workflow',
        n(t.baseline.perSecond, 2),
        `${n(t.baseline.runMs.p50)} / ${n(t.baseline.runMs.p99)} ms`,
        cpu(t.baseline),
        String(t.baseline.failed),
      ],
      ['ratio journey / baseline', n(t.ratio, 3)],
    ]).map((line) => `   ${line}`),
    `   baseline plan: ${JSON.stringify(t.baseline.plan)}; ${t.rounds} alternating rounds; ` +
      `machine load average ${t.machineLoad.samples.join(' → ')}`,
    '',
    `2. Billable actions (Temporal Cloud rules; mean of ${a.sampledFamilies} journeys)`,
    ...grid([
      ['', 'measured', 'minimum', 'over'],
      [
        'journey (+ quote approval + case)',
        n(a.perJourney.actions, 1),
        n(a.perJourney.minimum, 1),
        n(a.perJourney.overMinimum, 1),
      ],
      [
        'typical case, end to end',
        n(a.perCase.actionsEndToEnd, 1),
        n(a.perCase.minimum, 1),
        n(a.perCase.actionsEndToEnd - a.perCase.minimum, 1),
      ],
      ['baseline run (for comparison)', n(a.baselineRun.actions)],
    ]).map((line) => `   ${line}`),
    `   by kind: ${list(a.perJourney.byKind)}`,
    `   by workflow: ${list(a.perJourney.byWorkflow)}`,
    `   by activity (attempts): ${list(a.perJourney.byActivityType)}`,
    `   over the minimum: ${list(a.overMinimumBySource)}`,
    `   queries sent by the driver (billed, not in history): ${n(a.perJourney.queriesByDriver, 1)} per journey; ` +
      `describes to wait for idle (not billed): ${n(a.perJourney.describesByDriver, 1)}`,
    `   biggest cost: ${a.biggestCost.source} — ${n(a.biggestCost.actionsPerJourney, 1)} per journey ` +
      `(${n(a.biggestCost.shareOfJourney * 100)} %)`,
    `   proposal: ${a.biggestCost.proposal}`,
    ...(a.biggestCost.actionsPerJourneyAfterProposal === undefined
      ? []
      : [
          `   with it (replayed on the measured histories): ${n(a.biggestCost.upsertsAfterProposal ?? 0, 1)} upserts, ` +
            `${n(a.biggestCost.actionsPerJourneyAfterProposal, 1)} actions per journey`,
        ]),
    '',
    '3. History size (protobuf bytes)',
    ...grid([
      ['', 'events', 'bytes'],
      ...Object.entries(h.perJourney).map(([name, size]) => [name, n(size.events), kib(size.bytes)]),
      [
        'journey at after-sales start',
        n(l.journeyAtAfterSalesStart.events),
        kib(l.journeyAtAfterSalesStart.bytes),
      ],
      [
        '+ per case (no referral)',
        n(l.addedToTheJourneyPerCase.events),
        kib(l.addedToTheJourneyPerCase.bytes),
      ],
      ['+ per periodic revisit', n(l.addedPerRevisit.events), kib(l.addedPerRevisit.bytes)],
      ['+ per referral request', n(l.addedByAReferral.events), kib(l.addedByAReferral.bytes)],
      ['+ per after-sales month', n(l.eventsPerMonth, 1), kib(l.bytesPerMonth)],
    ]).map((line) => `   ${line}`),
    `   (month = 1 case, 1/3 revisit, 1/6 referral; ${n(l.billableActionsPerMonth, 1)} billable actions)`,
    `   months until continue-as-new is suggested (4,096 events / 4 MiB): ${n(l.monthsUntilContinueAsNewSuggested, 1)} ` +
      `(${l.bindingLimit}); until the history warning (10,240 events / 10 MiB): ${n(l.monthsUntilHistoryWarning, 1)}`,
    '',
    `4. Parked load: ${n(p.journeys)} open journeys on timers`,
    ...grid([
      ['', 'before', 'after', ''],
      [
        'worker RSS (fresh worker)',
        `${n(p.workerRssMiB.before, 1)} MiB`,
        `${n(p.workerRssMiB.after, 1)} MiB`,
        `(${n(p.workerRssMiB.afterFirst.rssMiB, 1)} MiB after the first ${p.workerRssMiB.afterFirst.journeys}; ` +
          `then ${n(p.workerRssMiB.perJourneyKiB, 1)} KiB per journey)`,
      ],
      [
        `worker RSS, ${n(p.cases.cases)} parked cases`,
        `${n(p.cases.workerRssMiB.before, 1)} MiB`,
        `${n(p.cases.workerRssMiB.after, 1)} MiB`,
        `(${n(p.cases.workerRssMiB.afterFirst.rssMiB, 1)} MiB after the first ${p.cases.workerRssMiB.afterFirst.cases}; ` +
          `then ${n(p.cases.workerRssMiB.perCaseKiB, 1)} KiB per case)`,
      ],
      [
        'describeNamespace p50 / p99',
        `${n(p.server.before.describeNamespaceMs.p50, 1)} / ${n(p.server.before.describeNamespaceMs.p99, 1)} ms`,
        `${n(p.server.after.describeNamespaceMs.p50, 1)} / ${n(p.server.after.describeNamespaceMs.p99, 1)} ms`,
      ],
      [
        'count(Running) p50 / p99',
        `${n(p.server.before.countRunningMs.p50, 1)} / ${n(p.server.before.countRunningMs.p99, 1)} ms`,
        `${n(p.server.after.countRunningMs.p50, 1)} / ${n(p.server.after.countRunningMs.p99, 1)} ms`,
      ],
    ]).map((line) => `   ${line}`),
    `   parked in ${n(p.startSeconds, 1)} s (${n(p.startsPerSecond)} starts/s, worker CPU ` +
      `${p.workerCpuMsPerStart === null ? 'n/a' : n(p.workerCpuMsPerStart, 1)} ms per first workflow task)`,
    `   registerInquiry round trip to a random ` +
      `parked journey: p50 ${n(p.updateRoundTripMs.p50, 1)} ms, p99 ${n(p.updateRoundTripMs.p99, 1)} ms ` +
      `(${p.updateRoundTripMs.samples} samples)`,
    '',
    `5. The analyst report over ${n(r.report.cases)} closed cases (created in ${n(r.report.createdIn.seconds, 1)} s)`,
    ...grid([
      ['', 'seconds', 'per 1,000 cases'],
      [
        `from the listing (memos, ${r.report.listing.pages} page(s))`,
        n(r.report.listing.seconds, 2),
        n(r.report.listing.secondsPer1000, 2),
      ],
      [
        'one history per case (cases closed before)',
        n(r.report.histories.seconds, 2),
        n(r.report.histories.secondsPer1000, 2),
      ],
    ]).map((line) => `   ${line}`),
    `   same figures both ways: ${r.report.sameFigures ? 'yes' : 'NO'}`,
    '',
    `6. Worker start-up (median of ${s.runs})`,
    ...grid([
      ['', 'createWorker', 'process start → polling'],
      [
        'prebuilt bundle',
        `${n(s.prebuiltBundle.createWorkerMs.median)} ms`,
        `${n(s.prebuiltBundle.processToReadyMs.median)} ms`,
      ],
      [
        'bundling at start',
        `${n(s.bundlingAtStart.createWorkerMs.median)} ms`,
        `${n(s.bundlingAtStart.processToReadyMs.median)} ms`,
      ],
      ['(building the bundle once)', `${n(s.bundleBuildMs)} ms`],
    ]).map((line) => `   ${line}`),
    '',
    'Worker tuning',
    ...Object.entries(r.meta.worker.tuning).map(
      ([key, value]) => `   ${key} = ${String(value)}: ${r.meta.worker.reasons[key] ?? ''}`,
    ),
  ];
  return lines.join('\n');
}
