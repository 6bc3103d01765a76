/**
 * History ⇄ proto3 JSON, the format of `historyToJSON` / `historyFromJSON` from
 * `@temporalio/common` and of `temporal workflow show --output json`.
 *
 * The SDK's own two functions fail in this install with "type must be a Type":
 * `@temporalio/common` and `@temporalio/proto` each get a nested copy of protobufjs 8 (the
 * top-level one is protobufjs 7, for grpc's proto-loader), and protobufjs's JSON extension only
 * accepts message types of its own copy. So `Worker.runReplayHistories` cannot be given JSON
 * here either (it calls `historyFromJSON`). These use the JSON extension of the copy the
 * Temporal message types were built with, and give `Worker.runReplayHistories` decoded
 * histories.
 */
import { createRequire } from 'node:module';
import { temporal } from '@temporalio/proto';

export type History = temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

// Both from the module system's own copies (not through an import namespace, which test runners
// may wrap): the reflection root of `@temporalio/proto` and the JSON extension of its protobufjs.
const protoRequire = createRequire(createRequire(__filename).resolve('@temporalio/proto'));
const protojson = protoRequire('protobufjs/ext/protojson') as ProtoJson;
const historyType = (protoRequire('@temporalio/proto') as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** A history as proto3 JSON (`{"events": [...]}`, enums by name, int64 as strings). */
export function historyToJson(history: History): { events: Record<string, unknown>[] } {
  const message = temporal.api.history.v1.History.fromObject(history);
  return protojson.toJson(historyType, message) as { events: Record<string, unknown>[] };
}

/**
 * A history from proto3 JSON. Fields this SDK does not know (from a newer server) are ignored,
 * as the SDK does; other top-level members than `events` are too.
 */
export function historyFromJson(json: { events?: unknown }): temporal.api.history.v1.History {
  if (!Array.isArray(json.events)) throw new TypeError('not a history: no "events" array');
  return protojson.fromJson(
    historyType,
    { events: json.events },
    { ignoreUnknownFields: true },
  ) as temporal.api.history.v1.History;
}
