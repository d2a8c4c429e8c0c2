import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MongoClient } from 'mongodb';
import { signToken } from '../../src/auth';
import { type ApiServer, postGraphQL, startApiServer } from '../support';
import { watchCommits } from './commits';
import type { Crowd, Totals } from './crowd';
import { openFilesLimit, startFloor, usage, type FloorProcess } from './processes';
import { CONNECTIONS_PER_USER, type FromFloor } from './protocol';

const ROUND_TIMEOUT_MS = 15_000;
const MAX_PROBES = 20;
const PAUSE_BETWEEN_ROUNDS_MS = 50;

export interface World {
  mongoUri: string;
  stripeApiBase: string;
  mongo: MongoClient;
}

/** What one server (an API instance, or a bare `ws` server of the floor) cost and delivered. */
export interface ServerFigures {
  subscribers: number;
  latencies: number[];
  rss: { idle: number; subscribed: number; after: number };
  cpu: { setup: number; rounds: number; roundsSystem: number };
  totals: Totals[];
}

export interface PhaseResult {
  servers: ServerFigures[];
  setupS: number;
  expected: number;
  /** The size of the frame each round's change was delivered in. */
  frameBytes: number;
  openFiles: string;
}

const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Rounds of one change each: `change(round)` makes it and answers when each server started it; arrivals are timed from then. */
async function runRounds(
  crowd: Crowd,
  pids: number[],
  rounds: number,
  keyOf: (round: number) => string,
  change: (round: number, key: string) => Promise<number[]>,
) {
  const servers = pids.length;
  const latencies = pids.map(() => [] as number[]);
  const expected: string[] = [];
  let frameBytes = 0;
  for (let round = 0; round < rounds; round += 1) {
    const key = keyOf(round);
    expected.push(key);
    const arrived = crowd.arrivals(key, ROUND_TIMEOUT_MS);
    const started = await change(round, key);
    const { times, frameBytes: bytes } = await arrived;
    frameBytes = Math.max(frameBytes, bytes);
    times.forEach((clientTimes, i) => {
      const server = crowd.serverOf(i, servers);
      for (const time of clientTimes) latencies[server].push(time - started[server]);
    });
    await sleep(PAUSE_BETWEEN_ROUNDS_MS);
  }
  return { latencies, expected, frameBytes };
}

/** Each server's figures from the rounds and the usage read before and after. */
function figuresOf(
  crowd: Crowd,
  pids: number[],
  usages: { idle: ReturnType<typeof usage>[]; subscribed: ReturnType<typeof usage>[]; after: ReturnType<typeof usage>[] },
  latencies: number[][],
  totals: Totals[],
): ServerFigures[] {
  const counts = crowd.perServer(pids.length);
  return pids.map((_, s) => ({
    subscribers: counts[s],
    latencies: latencies[s],
    rss: { idle: usages.idle[s].rssMb, subscribed: usages.subscribed[s].rssMb, after: usages.after[s].rssMb },
    cpu: {
      setup: usages.subscribed[s].cpuS - usages.idle[s].cpuS,
      rounds: usages.after[s].cpuS - usages.subscribed[s].cpuS,
      roundsSystem: usages.after[s].systemS - usages.subscribed[s].systemS,
    },
    totals: totals.filter((_, i) => crowd.serverOf(i, pids.length) === s),
  }));
}

/** Asks each instance for a heap snapshot (SIGUSR2, `--heapsnapshot-signal`) and waits until each is written. */
async function heapSnapshots(pids: number[], dir: string, prefix: string): Promise<void> {
  for (const [i, pid] of pids.entries()) {
    const folder = join(dir, `${prefix}-${i + 1}`);
    const before = new Set(existsSync(folder) ? readdirSync(folder) : []);
    process.kill(pid, 'SIGUSR2');
    const deadline = Date.now() + 120_000;
    for (let last = -1; ; await sleep(1_000)) {
      if (Date.now() > deadline) throw new Error(`no heap snapshot of process ${pid} in ${folder} within 2 min`);
      const file = (existsSync(folder) ? readdirSync(folder) : []).find((name) => !before.has(name) && name.endsWith('.heapsnapshot'));
      const size = file ? statSync(join(folder, file)).size : -1;
      if (size > 0 && size === last) break;
      last = size;
    }
    console.log(`  heap snapshot of instance ${i + 1} (after the subscribers came up) in ${folder}`);
  }
}

