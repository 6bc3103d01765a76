/**
 * `npm run build` (second step): bundles `workflows/` once so workers start without webpack.
 * The worker uses the bundle unless a workflow source is newer than it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prebuiltBundlePath, projectRoot } from '../lib/config';

async function main(): Promise<void> {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(projectRoot(), 'workflows') });
  const target = prebuiltBundlePath();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, code);
  console.log(
    `wrote ${path.relative(projectRoot(), target)} (${Math.round(code.length / 1024)} KiB) in ${Date.now() - started} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
