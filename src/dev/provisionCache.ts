import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** Outside the clone, so a fresh clone on the same machine (CI) reuses what an earlier run fetched. */
export function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'race-free-api');
}

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * Builds or fetches a binary in a private temp folder (`produce` returns its path there) and moves
 * it to `target` with one rename, so concurrent provisioners never see or run half a binary.
 */
export function installIntoCache(target: string, produce: (workDir: string) => string): void {
  const root = cacheDir();
  mkdirSync(root, { recursive: true });
  const work = mkdtempSync(join(root, 'tmp-'));
  try {
    const built = produce(work);
    mkdirSync(dirname(target), { recursive: true });
    if (!existsSync(target)) renameSync(built, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
