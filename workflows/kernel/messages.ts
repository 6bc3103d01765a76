/**
 * One message table per workflow: every signal, update and query with its schema, the
 * description the Web UI shows, and the stages that accept it. The workflow registers its
 * handlers from the table; clients, the ingress and its OpenAPI, the fuzz tests and the docs read
 * the same table. Nothing about a message is declared twice.
 *
 * The consequences the product promises are applied here, once:
 * - a signal with a bad payload, or one its stage does not accept, is recorded in the timeline
 *   and ignored; a signal handler never throws (a throw would fail or stick the workflow);
 * - an update is checked by its validator (schema, stage, then the workflow's own rule) before it
 *   is accepted; a rejection reaches the caller and leaves nothing in history;
 * - an update already answered in an earlier run (a retried call after a continue-as-new) gets
 *   its recorded answer instead of running twice;
 * - once the run has decided to continue as new, every update is refused with the failure type
 *   `ContinuingAsNew` before it is accepted: the decision has already captured the state the next
 *   run starts from, so an update accepted now would take effect in neither run (or, completed in
 *   the same task as the continue-as-new, be delivered to both). Its caller sends it again with
 *   the same update id and the next run answers it (client/index.ts does so).
 */
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import {
  currentUpdateInfo,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  setHandler,
} from '@temporalio/workflow';
import { z } from 'zod';
import { RefusedHandover } from './continue-as-new';
import { FailureType, failureMessage } from './errors';
import { check, parseOrThrow, RuleViolation } from './validation';

export interface SignalSpec<Name extends string, S extends z.ZodType, Stage extends string> {
  kind: 'signal';
  name: Name;
  schema: S;
  description: string;
  /** Stages that accept it; every stage when absent. */
  stages?: readonly Stage[];
  /** Why the other stages refuse it (default: "<name> is not possible in stage <stage>"). */
  refusal?(stage: Stage): string;
  definition: SignalDefinition<[z.input<S>], Name>;
}

export interface UpdateSpec<
  Name extends string,
  S extends z.ZodType,
  R extends z.ZodType,
  Stage extends string,
> {
  kind: 'update';
  name: Name;
  schema: S;
  result: R;
  description: string;
  stages?: readonly Stage[];
  refusal?(stage: Stage): string;
  definition: UpdateDefinition<z.output<R>, [z.input<S>], Name>;
}

export interface QuerySpec<Name extends string, R extends z.ZodType> {
  kind: 'query';
  name: Name;
  result: R;
  description: string;
  definition: QueryDefinition<z.output<R>, [], Name>;
}

type AnySpec =
  | SignalSpec<string, z.ZodType, string>
  | UpdateSpec<string, z.ZodType, z.ZodType, string>
  | QuerySpec<string, z.ZodType>;
export type MessageTable = Record<string, AnySpec>;

export function signal<Name extends string, S extends z.ZodType, Stage extends string = never>(
  name: Name,
  schema: S,
  description: string,
  options: { stages?: readonly Stage[]; refusal?: (stage: Stage) => string } = {},
): SignalSpec<Name, S, Stage> {
  return {
    kind: 'signal',
    name,
    schema,
    description,
    ...options,
    definition: defineSignal<[z.input<S>], Name>(name),
  };
}

export function update<
  Name extends string,
  S extends z.ZodType,
  R extends z.ZodType,
  Stage extends string = never,
>(
  name: Name,
  schema: S,
  result: R,
  description: string,
  options: { stages?: readonly Stage[]; refusal?: (stage: Stage) => string } = {},
): UpdateSpec<Name, S, R, Stage> {
  return {
    kind: 'update',
    name,
    schema,
    result,
    description,
    ...options,
    definition: defineUpdate<z.output<R>, [z.input<S>], Name>(name),
  };
}

export function query<Name extends string, R extends z.ZodType>(
  name: Name,
  result: R,
  description: string,
): QuerySpec<Name, R> {
  return { kind: 'query', name, result, description, definition: defineQuery<z.output<R>, [], Name>(name) };
}

/** What runs for each message of a table; the compiler checks every message has one. */
export type Handlers<T extends MessageTable> = {
  [K in keyof T]: T[K] extends SignalSpec<string, infer S, string>
    ? (message: z.output<S>) => void | Promise<void>
    : T[K] extends UpdateSpec<string, infer S, infer R, string>
      ? {
          /** The workflow's own rule, checked before acceptance (synchronous; throw a RuleViolation). */
          validate?: (request: z.output<S>) => void;
          run: (request: z.output<S>) => z.output<R> | Promise<z.output<R>>;
        }
      : T[K] extends QuerySpec<string, infer R>
        ? () => z.output<R>
        : never;
};

/** Updates answered by this workflow, kept across continue-as-new (newest last, a bounded few). */
export const AnsweredUpdate = z.object({ id: z.string(), result: z.unknown() });
export type AnsweredUpdate = z.infer<typeof AnsweredUpdate>;

