import { spawnSync } from 'node:child_process';
import { checkCodeShape, describeFinding } from './code-shape';

/**
 * npm run lint:modules — the module boundaries (part of `npm test`).
 *
 * 1. dependency-cruiser checks the file-level rules in .dependency-cruiser.cjs: no file cycles,
 *    domains never import transport code, other modules only through their index.ts (tests,
 *    benchmarks and scripts also through a module's test face, testing.ts), dev tooling only lazily.
 * 2. On the module level (a module = a folder under src/), the domain modules must form a DAG:
 *    no module may depend, directly or through others, on a module that depends on it. A module's
 *    resolvers.ts (its GraphQL face) is left out: it is wired by src/graphql/schema.ts, not by other
 *    modules. The graph is printed, one line per module.
 * 3. The code's shape (scripts/code-shape.ts): no non-null assertion, no function over 100 lines, no
 *    file over 300 lines in src/, but for the listed offenders from before the check.
 */
const DOMAIN = ['auth', 'mongo', 'locks', 'idempotency', 'users', 'capacity', 'availability', 'ledger', 'bookings', 'payments'];

interface CruiseResult {
  modules: { source: string; dependencies: { resolved: string }[] }[];
  summary: { error: number; violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }[] };
}

const run = spawnSync(
  process.execPath,
  [
    'node_modules/dependency-cruiser/bin/dependency-cruise.mjs',
    ...['src', 'test', 'bench', 'chaos', 'scripts'],
    ...['--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
  ],
  {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  },
);
if (run.error || !run.stdout) {
  console.error(run.stderr || run.error);
  process.exit(2);
}
const result = JSON.parse(run.stdout) as CruiseResult;

const moduleOf = (path: string): string | undefined => /^src\/([^/]+)\//.exec(path)?.[1];
const edges = new Map<string, Set<string>>(DOMAIN.map((name) => [name, new Set()]));
for (const file of result.modules) {
  const from = moduleOf(file.source);
  if (!from || !edges.has(from) || file.source.endsWith('/resolvers.ts')) continue;
  for (const { resolved } of file.dependencies) {
    const to = moduleOf(resolved);
    if (to && to !== from && edges.has(to)) edges.get(from)!.add(to);
  }
}

/** Every cycle found by a depth-first walk, as the path that closes it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const walk = (name: string, path: string[]) => {
    state.set(name, 'open');
    for (const next of edges.get(name)!) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), name, next]);
      else if (!state.has(next)) walk(next, [...path, name]);
    }
    state.set(name, 'done');
  };
  for (const name of DOMAIN) if (!state.has(name)) walk(name, []);
  return found;
}

console.log('Domain modules and what they import (resolvers.ts excluded):');
for (const [name, targets] of edges) console.log(`  ${name.padEnd(12)} → ${[...targets].sort().join(', ') || '(nothing)'}`);

let failed = false;
for (const violation of result.summary.violations) {
  const via = violation.cycle ? ` (cycle: ${violation.cycle.map((step) => step.name).join(' → ')})` : '';
  console.error(`✘ ${violation.rule.name}: ${violation.from} → ${violation.to}${via}`);
  failed = true;
}
for (const cycle of cycles()) {
  console.error(`✘ module cycle: ${cycle.join(' → ')}`);
  failed = true;
}
console.log(failed ? 'module boundaries: violations found' : `module boundaries: ok (${result.modules.length} files checked)`);

const shape = checkCodeShape('src');
for (const violation of shape.violations) console.error(`✘ ${describeFinding(violation)}`);
for (const entry of shape.fixed) console.log(`  no longer offends, remove it from ALLOWED in scripts/code-shape.ts: ${entry}`);
console.log(shape.violations.length > 0 ? 'code shape: violations found' : `code shape: ok (${shape.files} files checked)`);
process.exit(failed || shape.violations.length > 0 ? 1 : 0);
