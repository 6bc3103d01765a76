/**
 * `npm run ingress`: the webhook ingress (lib/ingress) for systems that cannot embed the Temporal
 * SDK. Listens on CJ_INGRESS_HOST:CJ_INGRESS_PORT (127.0.0.1:8080), verifies every request with
 * CJ_INGRESS_SECRET, remembers idempotency keys for 24 h (in CJ_INGRESS_IDEMPOTENCY_FILE too when
 * set, so a restart keeps them) and starts journeys on CJ_TASK_QUEUE. The Temporal connection
 * uses the standard settings (TEMPORAL_ADDRESS…), like the worker.
 *
 * SIGINT/SIGTERM: stop accepting requests and let those in flight finish, then flush the
 * idempotency file and close the Temporal connection.
 */
import { ConfigError } from '../lib/config';
import { IdempotencyStore } from '../lib/ingress/idempotency';
import { buildIngress } from '../lib/ingress/server';
import { loadIngressSettings } from '../lib/ingress/settings';
import { connectClient } from '../lib/temporal-client';

async function main(): Promise<void> {
  const settings = loadIngressSettings(process.env);
  const idempotency = await IdempotencyStore.open({ file: settings.CJ_INGRESS_IDEMPOTENCY_FILE });
  const { client, connection } = await connectClient(process.env);
  const app = buildIngress({
    client,
    secret: settings.CJ_INGRESS_SECRET,
    taskQueue: settings.CJ_TASK_QUEUE,
    idempotency,
    logger: true,
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    const shutdown = async () => {
      await app.close();
      await idempotency.close();
      await connection.close();
    };
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('ingress shutdown failed:', error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const address = await app.listen({ port: settings.CJ_INGRESS_PORT, host: settings.CJ_INGRESS_HOST });
  console.log(
    `ingress listening on ${address} (task queue "${settings.CJ_TASK_QUEUE}"; OpenAPI at ${address}/openapi.json; ` +
      `idempotency keys ${settings.CJ_INGRESS_IDEMPOTENCY_FILE ? `kept in ${settings.CJ_INGRESS_IDEMPOTENCY_FILE}` : 'in memory only'})`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
