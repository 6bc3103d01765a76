/**
 * Handler registration shared by every workflow: payloads are checked against their zod schema
 * first, with the consequences the product promises.
 *
 * - A signal with a bad payload is recorded (via `onRejected`) and ignored; a signal handler
 *   never throws, because a throw there either fails the workflow or sticks its task retrying.
 * - An update is checked by its validator (schema, then the workflow's own rule) before it is
 *   accepted; a rejection reaches the caller and leaves nothing in history.
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import { check, parseOrThrow } from '../definitions/validation';
import { failureMessage } from './workflow-support';

export function registerSignal<S extends z.ZodType>(
  definition: SignalDefinition<[z.input<S>]>,
  schema: S,
  description: string,
  onRejected: (signal: string, problems: string[]) => void,
  handle: (message: z.output<S>) => void | Promise<void>,
): void {
  setHandler(
    definition,
    async (raw: unknown) => {
      const checked = check(schema, raw);
      if (!checked.ok) return onRejected(definition.name, checked.problems);
      try {
        await handle(checked.value);
      } catch (error) {
        onRejected(definition.name, [failureMessage(error)]);
      }
    },
    { description },
  );
}

export function registerUpdate<S extends z.ZodType, R>(
  definition: UpdateDefinition<R, [z.input<S>]>,
  schema: S,
  description: string,
  validate: (request: z.output<S>) => void,
  handle: (request: z.output<S>) => R | Promise<R>,
): void {
  setHandler(definition, (request: z.input<S>) => handle(schema.parse(request)), {
    validator: (request) => validate(parseOrThrow(schema, request, definition.name)),
    description,
  });
}

/**
 * A registration function whose handlers count themselves on `holder` when they finish, so a
 * main loop can wake after any message was handled (and look at the whole activation then).
 */
export function counting<F extends (...args: never[]) => void>(
  holder: { handlersFinished: number },
  register: F,
): F {
  return ((...args: Parameters<F>) => {
    const handle = args[args.length - 1] as unknown as (message: unknown) => unknown;
    const counted = async (message: unknown) => {
      try {
        return await handle(message);
      } finally {
        holder.handlersFinished += 1;
      }
    };
    return register(...([...args.slice(0, -1), counted] as unknown as Parameters<F>));
  }) as F;
}
