/**
 * The README's CLI walkthrough, read from README.md itself (so the two cannot drift) and run as
 * written, in bash, against `npm start`: its dev server, its worker and its codec server.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { JourneyView } from '../workflows/customer-journey/contract';
import { POLL, productClient, startProduct, type RunningProduct } from './helpers/web-ui';

const root = path.resolve(__dirname, '..');
const HEADING = '### One journey from inquiry to a closed case, with the CLI';

/** The first ```sh block under the walkthrough's heading. */
function walkthrough(): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(HEADING));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (readme.indexOf(HEADING) < 0 || !block) throw new Error(`README.md has no sh block under "${HEADING}"`);
  return block[1]!;
}

describe('the README walkthrough', () => {
  let product: RunningProduct;
  beforeAll(async () => {
    product = await startProduct({
      runDir: inject('temporal').runDir,
      workflowBundlePath: inject('temporal').workflowBundlePath,
    });
  });
  afterAll(async () => {
    await product?.stop();
  });

  it('runs as written against npm start, reading results through its codec server', async () => {
    const script = walkthrough();
    expect(script).toContain('npm run -s temporal --');
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: root,
      env: {
        ...process.env,
        // Only what moves npm start off its default ports; the commands themselves are unchanged.
        TEMPORAL_ADDRESS: '',
        TEMPORAL_PROFILE: '',
        TEMPORAL_NAMESPACE: '',
        TEMPORAL_CODEC_ENDPOINT: '',
        CJ_UI_CODEC_ENDPOINT: '',
        CJ_CODEC_AUTH_TOKEN: '',
        CJ_DEV_SERVER_PORT: String(product.ports.dev),
        CJ_CODEC_PORT: String(product.ports.codec),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output).toBe(0);

    // What the README promises along the way.
    expect(output).toContain('Running execution:');
    expect(output).toContain('caseWorkflowId:journey-C-2001/case-1 priority:P2');
    // The last query's result is decrypted by the codec server: plain JSON of the journey.
    expect(output).toMatch(/QueryResult\s+\{.*"journeyId":"journey-C-2001"/);
    expect(output).toContain('"stage":"after-sales"');

    // And what it says happens next: the case closes satisfied, the journey asks for a referral.
    const client = await productClient(product);
    try {
      const journey = client.workflow.getHandle('journey-C-2001');
      await expect
        .poll(async () => {
          const view = await journey.query<JourneyView>('getJourney');
          return { cases: view.cases.map((record) => record.status), referrals: view.referralsRequested };
        }, POLL)
        .toEqual({ cases: ['closed'], referrals: 1 });
      const outbox = fs.readFileSync(path.join(product.dataDir, 'outbox', 'feedback.jsonl'), 'utf8');
      expect(outbox).toContain('journey-C-2001/case-1');
    } finally {
      await client.connection.close();
    }
  });
});
