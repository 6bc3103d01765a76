/**
 * A Temporal client for commands and services (report, schedules, ingress, client helpers),
 * configured like the worker: Temporal's standard environment configuration.
 */
import { Client, Connection } from '@temporalio/client';
import { loadConnectionConfig } from './config';
import { loadDataConverter, withLocalKeyFile } from './data-converter';

export interface ConnectedClient {
  client: Client;
  /** Close it when done, or the process keeps running. */
  connection: Connection;
}

/**
 * Connects a client from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key,
 * profiles); `localhost:7233` when nothing is set, which is where `npm start` listens.
 *
 * Payloads are encrypted and decrypted with the worker's keys (CJ_CODEC_KEYS or
 * CJ_CODEC_KEY_FILE; against npm start's local server, its `data/codec-keys.json`).
 *
 * @throws ConfigError naming a wrong setting.
 */
export async function connectClient(env: NodeJS.ProcessEnv = process.env): Promise<ConnectedClient> {
  const config = loadConnectionConfig(env);
  // Validated before connecting, so a wrong key setting does not leave a connection open.
  const { dataConverter } = loadDataConverter(withLocalKeyFile(env, config.hasExplicitAddress));
  const connection = await Connection.connect({
    ...config.connectionOptions,
    address: config.connectionOptions.address ?? 'localhost:7233',
  });
  return { client: new Client({ connection, namespace: config.namespace, dataConverter }), connection };
}
