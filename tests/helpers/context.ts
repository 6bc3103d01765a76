/** What the global setup shares with every test file. */
export interface TemporalTestContext {
  devServer: { address: string; uiUrl: string };
  workflowBundlePath: string;
  /** Scratch folder of this test run, removed at the end. */
  runDir: string;
}
