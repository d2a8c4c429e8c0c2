import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, resolveMongodBinary } from '../src/dev';
import { describeStartupError, StartupError } from '../src/startupErrors';
import { FROM_START, type FinishedProcess, runToExit, startApiProcess } from './support/apiProcess';

/**
 * Each known way `npm start` fails at start, on the real process (scripts/start.js, as `npm start`
 * runs it): one line on stderr naming the cause and the fix, exit code 1, no stack trace. Anything
 * else keeps its stack.
 */
const scratchDirs: string[] = [];
const scratch = () => {
  scratchDirs.push(mkdtempSync(join(tmpdir(), 'race-free-api-start-')));
  return scratchDirs[scratchDirs.length - 1];
};
// An embedded mongod leaves some 300 MB of journal behind.
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});
/** The database and Stripe the other tests use, so these starts get as far as the failure under test. */
const reachable = () => ({ MONGODB_URI: inject('mongoUri'), STRIPE_API_BASE: inject('stripeApiBase'), JWT_SECRET: 'startup-test-secret' });

function expectOneLine(run: FinishedProcess, pattern: RegExp): void {
  // scripts/start.js prints one "build: …" line when it had to compile src/ first.
  const lines = run.stderr.split('\n').filter((line) => line && !line.startsWith('build: '));
  expect(lines, run.stdout + run.stderr).toEqual([expect.stringMatching(pattern)]);
  expect(lines[0]).toMatch(/^cannot start: /);
  // No stack anywhere: neither printed nor inside a JSON log line.
  expect(run.stdout + run.stderr).not.toMatch(/(^|\\n)\s+at /m);
  expect(run.code).toBe(1);
}

