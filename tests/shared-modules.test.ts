/**
 * The workflow modules every cached workflow shares (workflows/shared-modules.ts): the list is
 * complete, no module keeps state that sharing would carry from one workflow to the next, and
 * what the module freezes is frozen while zod's schemas stay usable.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const SHARED_MODULES_FILE = 'workflows/shared-modules.ts';

/** Every TypeScript module of the workflow code (what the bundle can load into a workflow). */
function workflowModules(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.ts')) files.push(relative);
    }
  };
  walk('workflows');
  walk('archive/workflows-v1');
  return files.sort();
}

function read(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

function unwrap(expression: ts.Expression | undefined): ts.Expression | undefined {
  let current = expression;
  while (
    current &&
    (ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isParenthesizedExpression(current))
  ) {
    current = current.expression;
  }
  return current;
}

/**
 * Top-level state allowed in spite of the rule, with the reason. A cache whose entries depend only
 * on their key gives every workflow the same answer, whichever filled it.
 */
const ALLOWED_TOP_LEVEL_STATE: Record<string, string> = {
  'workflows/kernel/time-zones.ts formatters': 'a cache of Intl formatters by time zone',
  'archive/workflows-v1/definitions/business-hours.ts formatters': 'a cache of Intl formatters by time zone',
};

/**
 * Declarations at the top of a module that sharing would leak between workflows: any `let` or
 * `var`, any collection built with `new`, and any array or object literal that is neither exported
 * (shared-modules.ts freezes exports) nor frozen where it is declared.
 */
function topLevelState(file: string, source = read(file)): string[] {
  const found: string[] = [];
  for (const statement of ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true).statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const exported = statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    const constant = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
    for (const declaration of statement.declarationList.declarations) {
      const name = declaration.name.getText();
      const value = unwrap(declaration.initializer);
      const literal = value && (ts.isArrayLiteralExpression(value) || ts.isObjectLiteralExpression(value));
      const problem = !constant
        ? 'a let/var'
        : value && ts.isNewExpression(value)
          ? `a new ${value.expression.getText()}`
          : literal && !exported
            ? 'an unfrozen literal'
            : undefined;
      if (problem && !ALLOWED_TOP_LEVEL_STATE[`${file} ${name}`])
        found.push(`${file}: ${name} is ${problem}`);
    }
  }
  return found;
}

describe('the workflow modules shared by every cached workflow', () => {
  it('lists every module of workflows/ and archive/, and nothing else', () => {
    const listed = [...read(SHARED_MODULES_FILE).matchAll(/^\s+'([^']+\.ts)':/gm)]
      .map((match) => match[1])
      .sort();
    expect(listed).toEqual(workflowModules().filter((file) => file !== SHARED_MODULES_FILE));
  });

  it('keeps no top-level mutable state in any workflow module', () => {
    expect(workflowModules().flatMap((file) => topLevelState(file))).toEqual([]);
  });

  it('finds top-level state when there is some (the check itself)', () => {
    const probe = 'workflows/kernel/probe.ts';
    const source = [
      'let count = 0;',
      'const seen = new Set<string>();',
      "const order = ['a'] as const;",
      "export const fine = ['b'];",
      "const frozen = Object.freeze(['c']);",
    ].join('\n');
    expect(topLevelState(probe, source)).toEqual([
      `${probe}: count is a let/var`,
      `${probe}: seen is a new Set`,
      `${probe}: order is an unfrozen literal`,
    ]);
  });

  it('freezes shared defaults and tables deeply, leaving the schemas in them usable', async () => {
    await import('../workflows/shared-modules');
    const { DEFAULT_CASE_POLICY } = await import('../workflows/after-sales-case/policy');
    const { JOURNEY_MESSAGES, JourneyInput } = await import('../workflows/customer-journey/contract');
    expect(Object.isFrozen(DEFAULT_CASE_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CASE_POLICY.firstReply)).toBe(true);
    expect(() => {
      (DEFAULT_CASE_POLICY.firstReply as { P1: unknown }).P1 = { hours: 99 };
    }).toThrow(TypeError);
    expect(Object.isFrozen(JOURNEY_MESSAGES.newInquiry)).toBe(true);
    expect(Object.isFrozen(JOURNEY_MESSAGES.newInquiry.schema)).toBe(false);
    // zod finishes its schemas on first use and resets regex state on every check.
    for (let round = 0; round < 3; round++) {
      expect(JourneyInput.safeParse({ customerId: 'C-1', inquiry: 'x', channel: 'email' }).success).toBe(
        true,
      );
      expect(JourneyInput.safeParse({ customerId: '+8613800000000', inquiry: 'x' }).success).toBe(false);
    }
  });
});
