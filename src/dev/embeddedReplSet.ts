import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Db, MongoClient } from 'mongodb';
import { MongoMemoryServer } from 'mongodb-memory-server';
import { resolveMongodBinary } from './mongodBinary';

/** One mongod of the set, as a process the caller can pause, kill and bring back (fault tests, chaos runs). */
export interface EmbeddedMember {
  host: string;
  pid(): number | undefined;
  /** Sends a signal to the mongod process (SIGSTOP freezes it, SIGCONT thaws it, SIGKILL kills it). */
  signal(signal: NodeJS.Signals): void;
  /** Stops the process (cleanly, unless it was killed) and starts it again on the same port and data. */
  restart(): Promise<void>;
}

export interface EmbeddedReplSet {
  uri: string;
  members: EmbeddedMember[];
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Keep data here across restarts; omit for a throw-away database (tests). */
  dbPath?: string;
  log?: (line: string) => void;
  /** How many mongod processes form the set (default 1). */
  members?: number;
  /** `--setParameter enableTestCommands=1`, for MongoDB's `failCommand` failpoint (tests only). */
  testCommands?: boolean;
}

const REPLICA_SET = 'rs0';
export const TRANSACTION_LIFETIME_SECONDS = 15;

/** A port nothing listens on right now, on 127.0.0.1 (for mongods and API processes we start). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A replica set (transactions and change streams need one) of `members` mongod processes on the
 * provisioned binary, on 127.0.0.1. mongodb-memory-server starts the processes; we initiate the set
 * ourselves and wait for a writable primary, because its own replica-set helper waits for an
 * election log line that a restarted node with a persisted config has already printed, and then
 * times out.
 */
export async function startEmbeddedReplSet(options: EmbeddedOptions = {}): Promise<EmbeddedReplSet> {
  const binary = resolveMongodBinary(options.log);
  const count = options.members ?? 1;
  const servers: MongoMemoryServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop({ doCleanup: !options.dbPath, force: false })));
  };
  try {
    for (let i = 0; i < count; i += 1) {
      // One member keeps the folder layout it always had; several get a folder each.
      const dbPath = options.dbPath && count > 1 ? join(options.dbPath, `member-${i}`) : options.dbPath;
      if (dbPath) mkdirSync(dbPath, { recursive: true });
      servers.push(
        await createQuietly({
          binary: binary.path ? { systemBinary: binary.path, version: binary.version } : {},
          instance: {
            dbPath,
            ip: '127.0.0.1',
            port: await freePort(),
            replSet: REPLICA_SET,
            storageEngine: 'wiredTiger',
            args: [
              // A transaction left open by a process that died (SIGKILL, OOM) keeps its documents
              // locked until the server gives up on it: 60 s by default. Ours never run longer than
              // the MongoDB time budget (8 s), so 15 s frees such documents four times sooner.
              ...['--setParameter', `transactionLifetimeLimitSeconds=${TRANSACTION_LIFETIME_SECONDS}`],
              ...(options.testCommands ? ['--setParameter', 'enableTestCommands=1'] : []),
            ],
          },
        }),
      );
    }
    const hosts = servers.map((server) => new URL(server.getUri()).host);
    await initiateAndWaitForPrimary(hosts);
    return {
      uri: `mongodb://${hosts.join(',')}/?replicaSet=${REPLICA_SET}`,
      members: servers.map((server, i) => member(server, hosts[i])),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * MongoMemoryServer.create, without the warning (and stack) mongodb-memory-server prints itself
 * when a start fails before it throws the same error: the caller reports that error once (the
 * server as one line when the cause is known, e.g. a data directory another mongod holds).
 */
async function createQuietly(options: Parameters<typeof MongoMemoryServer.create>[0]): Promise<MongoMemoryServer> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Starting the MongoMemoryServer Instance failed')) return;
    warn.apply(console, args);
  };
  try {
    return await MongoMemoryServer.create(options);
  } finally {
    console.warn = warn;
  }
}

function member(server: MongoMemoryServer, host: string): EmbeddedMember {
  const pid = () => server.instanceInfo?.instance.mongodProcess?.pid;
  return {
    host,
    pid,
    signal(signal) {
      const id = pid();
      if (id) process.kill(id, signal);
    },
    async restart() {
      const id = pid();
      // A frozen process cannot stop cleanly; let it run again first.
      if (id) process.kill(id, 'SIGCONT');
      await server.stop({ doCleanup: false, force: false });
      await server.start(true);
    },
  };
}

/** The ports may differ from the ones a persisted config names; re-point it, forcing if no primary can be elected. */
async function pointConfigAt(admin: Db, hosts: string[]): Promise<void> {
  const { config } = await admin.command({ replSetGetConfig: 1 });
  const current = config.members.map((m: { host: string }) => m.host);
  if (current.length === hosts.length && current.every((h: string, i: number) => h === hosts[i])) return;
  config.members = hosts.map((host, i) => ({ ...(config.members[i] ?? { _id: i }), host }));
  config.version += 1;
  await admin.command({ replSetReconfig: config, force: true });
}

async function initiateAndWaitForPrimary(hosts: string[], timeoutMs = 60_000): Promise<void> {
  const direct = new MongoClient(`mongodb://${hosts[0]}/?directConnection=true`);
  try {
    const admin = direct.db('admin');
    try {
      await admin.command({ replSetInitiate: { _id: REPLICA_SET, members: hosts.map((host, i) => ({ _id: i, host })) } });
    } catch (error) {
      // A persisted data folder already carries its replica-set config.
      if ((error as { codeName?: string }).codeName !== 'AlreadyInitialized') throw error;
      await pointConfigAt(admin, hosts);
    }
    const deadline = Date.now() + timeoutMs;
    while (!(await hasWritablePrimary(hosts))) {
      if (Date.now() > deadline) throw new Error(`no primary among ${hosts.join(', ')} within ${timeoutMs} ms`);
      // Several members hold their first election only when an election timeout (10 s) runs out; ask this one to stand now.
      const hello = await admin.command({ hello: 1 }).catch(() => undefined);
      if (hello?.secondary && !hello.primary) await admin.command({ replSetStepUp: 1 }).catch(() => undefined);
      await sleep(100);
    }
  } finally {
    await direct.close();
  }
}

async function hasWritablePrimary(hosts: string[]): Promise<boolean> {
  // A client per attempt: once its first server selection has failed, a driver 7 client stays closed.
  const set = new MongoClient(`mongodb://${hosts.join(',')}/?replicaSet=${REPLICA_SET}`, { serverSelectionTimeoutMS: 1_000 });
  try {
    const hello = await set.db('admin').command({ hello: 1 }, { readPreference: 'primary' });
    return hello.isWritablePrimary === true;
  } catch {
    return false;
  } finally {
    await set.close();
  }
}
