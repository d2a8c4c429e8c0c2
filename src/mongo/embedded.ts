import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Db, MongoClient } from 'mongodb';
import { MongoMemoryServer } from 'mongodb-memory-server';
import { resolveMongodBinary } from './binary';

export interface EmbeddedReplSet {
  uri: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Keep data here across restarts; omit for a throw-away database (tests). */
  dbPath?: string;
  log?: (line: string) => void;
}

const REPLICA_SET = 'rs0';

/**
 * A one-node replica set (transactions and change streams need one) on the provisioned mongod.
 * mongodb-memory-server starts the process; we initiate the set ourselves and wait until the node
 * is writable, because its own replica-set helper waits for an election log line that a restarted
 * node with a persisted config has already printed, and then times out.
 */
export async function startEmbeddedReplSet(options: EmbeddedOptions = {}): Promise<EmbeddedReplSet> {
  const binary = resolveMongodBinary(options.log);
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({
    binary: binary.path ? { systemBinary: binary.path, version: binary.version } : {},
    instance: {
      dbPath: options.dbPath,
      ip: '127.0.0.1',
      replSet: REPLICA_SET,
      storageEngine: 'wiredTiger',
    },
  });
  const stop = async () => {
    await server.stop({ doCleanup: !options.dbPath, force: false });
  };
  try {
    const host = new URL(server.getUri()).host;
    await initiateAndWaitForPrimary(host);
    return { uri: `mongodb://${host}/?replicaSet=${REPLICA_SET}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The port may differ from the one the stored config names; a one-node set can be force-reconfigured. */
async function pointConfigAt(admin: Db, host: string): Promise<void> {
  const { config } = await admin.command({ replSetGetConfig: 1 });
  if (config.members.length === 1 && config.members[0].host === host) return;
  config.members = [{ ...config.members[0], host }];
  config.version += 1;
  await admin.command({ replSetReconfig: config, force: true });
}

async function initiateAndWaitForPrimary(host: string, timeoutMs = 30_000): Promise<void> {
  const client = new MongoClient(`mongodb://${host}/?directConnection=true`);
  try {
    const admin = client.db('admin');
    try {
      await admin.command({ replSetInitiate: { _id: REPLICA_SET, members: [{ _id: 0, host }] } });
    } catch (error) {
      // A persisted data folder already carries its replica-set config.
      if ((error as { codeName?: string }).codeName !== 'AlreadyInitialized') throw error;
      await pointConfigAt(admin, host);
    }
    const deadline = Date.now() + timeoutMs;
    while (!(await admin.command({ hello: 1 })).isWritablePrimary) {
      if (Date.now() > deadline) throw new Error(`mongod at ${host} did not become primary within ${timeoutMs} ms`);
      await sleep(50);
    }
  } finally {
    await client.close();
  }
}
