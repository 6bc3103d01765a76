/**
 * The recorded histories on disk (`tests/histories/`), shared by the recorder and the replay test.
 *
 * Each file is what `historyToJSON` writes (`{"events": [...]}`, proto3 JSON, which
 * `historyFromJSON` and `Worker.runReplayHistories` read) with one addition in front: the
 * `workflowId` the history ran under. Replay needs it: the journey derives its children's ids
 * from its own, and the server compares them. `historyFromJSON` ignores the extra field. A file
 * without it (e.g. from `temporal workflow show --output json`) replays under its file name.
 */
import fs from 'node:fs';
import path from 'node:path';

export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

export interface HistoryFile {
  workflowId?: string;
  events: Record<string, unknown>[];
}

/** The event attributes a complete (closed) history ends with. */
export const CLOSING_ATTRIBUTES = [
  'workflowExecutionCompletedEventAttributes',
  'workflowExecutionFailedEventAttributes',
  'workflowExecutionContinuedAsNewEventAttributes',
] as const;

/** Every `.json` file under the directory (archived older histories in subfolders too), sorted. */
export function listHistoryFiles(dir = HISTORIES_DIR): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

export function readHistoryFile(file: string, dir = HISTORIES_DIR): HistoryFile {
  const parsed = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Partial<HistoryFile>;
  if (!Array.isArray(parsed.events) || parsed.events.length === 0) {
    throw new Error(`${file}: not a history (no "events" array)`);
  }
  return parsed as HistoryFile;
}

/** The workflow id to replay a file under: its own, else its file name. */
export function workflowIdOf(file: string, history: HistoryFile): string {
  return history.workflowId ?? path.basename(file, '.json');
}

/** The closing attribute of the last event, or undefined when the history is still open. */
export function closingEventOf(history: HistoryFile): (typeof CLOSING_ATTRIBUTES)[number] | undefined {
  const last = history.events[history.events.length - 1] ?? {};
  return CLOSING_ATTRIBUTES.find((attribute) => last[attribute] !== undefined && last[attribute] !== null);
}
