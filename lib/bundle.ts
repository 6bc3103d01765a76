/**
 * Bundling the workflow code, the same way everywhere: `npm run build`, a worker that bundles at
 * start, the test setup and the history recorder all use this.
 */
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { projectRoot } from './config';
import { failureConverterPath } from './data-converter';

const noop = () => undefined;

/** webpack's build report is noise on a terminal; warnings and errors still show. */
export const warningsOnlyLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  log: noop,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** The module every cached workflow shares instead of evaluating its own copy (see the module). */
export function sharedModulesPath(): string {
  return path.join(projectRoot(), 'workflows', 'shared-modules.ts');
}

/**
 * Bundles `workflows/` (or another module) with the failure converter that encodes failure
 * messages, so an encrypting worker encrypts them too, and with the product's workflow modules
 * preloaded, so cached workflows share one copy of them (about 2.5 MiB per journey otherwise).
 */
export async function bundleWorkflows(
  workflowsPath = path.join(projectRoot(), 'workflows'),
): Promise<WorkflowBundleWithSourceMap> {
  return await bundleWorkflowCode({
    workflowsPath,
    failureConverterPath: failureConverterPath(),
    preloadModules: [sharedModulesPath()],
    logger: warningsOnlyLogger,
  });
}
