import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSync } from '@swc/core';

/**
 * The code's shape, checked by `npm run lint:modules` (STYLE.md: "assert, don't assume"; files
 * ≤ ~300 lines, functions short enough to see whole):
 * - no non-null assertion (`x!`): an invariant is an `assert` (src/assert.ts), anything less certain
 *   is handled;
 * - no function over 100 lines;
 * - no file over 300 lines.
 * Parsed with swc, the parser dependency-cruiser already uses here. Generated code is left out.
 */
const MAX_FUNCTION_LINES = 100;
const MAX_FILE_LINES = 300;

/**
 * Offenders from before the check, which others are fixing right now. An entry is a file and the
 * name of the function the offence is in, as the check reports it; anything not listed fails. Remove
 * an entry once it is fixed (the check then says it no longer offends), so the list only shrinks.
 */
/** Offenders allowed for now: none. A new entry needs a reason beside it, and the list only shrinks. */
const ALLOWED: Record<'nonNullAssertions' | 'longFunctions' | 'longFiles', string[]> = {
  nonNullAssertions: [],
  longFunctions: [],
  longFiles: [],
};

export interface ShapeFinding {
  rule: 'non-null assertion' | 'long function' | 'long file';
  file: string;
  line: number;
  /** The enclosing function's name ('(top level)' outside any); undefined for a file. */
  name?: string;
  lines?: number;
}

interface AstNode {
  type?: string;
  span?: { start: number; end: number };
  [key: string]: unknown;
}

const FUNCTIONS = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ClassMethod',
  'PrivateMethod',
  'Constructor',
  'MethodProperty',
  'GetterProperty',
  'SetterProperty',
]);

const nameOf = (value: unknown): string | undefined => {
  const name = (value as { value?: unknown } | undefined)?.value;
  return typeof name === 'string' ? name : undefined;
};

/** Where a function's value is named: `const name = …`, `name: …`, a class's `name = …`. */
const NAMING: Record<string, [name: string, value: string]> = {
  VariableDeclarator: ['id', 'init'],
  KeyValueProperty: ['key', 'value'],
  ClassProperty: ['key', 'value'],
};
/** Expressions that leave a value's name to what they wrap (`(async () => …) as Handler`). */
const WRAPPERS = new Set(['ParenthesisExpression', 'TsAsExpression', 'TsSatisfiesExpression', 'TsConstAssertion', 'TsTypeAssertion']);

function sourceFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((file) => join(root, file))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.split('/').includes('generated'))
    .sort();
}

/** The file's line count, and the line of an swc position: swc's spans are 1-based byte offsets into this file alone. */
function lineNumbers(file: string, bytes: Buffer) {
  const lineStarts = [0];
  for (let i = 0; i < bytes.length; i += 1) if (bytes[i] === 0x0a) lineStarts.push(i + 1);
  const lineOf = (position: number): number => {
    const offset = position - 1;
    if (offset < 0 || offset > bytes.length) throw new Error(`${file}: swc span ${position} is outside the file (${bytes.length} bytes)`);
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
  const lines = bytes.at(-1) === 0x0a ? lineStarts.length - 1 : lineStarts.length;
  return { lines, lineOf };
}

/** Every offence in one file, whether allowed or not. */
function fileFindings(file: string): ShapeFinding[] {
  const bytes = readFileSync(file);
  const { lines, lineOf } = lineNumbers(file, bytes);
  const findings: ShapeFinding[] = [];
  if (lines > MAX_FILE_LINES) findings.push({ rule: 'long file', file, line: 1, lines });
  /**
   * `enclosing` is the name of the function around the node; `given`, the name the node gets as
   * the value of a declaration or property. An anonymous callback belongs to its enclosing function.
   */
  const visit = (node: unknown, enclosing: string, given?: string): void => {
    if (Array.isArray(node)) return node.forEach((child) => visit(child, enclosing));
    if (!node || typeof node !== 'object') return;
    const current = node as AstNode;
    const type = current.type ?? '';
    if (FUNCTIONS.has(type) && current.span) {
      const name = nameOf(current.identifier) ?? nameOf(current.key) ?? given ?? enclosing;
      const first = lineOf(current.span.start);
      // The span's end is exclusive: its last byte is one before it.
      const length = lineOf(current.span.end - 1) - first + 1;
      if (length > MAX_FUNCTION_LINES) findings.push({ rule: 'long function', file, line: first, name, lines: length });
      enclosing = name;
    }
    if (type === 'TsNonNullExpression' && current.span) {
      findings.push({ rule: 'non-null assertion', file, line: lineOf(current.span.start), name: enclosing });
    }
    const naming = NAMING[type];
    for (const [key, child] of Object.entries(current)) {
      if (key === 'span') continue;
      if (naming && key === naming[1]) visit(child, enclosing, nameOf(current[naming[0]]));
      else visit(child, enclosing, WRAPPERS.has(type) && key === 'expression' ? given : undefined);
    }
  };
  visit(parseSync(bytes.toString('utf8'), { syntax: 'typescript', target: 'es2022' }).body, '(top level)');
  return findings;
}

const LISTS: Record<ShapeFinding['rule'], string[]> = {
  'non-null assertion': ALLOWED.nonNullAssertions,
  'long function': ALLOWED.longFunctions,
  'long file': ALLOWED.longFiles,
};

const entryOf = (finding: ShapeFinding) => (finding.name === undefined ? finding.file : `${finding.file} ${finding.name}`);

/** What breaks the rules and is not on the list, and the list's entries that no longer offend. */
export function checkCodeShape(root: string): { violations: ShapeFinding[]; fixed: string[]; files: number } {
  const files = sourceFiles(root);
  const findings = files.flatMap(fileFindings);
  const violations = findings.filter((finding) => !LISTS[finding.rule].includes(entryOf(finding)));
  const fixed = Object.entries(LISTS).flatMap(([rule, entries]) =>
    entries
      .filter((entry) => !findings.some((finding) => finding.rule === rule && entryOf(finding) === entry))
      .map((entry) => `${rule}: ${entry}`),
  );
  return { violations, fixed, files: files.length };
}

export function describeFinding(finding: ShapeFinding): string {
  const where = `${finding.file}:${finding.line}`;
  if (finding.rule === 'non-null assertion')
    return `non-null assertion at ${where} (in ${finding.name}): assert the invariant or handle the case`;
  if (finding.rule === 'long function')
    return `function ${finding.name} at ${where} has ${finding.lines} lines (at most ${MAX_FUNCTION_LINES})`;
  return `file ${finding.file} has ${finding.lines} lines (at most ${MAX_FILE_LINES})`;
}