export interface RegistrationOptions<Stage extends string> {
  stage: () => Stage;
  rejectSignal: (signal: string, problems: readonly string[]) => void;
  /** Answers to remember across continue-as-new; absent for workflows that never continue. */
  answered?: AnsweredUpdate[];
  /** Called when a handler finishes (a main loop that must look at the whole activation wakes). */
  finished?: () => void;
  /** True once the run has decided to continue as new: updates are refused from then on. */
  closing?: () => boolean;
}

/** The refusal an update gets from a run that is handing over to its next run. */
export function continuingAsNew(update: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.ContinuingAsNew,
    message: `${update} reached the journey while it moves to a new run; nothing was done — send it again with the same update id`,
    nonRetryable: false,
  });
}

/** How many update answers a journey carries to its next run. */
export const ANSWERED_UPDATES_KEPT = 64;

function remembered(answered: AnsweredUpdate[] | undefined): AnsweredUpdate | undefined {
  const id = currentUpdateInfo()?.id;
  return id === undefined ? undefined : answered?.find((entry) => entry.id === id);
}

/** Registers every message of the table with its handler. */
export function registerMessages<T extends MessageTable, Stage extends string>(
  table: T,
  handlers: Handlers<T>,
  options: RegistrationOptions<Stage>,
): void {
  const accepts = (spec: { stages?: readonly string[] }) =>
    !spec.stages || spec.stages.includes(options.stage());
  const refusal = (spec: { name: string; refusal?: (stage: string) => string }) =>
    spec.refusal?.(options.stage()) ?? `${spec.name} is not possible in stage ${options.stage()}`;
  const finished = () => options.finished?.();
  for (const [key, spec] of Object.entries(table)) {
    const handler = handlers[key as keyof T] as unknown;
    if (spec.kind === 'query') {
      setHandler(spec.definition, handler as () => unknown, { description: spec.description });
    } else if (spec.kind === 'signal') {
      const handle = handler as (message: unknown) => void | Promise<void>;
      setHandler(
        spec.definition,
        async (raw: unknown) => {
          // The decision to continue as new has taken the state the next run starts from: a
          // signal applied now would reach neither run. Failing the task makes the worker drop
          // this copy of the run and replay it from its history, the signal included, so the
          // run decides again with it (see handOver in continue-as-new.ts).
          if (options.closing?.()) {
            log.warn('signal after the decision to continue as new: replaying the run', {
              signal: spec.name,
            });
            throw new RefusedHandover(`signal ${spec.name} arrived after the decision`);
          }
          try {
            const checked = check(spec.schema, raw);
            if (!checked.ok) return options.rejectSignal(spec.name, checked.problems);
            if (!accepts(spec)) return options.rejectSignal(spec.name, [refusal(spec)]);
            await handle(checked.value);
          } catch (error) {
            options.rejectSignal(spec.name, [failureMessage(error)]);
          } finally {
            finished();
          }
        },
        { description: spec.description },
      );
    } else {
      const { validate, run } = handler as {
        validate?: (request: unknown) => void;
        run: (request: unknown) => unknown;
      };
      setHandler(
        spec.definition,
        async (request: unknown) => {
          try {
            const earlier = remembered(options.answered);
            if (earlier) return earlier.result;
            const result = await run(spec.schema.parse(request));
            const id = currentUpdateInfo()?.id;
            if (options.answered && id !== undefined) {
              options.answered.push({ id, result });
              options.answered.splice(0, Math.max(0, options.answered.length - ANSWERED_UPDATES_KEPT));
            }
            return result;
          } finally {
            finished();
          }
        },
        {
          description: spec.description,
          validator: (request: unknown) => {
            if (options.closing?.()) throw continuingAsNew(spec.name);
            if (remembered(options.answered)) return;
            const parsed = parseOrThrow(spec.schema, request, spec.name);
            if (!accepts(spec)) throw new RuleViolation(refusal(spec));
            validate?.(parsed);
          },
        },
      );
    }
  }
}

type KindOf<T extends MessageTable, K extends AnySpec['kind']> = {
  [N in keyof T]: T[N]['kind'] extends K ? N : never;
}[keyof T];

/** Name → schema of a table's signals or updates (the ingress, the fuzz tests, the docs read these). */
export function schemasOf<T extends MessageTable, K extends 'signal' | 'update'>(
  table: T,
  kind: K,
): Record<KindOf<T, K> & string, z.ZodType> {
  return Object.fromEntries(
    Object.values(table)
      .filter((spec): spec is Exclude<AnySpec, { kind: 'query' }> => spec.kind === kind)
      .map((spec) => [spec.name, spec.schema]),
  ) as Record<KindOf<T, K> & string, z.ZodType>;
}

/** Name → description of every message of a table (what the Web UI shows next to each). */
export function descriptionsOf<T extends MessageTable>(table: T): Record<keyof T & string, string> {
  return Object.fromEntries(Object.values(table).map((spec) => [spec.name, spec.description])) as Record<
    keyof T & string,
    string
  >;
}
