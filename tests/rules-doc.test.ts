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

interface TestRef {
  file: string;
  name: string;
}

interface Row {
  id: string;
  module: string;
  // A row's numbers are often asserted across several tests (the phone window in one, the e-mail
  // window in another): the Test cell lists them, separated by <br>.
  tests: TestRef[];
}

const rows: Row[] = doc
  .split('\n')
  .filter((line) => /^\| [A-Z]{2}-\d+ +\|/.test(line))
  .map((line) => {
    const cells = line.split('|').map((cell) => cell.trim());
    const tests = cells[6]!.split('<br>').map((ref) => {
      const [file, name] = ref.trim().split(' › ');
      return { file: file!, name: name! };
    });
    return { id: cells[1]!, module: cells[5]!, tests };
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
      for (const test of row.tests) {
        let text = '';
        try {
          text = readFileSync(join(root, test.file), 'utf8');
        } catch {
          missing.push(`${row.id}: test file ${test.file}`);
          continue;
        }
        if (!text.includes(`'${test.name}'`)) missing.push(`${row.id}: test "${test.name}" in ${test.file}`);
      }
    }
    expect(missing).toEqual([]);
  });

  // A row's test says so above its `it(`: the link survives a rename of either side only if both
  // move, and a tag with no row (or on another test than the row names) is caught.
  it('every row’s test carries the row’s id, and every tag names a row whose test it is', () => {
    const TAG = /^\s*\/\/ Asserts the numbers of docs\/rules\.md ([A-Z]{2}-\d+(?:, [A-Z]{2}-\d+)*)\.$/;
    const problems: string[] = [];
    const tagsOf = (file: string, testName: string): string[] => {
      const lines = readFileSync(join(root, file), 'utf8').split('\n');
      let at = lines.findIndex((line) => line.includes(`'${testName}'`));
      while (at >= 0 && !/\b(it|test)\(/.test(lines[at]!)) at -= 1;
      const tag = at > 0 ? TAG.exec(lines[at - 1]!) : null;
      return tag ? tag[1]!.split(', ') : [];
    };
    for (const row of rows) {
      for (const test of row.tests) {
        if (!tagsOf(test.file, test.name).includes(row.id))
          problems.push(`${row.id}: "${test.name}" in ${test.file} is not tagged with it`);
      }
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const file of sourceFiles(join(root, 'tests'))) {
      const relative = file.slice(root.length + 1);
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, at) => {
        const tag = TAG.exec(line);
        if (!tag) return;
        // The tagged test's name is the first quoted string after the tag (it may wrap onto the
        // next line under Prettier).
        const name = /'([^']+)'/.exec(lines.slice(at + 1, at + 4).join(' '))?.[1];
        for (const id of tag[1]!.split(', ')) {
          const row = byId.get(id);
          if (!row) problems.push(`${relative}: tag ${id} has no row`);
          else if (!row.tests.some((test) => test.file === relative && test.name === name))
            problems.push(`${relative}: tag ${id} on "${name}", a test its row does not name`);
        }
      });
    }
    expect(problems).toEqual([]);
  });

  it('has a row for every rule id the code cites', () => {
    const known = new Set(rows.map((row) => row.id));
    const cited = new Map<string, string>();
    for (const dir of ['workflows', 'activities', 'lib', 'local']) {
      for (const file of sourceFiles(join(root, dir))) {
        for (const match of readFileSync(file, 'utf8').matchAll(/\b(?:PS|HO|AS|LE|RT|OU)-\d+\b/g)) {
          cited.set(match[0], file.slice(root.length + 1));
        }
      }
    }
    expect(cited.size).toBeGreaterThan(20);
    expect([...cited].filter(([id]) => !known.has(id)).map(([id, file]) => `${id} in ${file}`)).toEqual([]);
  });
});
