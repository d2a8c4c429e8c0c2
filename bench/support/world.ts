import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type Db, MongoClient } from 'mongodb';
import { type Role, signToken } from '../../src/auth';
import { type EmbeddedReplSet, freePort, type RunningStripeMock, startEmbeddedReplSet, startStripeMock } from '../../src/dev';
import { type GraphQLClient, graphqlClient } from './http';
import type { ProcessGroups } from './proc';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What every bench server gets unless told otherwise: no practical rate or WebSocket limit (one
 * bench user sends thousands of mutations and opens thousands of sockets), no background jobs
 * (nothing for them to do in a bench; they would only add noise), warn-level logs, production mode.
 */
export const BENCH_API_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MUTATIONS_PER_MINUTE: '1000000000',
  WS_MAX_CONNECTIONS_PER_USER: '1000000',
  WS_MAX_OPERATIONS_PER_CONNECTION: '100000',
  SWEEP_INTERVAL_MS: '0',
  REFUND_RETRY_INTERVAL_MS: '0',
  SLOT_HORIZON_INTERVAL_MS: '0',
};

/** `npm run build` unless dist/ is up to date with src/ (the same check `npm start` makes). */
export function buildIfStale(): void {
  const result = spawnSync(process.execPath, ['scripts/build.js', '--if-stale'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`the build failed (exit ${result.status ?? result.signal})`);
}

export interface ApiServerOptions {
  mongoUri: string;
  dbName: string;
  stripeApiBase: string;
  jwtSecret: string;
  /** Added to (and overriding) `BENCH_API_ENV`. */
  env?: Record<string, string>;
  /** How long to wait for /readyz (default 30 s). */
  timeoutMs?: number;
  /**
   * Node arguments to run instead of the compiled server (not built then), e.g. a bench's own
   * baseline server: it gets the same environment and must answer GET /readyz too.
   */
  script?: string[];
}

export interface ApiServer {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  graphqlUrl: string;
  /** The same path over WebSocket (graphql-ws). */
  wsUrl: string;
  pid: number;
  child: ChildProcess;
  /** The last 200 lines it printed (pino JSON), for diagnostics. */
  output(): string[];
  /** SIGTERM, and SIGKILL if it has not exited after 15 s. */
  stop(): Promise<void>;
}

/** The compiled server (`node dist/main.js`, built first if stale) as a child process, once it answers /readyz. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  if (!options.script) buildIfStale();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'race-free-bench-api-'));
  // e.g. BENCH_API_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof': profile the server, not the bench.
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...(options.script ?? ['dist/main.js'])], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...BENCH_API_ENV,
      PORT: String(port),
      MONGODB_URI: options.mongoUri,
      MONGODB_DB: options.dbName,
      STRIPE_API_BASE: options.stripeApiBase,
      STRIPE_WEBHOOK_SECRET: 'whsec_bench',
      JWT_SECRET: options.jwtSecret,
      DATA_DIR: dataDir,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`the API exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${lines.join('\n')}`);
    }
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the API was not ready within ${options.timeoutMs ?? 30_000} ms:\n${lines.join('\n')}`);
    }
    await sleep(100);
  }
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    child,
    output: () => [...lines],
    stop,
  };
}

export interface BenchWorldOptions {
  /** API processes on the one database (default 1). */
  instances?: number;
  /** Environment for every API process, over `BENCH_API_ENV`. */
  apiEnv?: Record<string, string>;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface BenchWorld {
  mongoUri: string;
  /** The database the API processes use (fresh per run). */
  dbName: string;
  stripeApiBase: string;
  /** The API's HS256 secret, for minting tokens. */
  jwtSecret: string;
  replSet: EmbeddedReplSet;
  /** apis[0]. */
  api: ApiServer;
  apis: ApiServer[];
  /** The bench's own driver connection (setup and checks), and the API's database on it. */
  client: MongoClient;
  db: Db;
  /** A keep-alive GraphQL client on apis[0], for setup from the bench process. */
  graphql: GraphQLClient;
  /** A bearer token the API processes accept. */
  token(userId: string, role?: Role): Promise<string>;
  /**
   * Another server on the API's database, with its secret and environment (`script` as in
   * `ApiServerOptions`, e.g. a hand-written baseline), once it answers /readyz; stopped with the world.
   */
  startServer(script: string[]): Promise<ApiServer>;
  /** pids by group, `{ api: [...], mongod: [...] }`, for `LoadPool.run({ measure })` and `snapshotUsage`. */
  processes(): ProcessGroups;
  /** Stops the API processes, stripe-mock and mongod (also run on SIGINT/SIGTERM). */
  stop(): Promise<void>;
}

/**
 * A one-member replica set (throw-away data) and a stripe-mock, both started here, and
 * `instances` compiled API processes on them, in a database of their own.
 */
export async function startBenchWorld(options: BenchWorldOptions = {}): Promise<BenchWorld> {
  const log = options.log ?? ((line: string) => console.error(line));
  const quiet = () => {};
  buildIfStale();
  let replSet: EmbeddedReplSet | undefined;
  let stripeMock: RunningStripeMock | undefined;
  let client: MongoClient | undefined;
  let graphql: GraphQLClient | undefined;
  const apis: ApiServer[] = [];
  const others: ApiServer[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await Promise.allSettled([...apis, ...others].map((server) => server.stop()));
      graphql?.close();
      await client?.close();
      await stripeMock?.stop();
      await replSet?.stop();
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the bench's processes`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    [replSet, stripeMock] = await Promise.all([startEmbeddedReplSet({ log: quiet }), startStripeMock({ log: quiet })]);
    const dbName = `bench_${Date.now()}`;
    const jwtSecret = randomBytes(32).toString('hex');
    const serverOptions: ApiServerOptions = {
      mongoUri: replSet.uri,
      dbName,
      stripeApiBase: stripeMock.url,
      jwtSecret,
      env: options.apiEnv,
    };
    for (let i = 0; i < (options.instances ?? 1); i += 1) apis.push(await startApiServer(serverOptions));
    client = await new MongoClient(replSet.uri).connect();
    graphql = graphqlClient(apis[0].graphqlUrl);
    const secret = new TextEncoder().encode(jwtSecret);
    const members = replSet.members;
    log(
      `bench world: mongod ${replSet.uri}, stripe-mock ${stripeMock.url}, API ${apis.map((api) => `${api.url} (pid ${api.pid})`).join(', ')}`,
    );
    return {
      mongoUri: replSet.uri,
      dbName,
      stripeApiBase: stripeMock.url,
      jwtSecret,
      replSet,
      api: apis[0],
      apis,
      client,
      db: client.db(dbName),
      graphql,
      token: (userId, role = 'user') => signToken(secret, { id: userId, role }),
      async startServer(script) {
        const server = await startApiServer({ ...serverOptions, script });
        others.push(server);
        return server;
      },
      processes: () => ({
        api: apis.map((api) => api.pid),
        mongod: members.map((member) => member.pid()).filter((pid): pid is number => pid !== undefined),
      }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
