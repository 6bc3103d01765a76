/**
 * `npm run provision`: finds or builds the Temporal CLI (dev server) and the time-skipping test
 * server into the per-user cache, so tests and `npm start` start at once. CI runs it first.
 */
import { cacheDir, provisionTemporalCli, provisionTestServer } from '../local/temporal-runtime';

async function main(): Promise<void> {
  console.log(`cache: ${cacheDir()}`);
  const cli = provisionTemporalCli();
  console.log(
    cli ? `temporal CLI: ${cli.path} (${cli.source})` : 'temporal CLI: none (the SDK will download it)',
  );
  const testServer = await provisionTestServer();
  console.log(
    testServer
      ? `time-skipping test server: ${testServer.path} (${testServer.source})`
      : 'time-skipping test server: none (the SDK will download it)',
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
