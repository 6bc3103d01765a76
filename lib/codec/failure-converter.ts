/**
 * The failure converter of encrypted deployments: error messages and stack traces go into the
 * failure's `encodedAttributes` payload, which the payload codec then encrypts like any other.
 *
 * It is loaded by path (`DataConverter.failureConverterPath`): the SDK requires it in the worker
 * and client, and bundles it into the workflow sandbox, where workflow failures are converted.
 * So this module must stay workflow-safe: nothing but `@temporalio/common`.
 */
import {
  ApplicationFailure,
  DefaultFailureConverter,
  type PayloadConverter,
  type ProtoFailure,
  type SerializationContext,
} from '@temporalio/common';
import { FailureType } from '../../workflows/kernel/errors';
import { PUBLIC_ERROR_NAMES } from '../../workflows/kernel/validation';

/**
 * Found in a workflow bundle built with this converter: lets the worker tell whether a prebuilt
 * bundle encodes workflow failures (see `bundleEncodesFailures`).
 */
export const ENCODED_FAILURES_MARKER = 'cj-codec:encoded-failure-attributes:v1';

/**
 * Encodes every failure's message and stack trace, except the product's validation failures: an
 * invalid workflow input, an update rejected for a field or a rule, or because the run is moving
 * to its next one. Their messages name fields
 * and rules, never the caller's values, and ops must read them in the Web UI, which does not
 * decrypt an update's rejection.
 */
class EncodingFailureConverter extends DefaultFailureConverter {
  private readonly plain = new DefaultFailureConverter({ encodeCommonAttributes: false });

  override errorToFailure(
    err: unknown,
    payloadConverter: PayloadConverter,
    context?: SerializationContext,
  ): ProtoFailure {
    // The SDK hands validator errors over wrapped in an ApplicationFailure typed by their name.
    const isPublic =
      err instanceof ApplicationFailure
        ? err.type === FailureType.InvalidWorkflowInput ||
          err.type === FailureType.ContinuingAsNew ||
          PUBLIC_ERROR_NAMES.includes(err.type ?? '')
        : err instanceof Error && PUBLIC_ERROR_NAMES.includes(err.name);
    if (!isPublic) return super.errorToFailure(err, payloadConverter, context);
    // The message is the whole story; the worker's stack trace is of no use to the caller.
    return { ...this.plain.errorToFailure(err, payloadConverter, context), stackTrace: '' };
  }
}

export const failureConverter = new EncodingFailureConverter({ encodeCommonAttributes: true });
