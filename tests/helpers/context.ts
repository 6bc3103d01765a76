/** What the global setup shares with every test file. */
export interface TemporalTestContext {
  devServer: { address: string; uiUrl: string };
  /** One time-skipping server per test fork, indexed by VITEST_POOL_ID - 1. */
  timeSkippingAddresses: string[];
  workflowBundlePath: string;
  /** Scratch folder of this test run, removed at the end. */
  runDir: string;
}