/** The compiled server with the production WebSocket limits (the harness lifts them for other benches). */
async function startInstance(world: World, dbName: string, jwtSecret: string, label: string): Promise<ApiServer> {
  // One folder per instance and size: the main thread's profile is the `.0.` one.
  const args = [];
  if (process.env.FANOUT_PROFILE) args.push(`--cpu-prof --cpu-prof-dir=${process.env.FANOUT_PROFILE}/${label}`);
  if (process.env.FANOUT_HEAP_SNAPSHOT) mkdirSync(join(process.env.FANOUT_HEAP_SNAPSHOT, label), { recursive: true });
  if (process.env.FANOUT_HEAP_SNAPSHOT)
    args.push(`--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${process.env.FANOUT_HEAP_SNAPSHOT}/${label}`);
  if (args.length > 0) process.env.BENCH_API_NODE_ARGS = args.join(' ');
  return startApiServer({
    mongoUri: world.mongoUri,
    dbName,
    stripeApiBase: world.stripeApiBase,
    jwtSecret,
    env: { WS_MAX_CONNECTIONS_PER_USER: '20', WS_MAX_OPERATIONS_PER_CONNECTION: '50' },
  });
}

/**
 * N subscribers of `query` spread over `instances` API instances on one database; each round holds
 * one date of the range through the first instance; latency = arrival − the commit's oplog wallTime.
 */
