/**
 * The failure converter of encrypted deployments: error messages and stack traces go into the
 * failure's `encodedAttributes` payload, which the payload codec then encrypts like any other.
 *
 * It is loaded by path (`DataConverter.failureConverterPath`): the SDK requires it in the worker
 * and client, and bundles it into the workflow sandbox, where workflow failures are converted.
 * So this module must stay workflow-safe: nothing but `@temporalio/common`.
 */
import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Found in a workflow bundle built with this converter: lets the worker tell whether a prebuilt
 * bundle encodes workflow failures (see `bundleEncodesFailures`).
 */
export const ENCODED_FAILURES_MARKER = 'cj-codec:encoded-failure-attributes:v1';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
