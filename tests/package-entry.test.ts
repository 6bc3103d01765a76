/**
 * The package entry is what a backend imports: the README's examples must compile against it,
 * and `package.json` must point at its compiled form. (The dev-server journey tests use the
 * entry's helpers against a real server.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as entry from '../index';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  main: string;
  types: string;
  exports: Record<string, { types: string; default: string }>;
};
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** Names the README's TypeScript blocks import from the package, with the block's first line. */
function readmeImports(): { names: string[]; internal: string[] } {
  const names: string[] = [];
  const internal: string[] = [];
  for (const [, block] of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    for (const [, list, from] of block!.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
      if (from === pkg.name) {
        names.push(
          ...list!
            .split(',')
            .map((name) => name.replace(/^\s*type\s+/, '').trim())
            .filter(Boolean),
        );
      } else if (from!.startsWith('.') || from!.startsWith(`${pkg.name}/`)) {
        internal.push(from!);
      }
    }
  }
  return { names, internal };
}

describe('the package entry', () => {
  it('is what package.json publishes', () => {
    expect(pkg.main).toBe('dist/index.js');
    expect(pkg.types).toBe('dist/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    // `npm run build` compiles index.ts to those paths.
    const build = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { declaration?: boolean };
      include: string[];
    };
    expect(build.compilerOptions.declaration).toBe(true);
    expect(build.include).toContain('*.ts');
  });

  it('exports every name the README imports, and the README imports nothing internal', () => {
    const { names, internal } = readmeImports();
    expect(names.length).toBeGreaterThan(3);
    const exported = new Set(Object.keys(entry));
    // Type-only names leave no runtime trace: look them up in the entry's source instead.
    const source = fs.readFileSync(path.join(root, 'index.ts'), 'utf8');
    expect(names.filter((name) => !exported.has(name) && !source.includes(`type ${name}`))).toEqual([]);
    expect(internal).toEqual([]);
  });

  it('refuses a bad journey input with the field named before anything is sent', async () => {
    // No client is needed: validation happens first, so nothing reaches a server.
    const noClient = undefined as unknown as Parameters<typeof entry.startOrReachJourney>[0];
    const attempt = entry.startOrReachJourney(noClient, {
      customerId: '',
      channel: 'fax',
      inquiry: 'x',
    } as never);
    await expect(attempt).rejects.toBeInstanceOf(entry.ValidationError);
    await expect(attempt).rejects.toThrow(/customerId/);
    await expect(attempt).rejects.toThrow(/channel/);
  });

  it('exports every message definition by a name that says whose it is', () => {
    // The case and the quote signal their journey with these; no backend sends them.
    const internal = new Set(['caseClosedSignal', 'quoteDecidedSignal']);
    const namespaces = {
      afterSalesCaseContract: entry.afterSalesCaseContract,
      customerJourneyContract: entry.customerJourneyContract,
      quoteApprovalContract: entry.quoteApprovalContract,
      rootCauseAnalysisContract: entry.rootCauseAnalysisContract,
      qaReviewContract: entry.qaReviewContract,
    };
    const missing: string[] = [];
    const messages = new Set<unknown>();
    for (const [namespace, contract] of Object.entries(namespaces)) {
      for (const [name, value] of Object.entries(contract)) {
        if (!/^[a-z]\w*(Signal|Update|Query)$/.test(name) || internal.has(name)) continue;
        messages.add(value);
        // The same definition under its own name (a renamed one keeps a deprecated alias).
        if (!(Object.values(entry) as unknown[]).includes(value as unknown))
          missing.push(`${namespace}.${name}`);
      }
    }
    expect(missing).toEqual([]);
    expect(messages.size).toBeGreaterThan(40);
    expect(entry.getCaseTimelineQuery).not.toBe(entry.getJourneyTimelineQuery);
  });

  it('gives a worker of its own the activities and the workflows module', () => {
    const activities = entry.createActivities({});
    for (const name of ['notifyCustomer', 'notifyStaff', 'syncCustomerArchive']) {
      expect(typeof (activities as unknown as Record<string, unknown>)[name]).toBe('function');
    }
    expect(fs.existsSync(entry.workflowsPath)).toBe(true);
    expect(Object.keys(entry.customerJourneyContract)).toContain('JourneyInput');
    expect(Object.keys(entry.afterSalesCaseContract)).toContain('AfterSalesCaseInput');
  });
});
