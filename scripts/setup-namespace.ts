/**
 * `npm run setup-namespace`: makes the namespace the TEMPORAL_* settings (or a profile) point at
 * ready for the workflows: registers it when it is missing and the server allows it, and adds
 * every custom search attribute it lacks, with its type. Safe to run again: what exists is kept.
 *
 * Where the server refuses (Temporal Cloud adds search attributes through its own API; a
 * cluster without operator rights), it prints exactly which attributes and types to add, and
 * exits with 2. `CJ_NAMESPACE_RETENTION_DAYS` sets the retention of a namespace it registers.
 */
import { z } from 'zod';
import { ConfigError, loadConnectionConfig, parseSettings, positiveInt } from '../lib/config';
import { DEFAULT_RETENTION_DAYS, describeProblems, setupNamespace } from '../lib/namespace-setup';
import { connectClient } from '../lib/temporal-client';
import { allSearchAttributeKeys } from '../workflows/kernel/search-attributes';

const SetupSettings = z.object({
  CJ_NAMESPACE_RETENTION_DAYS: positiveInt.default(DEFAULT_RETENTION_DAYS),
});

async function main(): Promise<number> {
  const settings = parseSettings(SetupSettings, process.env);
  const { namespace, connectionOptions } = loadConnectionConfig(process.env);
  const { connection } = await connectClient(process.env);
  try {
    console.log(`namespace "${namespace}" on ${connectionOptions.address ?? 'localhost:7233'}`);
    const outcome = await setupNamespace({
      connection,
      namespace,
      required: allSearchAttributeKeys,
      retentionDays: settings.CJ_NAMESPACE_RETENTION_DAYS,
      log: (line) => console.log(`  ${line}`),
    });
    if (outcome.refused) {
      console.error(`The server did not make the changes: ${outcome.refused.reason}\n`);
      console.error(outcome.refused.instructions);
      return 2;
    }
    if (outcome.report.wrongType.length > 0) {
      console.error(describeProblems(outcome.report));
      return 1;
    }
    console.log(
      `ready: ${outcome.registeredNamespace ? 'namespace registered; ' : ''}` +
        `${outcome.added.length} search attribute(s) added, ${outcome.alreadyPresent.length} already present`,
    );
    return 0;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
