/**
 * docs/rules.md is the map from a business rule to its numbers, policy key, module and test. A
 * map that names a file or test that no longer exists misleads the next reader, and a rule id in
 * a code comment without a row sends them nowhere: both fail here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const doc = readFileSync(join(root, 'docs/rules.md'), 'utf8');

interface Row {
  id: string;
  module: string;
  testFile: string;
  testName: string;
}

const rows: Row[] = doc
  .split('\n')
  .filter((line) => /^\| [A-Z]{2}-\d+ +\|/.test(line))
  .map((line) => {
    const cells = line.split('|').map((cell) => cell.trim());
    const [testFile, testName] = cells[6]!.split(' › ');
    return { id: cells[1]!, module: cells[5]!, testFile: testFile!, testName: testName! };
  });

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('docs/rules.md', () => {
  it('has one row per rule id', () => {
    expect(rows.length).toBeGreaterThan(30);
    const ids = rows.map((row) => row.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it('names modules and tests that exist', () => {
    const missing: string[] = [];
    for (const row of rows) {
      try {
        statSync(join(root, row.module));
      } catch {
        missing.push(`${row.id}: module ${row.module}`);
      }
      let tests = '';
      try {
        tests = readFileSync(join(root, row.testFile), 'utf8');
      } catch {
        missing.push(`${row.id}: test file ${row.testFile}`);
        continue;
      }
      if (!tests.includes(`'${row.testName}'`))
        missing.push(`${row.id}: test "${row.testName}" in ${row.testFile}`);
    }
    expect(missing).toEqual([]);
  });

  it('has a row for every rule id the code cites', () => {
    const known = new Set(rows.map((row) => row.id));
    const cited = new Map<string, string>();
    for (const dir of ['workflows', 'activities', 'lib']) {
      for (const file of sourceFiles(join(root, dir))) {
        for (const match of readFileSync(file, 'utf8').matchAll(/\b(?:PS|HO|AS|LE|RT)-\d+\b/g)) {
          cited.set(match[0], file.slice(root.length + 1));
        }
      }
    }
    expect(cited.size).toBeGreaterThan(20);
    expect([...cited].filter(([id]) => !known.has(id)).map(([id, file]) => `${id} in ${file}`)).toEqual([]);
  });
});