export async function apiPhase(crowd: Crowd, world: World, instances: number, rounds: number, query: string): Promise<PhaseResult> {
  const dbName = `bench_fanout_${Date.now()}_${crowd.size}`;
  const jwtSecret = randomBytes(32).toString('hex');
  const secret = new TextEncoder().encode(jwtSecret);
  const servers: ApiServer[] = [];
  const commits = await watchCommits(world.mongo, dbName);
  try {
    for (let i = 0; i < instances; i += 1) servers.push(await startInstance(world, dbName, jwtSecret, `api-${crowd.size}-${i + 1}`));
    const pids = servers.map((s) => s.pid);
    const limits = pids.map(openFilesLimit);
    const perServer = crowd.perServer(instances);
    limits.forEach((limit, i) => {
      if (limit.soft < perServer[i] + 1_000)
        throw new Error(
          `an API may open ${limit.soft} files, too few for ${perServer[i]} sockets: raise \`ulimit -n\` (hard ${limit.hard})`,
        );
    });
    const gql = (token: string, text: string, variables?: object) => postGraphQL(servers[0].graphqlUrl, token, text, variables);
    const admin = await signToken(secret, { id: 'bench-admin', role: 'admin' });
    const holder = await signToken(secret, { id: 'bench-holder', role: 'user' });
    const { createResource } = await gql(admin, 'mutation($i: CreateResourceInput!) { createResource(input: $i) { id } }', {
      i: { name: `bench ${crowd.size}`, capacity: 1, pricePerDate: 100, currency: 'EUR' },
    });
    const resourceId: string = createResource.id;
    /** Holds one date; a retryable answer is retried with the same key. */
    const hold = async (date: string, tag: string) => {
      const i = { resourceId, dates: [date], idempotencyKey: `${tag}-${Date.now()}` };
      for (let attempt = 1; ; attempt += 1) {
        try {
          const { holdDates } = await gql(holder, 'mutation($i: HoldDatesInput!) { holdDates(input: $i) { __typename } }', { i });
          if (holdDates.__typename !== 'DatesHeld') throw new Error(`hold of ${date}: ${holdDates.__typename}`);
          return;
        } catch (error) {
          if (attempt === 5 || !/"retryable":true/.test(String(error))) throw error;
          await sleep(1_000);
        }
      }
    };
    const today = new Date().toISOString().slice(0, 10);
    const days = Number(process.env.FANOUT_RANGE_DAYS ?? 366);
    const variables = { resourceId, from: addDays(today, 1), to: addDays(today, days) };
    const tokens = await Promise.all(
      Array.from({ length: Math.ceil(crowd.size / CONNECTIONS_PER_USER) }, (_, i) => signToken(secret, { id: `fan-${i}`, role: 'user' })),
    );
    await sleep(500);
    const idle = pids.map(usage);

    const setupStarted = Date.now();
    await crowd.connect(
      'graphql',
      servers.map((s) => s.wsUrl),
      tokens,
      query,
      variables,
    );
    // Subscriptions register asynchronously after their `subscribe` message: probe until one hold reaches all.
    const probes: string[] = [];
    const everyone = async (key: string) => (await crowd.arrivals(key, 3_000)).times.flat().length === crowd.size;
    for (let probe = 0; probe < MAX_PROBES; probe += 1) {
      const date = addDays(today, days - probe);
      probes.push(`${date}@1`);
      const arrived = everyone(`${date}@1`);
      await hold(date, `probe-${probe}`);
      if (await arrived) break;
      if (probe === MAX_PROBES - 1) throw new Error(`not all ${crowd.size} subscribers came up after ${MAX_PROBES} probes`);
    }
    const setupS = (Date.now() - setupStarted) / 1000;
    const subscribed = pids.map(usage);
    if (process.env.FANOUT_HEAP_SNAPSHOT) await heapSnapshots(pids, process.env.FANOUT_HEAP_SNAPSHOT, `api-${crowd.size}`);

    const roundsStartedUs = process.hrtime.bigint() / 1000n;
    const keyOf = (round: number) => `${addDays(today, 2 + round)}@1`;
    const { latencies, expected, frameBytes } = await runRounds(crowd, pids, rounds, keyOf, async (round, key) => {
      await hold(addDays(today, 2 + round), `round-${round}`);
      const committedAt = await commits.waitFor(`${resourceId}:${key}`, ROUND_TIMEOUT_MS);
      return servers.map(() => committedAt);
    });
    const after = pids.map(usage);
    // CLOCK_MONOTONIC, the clock of V8's profile timestamps: cut the instances' profiles to the rounds with these.
    if (process.env.FANOUT_PROFILE)
      console.log(`  profile ${process.env.FANOUT_PROFILE}: rounds from ${roundsStartedUs} to ${process.hrtime.bigint() / 1000n} µs`);
    const totals = await crowd.totals(expected, probes);
    await crowd.disconnect();
    return {
      servers: figuresOf(crowd, pids, { idle, subscribed, after }, latencies, totals),
      setupS,
      expected: expected.length,
      frameBytes,
      openFiles: limits.map((l) => `${l.soft} (hard ${l.hard})`).join(', '),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await commits.stop();
    await world.mongo
      .db(dbName)
      .dropDatabase()
      .catch(() => undefined);
  }
}

/** A reference server the API is compared with: bare `ws` (the floor), or stock graphql-ws with nothing behind its field. */
export interface Reference {
  role: 'floor' | 'graphql-ws';
  /** What the subscribers ask of it: the API's own subscription for graphql-ws. */
  query: string;
}

/**
 * A reference run: the same subscribers' processes, as many sockets per server, each round one
 * change written by the reference server to every socket (bare `ws`: one frame of the API's frame
 * size; graphql-ws: one event to every subscription, executed and sent per subscriber by
 * graphql-ws); latency = arrival − the moment the server started writing.
 */
export async function floorPhase(
  crowd: Crowd,
  servers: number,
  rounds: number,
  frameBytes: number,
  reference: Reference,
): Promise<PhaseResult> {
  const floors: FloorProcess[] = [];
  const bare = reference.role === 'floor';
  try {
    const started = await Promise.all(Array.from({ length: servers }, () => startFloor(reference.role)));
    floors.push(...started.map((s) => s.floor));
    const pids = floors.map((f) => f.pid);
    await sleep(500);
    const idle = pids.map(usage);
    const setupStarted = Date.now();
    await crowd.connect(
      bare ? 'bare' : 'graphql',
      started.map((s) => s.url),
      [],
      reference.query,
      bare ? {} : { resourceId: 'reference', from: '2026-01-01', to: '2026-12-31' },
    );
    const setupS = (Date.now() - setupStarted) / 1000;
    const subscribed = pids.map(usage);
    const write = async (key: string) => {
      const written = await Promise.all(
        floors.map((floor) =>
          floor.ask<Extract<FromFloor, { type: 'written' }>>({ type: 'write', key, bytes: frameBytes }, `written:${key}`, 30_000),
        ),
      );
      return written.map((w) => w.startedAt);
    };
    // The graphql-ws reference's event names its key as a date at version 1, as the API's changes do.
    const { latencies, expected } = await runRounds(
      crowd,
      pids,
      rounds,
      (round) => (bare ? `floor-${round}` : `floor-${round}@1`),
      (_, key) => write(key.replace(/@1$/, '')),
    );
    const after = pids.map(usage);
    const totals = await crowd.totals(expected, []);
    await crowd.disconnect();
    return {
      servers: figuresOf(crowd, pids, { idle, subscribed, after }, latencies, totals),
      setupS,
      expected: expected.length,
      frameBytes,
      openFiles: pids
        .map(openFilesLimit)
        .map((l) => `${l.soft}`)
        .join(', '),
    };
  } finally {
    await Promise.all(floors.map((f) => f.close()));
  }
}
