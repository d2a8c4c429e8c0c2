/**
 * npm run build: bundles src/main.ts into dist/ with esbuild (a production dependency, so
 * `npm ci --omit=dev && npm start` can build too). `node scripts/build.js --if-stale` builds only
 * when src/ (or this script, tsconfig.json, esbuild's version) changed since the last build.
 *
 * - node_modules stay external: the bundle imports the installed packages as `tsx src/main.ts` does.
 * - Code splitting keeps `await import('./dev')` lazy: the dev tooling (embedded mongod,
 *   stripe-mock, mongodb-memory-server) lands in its own chunk, loaded only when needed; the build
 *   fails if the entry would import mongodb-memory-server at start.
 * - Every output file sits directly in dist/, and in each source file `import.meta.url` is rewritten
 *   to the URL its own compiled file would have (src/http/calendarPage.ts → dist/http/calendarPage.js),
 *   so paths relative to it (web/, schema.graphql, node_modules) resolve as they do from src/.
 *
 * Plain JavaScript on purpose: it runs where tsx (a dev dependency) is not installed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
const ENTRY = join(SRC, 'main.ts');
const STAMP = join(DIST, 'build-stamp.json');
/** Packages that only the dev tooling may import: never on the start-up path of the bundle. */
const DEV_ONLY = ['mongodb-memory-server', 'mongodb-memory-server-core'];

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

/** A hash of everything the bundle is made from. */
export function sourceHash() {
  const hash = createHash('sha256').update(`esbuild ${esbuild.version}\n`);
  for (const file of [...listFiles(SRC), fileURLToPath(import.meta.url), join(ROOT, 'tsconfig.json')]) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function isStale() {
  if (!existsSync(join(DIST, 'main.js')) || !existsSync(STAMP)) return true;
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')).hash !== sourceHash();
  } catch {
    return true;
  }
}

/** `import.meta.url` as it would be for the file's own compiled copy under dist/. */
const mirrorImportMetaUrl = {
  name: 'mirror-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!args.path.startsWith(SRC + sep) || !source.includes('import.meta.url')) return undefined;
      const mirrored = './' + relative(SRC, args.path).split(sep).join('/').replace(/\.ts$/, '.js');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(mirrored)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

/** Packages the entry loads before running: its static imports, and those of the chunks it imports. */
function loadedAtStart(metafile) {
  const outputs = metafile.outputs;
  // Lazily imported modules are entry points of their own in the metafile: start from main only.
  const pending = Object.keys(outputs).filter((path) => outputs[path].entryPoint === 'src/main.ts');
  const seen = new Set(pending);
  const packages = [];
  while (pending.length > 0) {
    for (const { path, kind, external } of outputs[pending.pop()].imports) {
      if (kind !== 'import-statement') continue;
      if (external) packages.push(path);
      else if (!seen.has(path)) seen.add(path) && pending.push(path);
    }
  }
  return packages;
}

/** Builds dist/ from src/; each file is written whole (temp file + rename), the stamp last. */
export async function build(log = (line) => console.error(line)) {
  const started = Date.now();
  const hash = sourceHash();
  const result = await esbuild
    .build({
      absWorkingDir: ROOT,
      entryPoints: { main: ENTRY },
      outdir: DIST,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      keepNames: true,
      // Stack traces name src/ files and lines.
      banner: { js: 'process.setSourceMapsEnabled(true);' },
      plugins: [mirrorImportMetaUrl],
      metafile: true,
      write: false,
      logLevel: 'warning',
    })
    // esbuild runs as a child process; a server started right after must not keep it alive.
    .finally(() => esbuild.stop());
  const eager = loadedAtStart(result.metafile).filter((path) => DEV_ONLY.includes(path));
  if (eager.length > 0) throw new Error(`the bundle would load ${eager.join(', ')} at start; keep dev tooling lazy`);

  mkdirSync(DIST, { recursive: true });
  const written = new Set([STAMP]);
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
    written.add(file.path);
  }
  writeFileSync(`${STAMP}.${process.pid}.tmp`, JSON.stringify({ hash, builtAt: new Date().toISOString() }) + '\n');
  renameSync(`${STAMP}.${process.pid}.tmp`, STAMP);
  // Chunks of earlier builds (their names carry a content hash).
  for (const file of readdirSync(DIST)) {
    const path = join(DIST, file);
    if (!written.has(path) && !file.endsWith('.tmp')) rmSync(path, { recursive: true, force: true });
  }
  log(`build: src/ bundled into dist/ (${result.outputFiles.length} files) in ${Date.now() - started} ms`);
}

export async function buildIfStale(log = (line) => console.error(line)) {
  if (isStale()) await build(log);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await (process.argv.includes('--if-stale') ? buildIfStale() : build());
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
