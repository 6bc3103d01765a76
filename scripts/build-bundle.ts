/**
 * `npm run build` (second step): bundles `workflows/` once so workers start without webpack.
 * The worker uses the bundle unless a workflow source is newer than it.
 *
 * The bundle always carries the encoding failure converter (`lib/codec/failure-converter`, see
 * lib/bundle.ts):
 * workflow failures are converted inside it, so that is what lets an encrypting worker encrypt
 * their messages. Without keys, the message is then a plain JSON payload that every client
 * still reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from '../lib/bundle';
import { prebuiltBundlePath, projectRoot } from '../lib/config';

async function main(): Promise<void> {
  const started = Date.now();
  const { code } = await bundleWorkflows();
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
