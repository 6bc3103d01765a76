/** What the global setup shares with every test file. */
export interface TemporalTestContext {
  devServer: { address: string; uiUrl: string };
  workflowBundlePath: string;
  /** Scratch folder of this test run, removed at the end. */
  runDir: string;
  /** Where the cluster's build beside the tests reports (a `ClusterBinariesStatus`), when selected. */
  clusterBinariesStatus?: string;
}

/** How far the cluster's binaries are: still building, in the cache, or failed (and why). */
export type ClusterBinariesStatus =
  | { state: 'building' }
  | { state: 'ready'; buildTimes?: Partial<Record<string, number>> }
  | { state: 'failed'; message: string };