describe('a start that fails for a known reason says why and what to do, in one line', () => {
  it('an invalid environment value (PORT=forty)', async () => {
    const run = await runToExit({ ...reachable(), PORT: 'forty', DATA_DIR: scratch() });
    expectOneLine(run, /PORT must be an integer >= 0, got "forty": set it to one, or unset it for the default \(4000\)$/);
  });

  it('the port in use', async () => {
    const holder: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)),
    );
    try {
      const run = await runToExit({ ...reachable(), PORT: String(port), DATA_DIR: scratch() });
      expectOneLine(run, new RegExp(`port ${port} is in use by another process: stop it, or set PORT`));
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('the data directory in use by another server (a second npm start in the same folder)', async () => {
    const dataDir = scratch();
    // The first server starts its embedded mongod in DATA_DIR; the second finds the folder locked.
    const first = await startApiProcess({ ...reachable(), MONGODB_URI: '', DATA_DIR: dataDir }, 30_000, FROM_START);
    try {
      const run = await runToExit({ ...reachable(), MONGODB_URI: undefined, DATA_DIR: dataDir });
      const pid = first.child.pid;
      expectOneLine(
        run,
        new RegExp(`another server is using ${dataDir} \\(pid ${pid}, its mongod pid \\d+\\): stop it, or set DATA_DIR or MONGODB_URI$`),
      );
    } finally {
      first.child.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
    }
  });

  it('no mongod to be found (none named, on PATH, cached or from PyPI, and no download)', async () => {
    const home = scratch();
    // A PATH with node alone: no mongod, no python3 for the PyPI route.
    mkdirSync(join(home, 'bin'));
    symlinkSync(process.execPath, join(home, 'bin', 'node'));
    const run = await runToExit({
      DATA_DIR: join(home, 'data'),
      PATH: join(home, 'bin'),
      HOME: home,
      XDG_CACHE_HOME: join(home, 'cache'),
      MONGODB_URI: undefined,
      MONGOMS_SYSTEM_BINARY: undefined,
      MONGOMS_VERSION: undefined,
      // mongodb-memory-server's download, pointed at a local port nothing listens on: nothing leaves the machine.
      MONGOMS_DOWNLOAD_MIRROR: `http://127.0.0.1:${await freePort()}`,
      MONGOMS_USE_HTTP: 'true',
      MONGOMS_MAX_RETRIES: '1',
      MONGOMS_DOWNLOAD_DIR: join(home, 'download'),
    });
    expectOneLine(
      run,
      /no mongod to be found \(.*the download failed: ECONNREFUSED\): put mongod .* on PATH, set MONGOMS_SYSTEM_BINARY, or set MONGODB_URI$/,
    );
  });

  it('a MONGOMS_SYSTEM_BINARY that is not there', async () => {
    const run = await runToExit({ MONGODB_URI: undefined, MONGOMS_SYSTEM_BINARY: '/nonexistent/mongod', DATA_DIR: scratch() });
    expectOneLine(run, /no mongod at \/nonexistent\/mongod: point MONGOMS_SYSTEM_BINARY at a mongod .* or unset it, or set MONGODB_URI$/);
  });

  describe('MongoDB not a replica set', () => {
    let mongod: ChildProcess;
    let port: number;
    beforeAll(async () => {
      const binary = resolveMongodBinary(() => {}).path;
      if (!binary) throw new Error('no provisioned mongod (npm run provision)');
      port = await freePort();
      // A standalone server: no --replSet.
      mongod = spawn(binary, ['--dbpath', scratch(), '--port', String(port), '--bind_ip', '127.0.0.1'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the standalone mongod did not start in time')), 30_000);
        createInterface({ input: mongod.stdout! }).on('line', (line) => {
          if (line.includes('Waiting for connections')) {
            clearTimeout(timer);
            resolve();
          }
        });
        mongod.once('exit', (code) => reject(new Error(`the standalone mongod exited with ${code}`)));
      });
    }, 40_000);
    afterAll(async () => {
      if (!mongod || mongod.exitCode !== null) return;
      const exited = new Promise((resolve) => mongod.once('exit', resolve));
      mongod.kill('SIGTERM');
      await exited;
    });

    it('MONGODB_URI pointing at a standalone mongod', async () => {
      const run = await runToExit({ ...reachable(), MONGODB_URI: `mongodb://127.0.0.1:${port}/`, DATA_DIR: scratch() });
      expectOneLine(
        run,
        new RegExp(
          `MongoDB at 127\\.0\\.0\\.1:${port} is a standalone server, not a replica set .*: start it with --replSet .*, or unset MONGODB_URI`,
        ),
      );
    });
  });

  it('a MONGODB_URI that is no connection string', async () => {
    const run = await runToExit({ ...reachable(), MONGODB_URI: 'http://127.0.0.1:1', DATA_DIR: scratch() });
    expectOneLine(run, /MONGODB_URI is not a valid connection string \(Invalid scheme.*\): fix it, or unset it/);
  });
});

describe('a start that fails for another reason', () => {
  it('prints the error with its stack and exits 1', async () => {
    // DATA_DIR under a regular file: writing the generated secrets there fails (ENOTDIR), a cause not classified.
    const file = join(scratch(), 'a-file');
    writeFileSync(file, '');
    const run = await runToExit({ ...reachable(), JWT_SECRET: undefined, DATA_DIR: join(file, 'data') });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ENOTDIR/);
    expect(run.stderr).toMatch(/^\s+at /m);
    expect(run.stderr).not.toMatch(/cannot start: /);
  });

  it('is told apart from the known ones by describeStartupError', () => {
    expect(describeStartupError(new Error('boom'))).toBeUndefined();
    expect(describeStartupError('not an error')).toBeUndefined();
    expect(describeStartupError(new StartupError('PORT must be …'))).toBe('PORT must be …');
    // A port taken between the check and the listen: the HTTP server's own error.
    const taken = Object.assign(new Error('listen EADDRINUSE: address already in use :::4000'), { code: 'EADDRINUSE', port: 4000 });
    expect(describeStartupError(taken)).toMatch(/^port 4000 is in use by another process/);
    // The data directory shown as the user named it (relative to where the server runs), without a pid when the lock file is gone.
    const locked = new Error(
      `Original Error:\nDBPathInUse: Unable to lock the lock file: ${join(process.cwd(), '.data-never-created', 'db', 'mongod.lock')} (Resource temporarily unavailable). Another mongod instance is already running`,
    );
    expect(describeStartupError(locked)).toBe('another server is using .data-never-created: stop it, or set DATA_DIR or MONGODB_URI');
  });
});
