import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The browser test drives Debian's Chromium through playwright-core (playwright's own browser
 * download cannot work on machines that reach only package registries). Installs it when missing;
 * idempotent and quick when present. When it cannot be installed this exits non-zero, so the test
 * run stops instead of the browser test being skipped.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function apt(args: string[]): void {
  // Another process (a concurrent CI job, unattended upgrades) may hold the dpkg lock for a while.
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

if (existsSync(CHROMIUM_PATH)) {
  console.log(`chromium: using ${CHROMIUM_PATH}`);
} else {
  console.log(`chromium: ${CHROMIUM_PATH} is missing; installing Debian's chromium package (one time)`);
  try {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', 'chromium']);
  } catch (error) {
    console.error(`chromium: apt-get failed (${(error as Error).message}); run as root on Debian, or set CHROMIUM_PATH`);
    process.exit(1);
  }
  if (!existsSync(CHROMIUM_PATH)) {
    console.error(`chromium: still no browser at ${CHROMIUM_PATH} after installing`);
    process.exit(1);
  }
  console.log(`chromium: installed at ${CHROMIUM_PATH}`);
}
