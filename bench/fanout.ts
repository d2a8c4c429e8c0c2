import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, type ObjectId } from 'mongodb';
import WebSocket from 'ws';
import { signToken } from '../src/auth';
import { startEmbeddedReplSet, startStripeMock } from '../src/dev';
import { type ApiServer, buildIfStale, percentile, postGraphQL, readProcessUsage, startApiServer } from './support';

/**
 * npm run bench:fanout [-- 1000 10000]
 *
 * Commit-to-delivery latency of `availabilityUpdates` (FANOUT_FIELD=availabilityChanged: the
 * per-date view) with N subscribers on ONE API instance, and
 * what they cost that instance. For each N a fresh instance runs as its own process (the compiled
 * server, `node dist/main.js`, started by the bench harness), and the N subscribers run in
 * CLIENT_PROCESSES other processes (plain `ws` sockets speaking graphql-transport-ws, no client
 * library), so neither the clients' CPU nor their memory is counted as the server's. Subscribers
 * are spread over N/10 users, so the production per-user connection limit
 * (WS_MAX_CONNECTIONS_PER_USER=20) stays on.
 *
 * Each round holds one date of the subscribed range through the API; latency = arrival at the
 * subscriber − the commit's `wallTime` in the oplog (read from a separate change stream), so it
 * covers the change stream, the fan-out, serialisation and the WebSocket hop. Every subscriber must
 * get every round's change exactly as expected, or the run exits non-zero.
 *
 * Environment: ROUNDS (30), CLIENT_PROCESSES (4), FANOUT_PROFILE=<dir> (each size's API runs with
 * `--cpu-prof --cpu-prof-dir=<dir>/api-<N>`, and the rounds' monotonic-clock window is printed).
 */

/** What the subscribers follow: `availabilityUpdates` (one message per transaction), or `FANOUT_FIELD=availabilityChanged`. */
const FIELD = process.env.FANOUT_FIELD === 'availabilityChanged' ? 'availabilityChanged' : 'availabilityUpdates';
const SUBSCRIPTION =
  FIELD === 'availabilityChanged'
    ? `subscription($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
  availabilityChanged(resourceId: $resourceId, from: $from, to: $to) { date remaining status version }
}`
    : `subscription($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
  availabilityUpdates(resourceId: $resourceId, from: $from, to: $to) { cursor reset dates { id date remaining status version } }
}`;
const CONNECTIONS_PER_USER = 10;
/** WebSocket handshakes in flight per client process: more only overflows the listen backlog. */
const HANDSHAKE_WINDOW = 64;
const SETUP_TIMEOUT_MS = 180_000;
const ROUND_TIMEOUT_MS = 15_000;
const MAX_PROBES = 20;
const RUN_DEADLINE_MS = 15 * 60_000;

type ToChild =
  | { type: 'connect'; url: string; tokens: string[]; first: number; variables: Record<string, string>; count: number }
  | { type: 'await'; key: string; timeoutMs: number }
  | { type: 'totals'; expected: string[]; probes: string[] }
  | { type: 'close' };
type FromChild =
  | { type: 'up'; subscribed: number; failed: string[] }
  | { type: 'arrived'; key: string; times: number[] }
  | {
      type: 'totals';
      delivered: number;
      missing: number;
      duplicates: number;
      others: number;
      errors: string[];
      cpuMs: number;
      rssMb: number;
    };

const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Subscriber process: `count` sockets, each one subscription; records the first arrival of each
// `date@version` per subscriber with Date.now(), and answers the parent's questions over IPC.
// ---------------------------------------------------------------------------------------------
function runSubscribers(): void {
  const send = (message: FromChild) => process.send!(message);
  let sockets: WebSocket[] = [];
  /** key → arrival times, one per subscriber that got it (first arrival only). */
  const arrivals = new Map<string, number[]>();
  let seen: Set<string>[] = [];
  let duplicates = 0;
  const errors: string[] = [];
  let target = 0;
  const waiters = new Map<string, () => void>();

  function onNext(index: number, raw: WebSocket.RawData): void {
    const now = Date.now();
    const message = JSON.parse(String(raw)) as { type: string; payload?: any };
    if (message.type !== 'next') {
      if (message.type === 'error' || message.type === 'complete') errors.push(`${message.type}: ${JSON.stringify(message.payload)}`);
      return;
    }
    const data = message.payload?.data;
    const update = data?.availabilityUpdates as { reset: boolean; dates: { date: string; version: number }[] } | undefined;
    if (update?.reset) return;
    const event = update ? update.dates[0] : data?.availabilityChanged;
    if (!event || (update && update.dates.length !== 1)) {
      errors.push(`unexpected next: ${JSON.stringify(message.payload)}`);
      return;
    }
    const key = `${event.date}@${event.version}`;
    if (seen[index].has(key)) {
      duplicates += 1;
      return;
    }
    seen[index].add(key);
    let times = arrivals.get(key);
    if (!times) arrivals.set(key, (times = []));
    times.push(now);
    if (times.length === target) waiters.get(key)?.();
  }

  async function connect(url: string, tokens: string[], first: number, variables: Record<string, string>, count: number): Promise<void> {
    target = count;
    seen = Array.from({ length: count }, () => new Set<string>());
    const failed: string[] = [];
    let subscribed = 0;
    let next = 0;
    const one = (index: number) =>
      new Promise<void>((resolve) => {
        const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
        sockets[index] = socket;
        let settled = false;
        const settle = (error?: string) => {
          if (settled) return;
          settled = true;
          if (error) failed.push(error);
          resolve();
        };
        socket.on('open', () => {
          const token = tokens[Math.floor((first + index) / CONNECTIONS_PER_USER)];
          socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
        });
        socket.on('message', (raw) => {
          if (!settled) {
            const message = JSON.parse(String(raw)) as { type: string };
            if (message.type !== 'connection_ack') return settle(`unexpected ${String(raw)}`);
            socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION, variables } }));
            subscribed += 1;
            settle();
            return;
          }
          onNext(index, raw);
        });
        socket.on('error', (error) => settle(error.message));
        socket.on('close', (code, reason) => {
          if (!settled) settle(`closed ${code} ${String(reason)}`);
          else if (!closing) errors.push(`socket ${index} closed: ${code} ${String(reason)}`);
        });
      });
    await Promise.all(
      Array.from({ length: HANDSHAKE_WINDOW }, async () => {
        while (next < count) await one(next++);
      }),
    );
    send({ type: 'up', subscribed, failed: failed.slice(0, 5).concat(failed.length > 5 ? [`… ${failed.length} in all`] : []) });
  }

  let closing = false;
  process.on('message', async (message: ToChild) => {
    switch (message.type) {
      case 'connect':
        sockets = new Array(message.count);
        await connect(message.url, message.tokens, message.first, message.variables, message.count);
        return;
      case 'await': {
        const reply = () => {
          waiters.delete(message.key);
          clearTimeout(timer);
          send({ type: 'arrived', key: message.key, times: arrivals.get(message.key) ?? [] });
        };
        const timer = setTimeout(reply, message.timeoutMs);
        if ((arrivals.get(message.key)?.length ?? 0) >= target) reply();
        else waiters.set(message.key, reply);
        return;
      }
      case 'totals': {
        const expected = new Set(message.expected);
        const probes = new Set(message.probes);
        let delivered = 0;
        let missing = 0;
        let others = 0;
        for (const keys of seen) {
          for (const key of expected) if (keys.has(key)) delivered += 1;
          for (const key of keys) if (!expected.has(key) && !probes.has(key)) others += 1;
          missing += [...expected].filter((key) => !keys.has(key)).length;
        }
        const cpu = process.cpuUsage();
        send({
          type: 'totals',
          delivered,
          missing,
          duplicates,
          others,
          errors: errors.slice(0, 5),
          cpuMs: (cpu.user + cpu.system) / 1000,
          rssMb: process.memoryUsage().rss / 2 ** 20,
        });
        return;
      }
      case 'close':
        closing = true;
        for (const socket of sockets) socket?.terminate();
        process.disconnect();
        return;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Parent: database, API instance, subscriber processes, rounds, report.
// ---------------------------------------------------------------------------------------------

/** Spawned through `sh` to raise the open-files limit to the hard limit first (N sockets need N descriptors). */
function spawnRaised(args: string[], env: NodeJS.ProcessEnv, stdio: any): ChildProcess {
  const quoted = [process.execPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawn('/bin/sh', ['-c', `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${quoted}`], { env, stdio });
}

/** The soft and hard open-files limits of a process (each socket is a descriptor). */
function openFilesLimit(pid: number): { soft: number; hard: string } {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = line?.split(/\s+/).slice(3, 5) ?? ['0', '?'];
  return { soft: soft === 'unlimited' ? Infinity : Number(soft), hard };
}

/** CPU seconds (user + system, and system alone) and RSS in MiB of a process, from /proc. */
function usage(pid: number): { cpuS: number; systemS: number; rssMb: number } {
  const now = readProcessUsage(pid);
  if (!now) throw new Error(`the API process ${pid} is gone`);
  return { cpuS: (now.cpuUserMs + now.cpuSystemMs) / 1000, systemS: now.cpuSystemMs / 1000, rssMb: now.rssBytes / 2 ** 20 };
}

/** The compiled server with the production WebSocket limits (the harness lifts them for other benches). */
async function startInstance(mongoUri: string, stripeApiBase: string, dbName: string, jwtSecret: string, size: number): Promise<ApiServer> {
  // One folder per size: the main thread's profile is the `.0.` one.
  if (process.env.FANOUT_PROFILE) process.env.BENCH_API_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${process.env.FANOUT_PROFILE}/api-${size}`;
  return startApiServer({
    mongoUri,
    dbName,
    stripeApiBase,
    jwtSecret,
    env: { WS_MAX_CONNECTIONS_PER_USER: '20', WS_MAX_OPERATIONS_PER_CONNECTION: '50' },
  });
}

class SubscriberProcess {
  readonly process: ChildProcess;
  private readonly pending = new Map<string, (message: any) => void>();

  constructor(env: NodeJS.ProcessEnv) {
    this.process = spawnRaised(['--import', 'tsx', fileURLToPath(import.meta.url)], { ...env, FANOUT_ROLE: 'subscribers' }, [
      'ignore',
      'inherit',
      'inherit',
      'ipc',
    ]);
    this.process.on('message', (message: FromChild) => {
      const key = message.type === 'arrived' ? `arrived:${message.key}` : message.type;
      this.pending.get(key)?.(message);
      this.pending.delete(key);
    });
  }

  ask<T extends FromChild>(message: ToChild, reply: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`subscriber process ${this.process.pid}: no ${reply} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending.set(reply, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.process.send(message);
    });
  }

  async close(): Promise<void> {
    if (this.process.exitCode !== null || !this.process.connected) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.send({ type: 'close' } satisfies ToChild);
    const killer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }
}

interface CommitWatcher {
  waitFor(key: string, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** Commit wallTimes from the oplog, keyed by `resourceId:date@version`. */
async function watchCommits(mongo: MongoClient, dbName: string): Promise<CommitWatcher> {
  const db = mongo.db(dbName);
  const commits = new Map<string, number>();
  const { operationTime } = await db.command({ ping: 1 });
  type Slot = { resourceId: ObjectId; date: string; version: number };
  const stream = db.collection<Slot>('dateSlots').watch([{ $match: { operationType: { $in: ['update', 'replace'] } } }], {
    fullDocument: 'updateLookup',
    startAtOperationTime: operationTime,
    maxAwaitTimeMS: 100,
  });
  const loop = (async () => {
    while (!stream.closed) {
      const change = await stream.tryNext().catch(() => null);
      if (change && 'fullDocument' in change && change.fullDocument) {
        const key = `${change.fullDocument.resourceId.toHexString()}:${change.fullDocument.date}@${change.fullDocument.version}`;
        if (!commits.has(key)) commits.set(key, (change as unknown as { wallTime: Date }).wallTime.getTime());
      }
    }
  })();
  return {
    async waitFor(key, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!commits.has(key)) {
        if (Date.now() > deadline) throw new Error(`the commit of ${key} was not seen in the oplog`);
        await sleep(2);
      }
      return commits.get(key)!;
    },
    async stop() {
      await stream.close();
      await loop;
    },
  };
}

interface Result {
  size: number;
  rounds: number;
  latencies: number[];
  delivered: number;
  expected: number;
  missing: number;
  duplicates: number;
  others: number;
  errors: string[];
  setupS: number;
  rss: { idle: number; subscribed: number; after: number };
  cpu: { setup: number; rounds: number; roundsSystem: number };
  clientCpuS: number;
  clientRssMb: number;
  openFiles: string;
}

async function measure(size: number, world: World, rounds: number, processes: number): Promise<Result> {
  const { mongo } = world;
  const dbName = `bench_fanout_${Date.now()}_${size}`;
  const jwtSecret = randomBytes(32).toString('hex');
  const secret = new TextEncoder().encode(jwtSecret);
  const instance = await startInstance(world.mongoUri, world.stripeApiBase, dbName, jwtSecret, size);
  const pid = instance.pid;
  const limit = openFilesLimit(pid);
  if (limit.soft < size + 1_000) {
    await instance.stop();
    throw new Error(`the API may open ${limit.soft} files, too few for ${size} sockets: raise \`ulimit -n\` (hard limit ${limit.hard})`);
  }
  const children = Array.from({ length: Math.min(processes, size) }, () => new SubscriberProcess(process.env));
  const commits = await watchCommits(mongo, dbName);
  try {
    const gql = (token: string, query: string, variables?: object) => postGraphQL(instance.graphqlUrl, token, query, variables);
    const admin = await signToken(secret, { id: 'bench-admin', role: 'admin' });
    const holder = await signToken(secret, { id: 'bench-holder', role: 'user' });
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
    const { createResource } = await gql(admin, 'mutation($i: CreateResourceInput!) { createResource(input: $i) { id } }', {
      i: { name: `bench ${size}`, capacity: 1, pricePerDate: 100, currency: 'EUR' },
    });
    const resourceId: string = createResource.id;
    const today = new Date().toISOString().slice(0, 10);
    const variables = { resourceId, from: addDays(today, 1), to: addDays(today, 366) };
    const tokens = await Promise.all(
      Array.from({ length: Math.ceil(size / CONNECTIONS_PER_USER) }, (_, i) => signToken(secret, { id: `fan-${i}`, role: 'user' })),
    );
    await sleep(500);
    const idle = usage(pid);

    // Subscribers come up; then the first hold (the probe).
    const setupStarted = Date.now();
    const shares = children.map((_, i) => Math.floor(size / children.length) + (i < size % children.length ? 1 : 0));
    const url = instance.wsUrl;
    const ups = await Promise.all(
      children.map((child, i) => {
        const first = shares.slice(0, i).reduce((a, b) => a + b, 0);
        return child.ask<Extract<FromChild, { type: 'up' }>>(
          { type: 'connect', url, tokens, first, variables, count: shares[i] },
          'up',
          SETUP_TIMEOUT_MS,
        );
      }),
    );
    const failed = ups.flatMap((up) => up.failed);
    if (failed.length > 0) throw new Error(`subscribers could not connect: ${failed.join('; ')}`);
    const everyone = async (key: string, timeoutMs: number) => {
      const answers = await Promise.all(
        children.map((child) =>
          child.ask<Extract<FromChild, { type: 'arrived' }>>({ type: 'await', key, timeoutMs }, `arrived:${key}`, timeoutMs + 5_000),
        ),
      );
      return answers.flatMap((answer) => answer.times);
    };
    // Subscriptions register asynchronously after their `subscribe` message: probe until one hold reaches all.
    let up = false;
    const probes: string[] = [];
    for (let probe = 0; probe < MAX_PROBES && !up; probe += 1) {
      const date = addDays(today, 366 - probe);
      probes.push(`${date}@1`);
      await hold(date, `probe-${probe}`);
      up = (await everyone(`${date}@1`, 3_000)).length === size;
    }
    if (!up) throw new Error(`not all ${size} subscribers came up after ${MAX_PROBES} probes`);
    const setupS = (Date.now() - setupStarted) / 1000;
    const subscribed = usage(pid);

    const latencies: number[] = [];
    const expected: string[] = [];
    const roundsStartedUs = process.hrtime.bigint() / 1000n;
    for (let round = 0; round < rounds; round += 1) {
      const date = addDays(today, 2 + round);
      const key = `${date}@1`;
      expected.push(key);
      const arrived = everyone(key, ROUND_TIMEOUT_MS);
      await hold(date, `round-${round}`);
      const times = await arrived;
      const committedAt = await commits.waitFor(`${resourceId}:${key}`, ROUND_TIMEOUT_MS);
      for (const time of times) latencies.push(time - committedAt);
      await sleep(50);
    }
    const after = usage(pid);
    // CLOCK_MONOTONIC, the clock of V8's profile timestamps: cut the instance's profile to the rounds with these.
    if (process.env.FANOUT_PROFILE)
      console.log(
        `  profile ${process.env.FANOUT_PROFILE}/api-${size}: rounds from ${roundsStartedUs} to ${process.hrtime.bigint() / 1000n} µs`,
      );
    const totals = await Promise.all(
      children.map((child) => child.ask<Extract<FromChild, { type: 'totals' }>>({ type: 'totals', expected, probes }, 'totals', 30_000)),
    );
    const sum = (pick: (t: (typeof totals)[number]) => number) => totals.reduce((n, t) => n + pick(t), 0);
    return {
      size,
      rounds,
      latencies,
      delivered: sum((t) => t.delivered),
      expected: size * rounds,
      missing: sum((t) => t.missing),
      duplicates: sum((t) => t.duplicates),
      others: sum((t) => t.others),
      errors: totals.flatMap((t) => t.errors),
      setupS,
      rss: { idle: idle.rssMb, subscribed: subscribed.rssMb, after: after.rssMb },
      cpu: { setup: subscribed.cpuS - idle.cpuS, rounds: after.cpuS - subscribed.cpuS, roundsSystem: after.systemS - subscribed.systemS },
      clientCpuS: sum((t) => t.cpuMs) / 1000,
      clientRssMb: sum((t) => t.rssMb),
      openFiles: `${limit.soft} (hard ${limit.hard})`,
    };
  } finally {
    await Promise.all(children.map((child) => child.close().catch(() => child.process.kill('SIGKILL'))));
    await commits.stop();
    await instance.stop();
    await mongo
      .db(dbName)
      .dropDatabase()
      .catch(() => undefined);
  }
}

function report(r: Result): boolean {
  const ok = r.missing === 0 && r.duplicates === 0 && r.others === 0 && r.errors.length === 0 && r.delivered === r.expected;
  const ms = (p: number) => `${percentile(r.latencies, p)}`;
  console.log(`\n${r.size} subscribers of ${FIELD}, ${r.rounds} rounds (one held date each), ${r.latencies.length} deliveries`);
  console.log(
    `  commit → delivery ms   p50 ${ms(50)}   p95 ${ms(95)}   p99 ${ms(99)}   max ${r.latencies.reduce((a, b) => Math.max(a, b), 0)}`,
  );
  console.log(
    `  messages              ${r.delivered} delivered of ${r.expected} expected; missing ${r.missing}, duplicates ${r.duplicates}, other events ${r.others}` +
      (ok ? '' : '   FAILED'),
  );
  for (const error of r.errors) console.log(`  error: ${error}`);
  console.log(
    `  subscribers up in     ${r.setupS.toFixed(1)} s (${(r.size / r.setupS).toFixed(0)}/s), API CPU ${r.cpu.setup.toFixed(2)} s`,
  );
  console.log(
    `  API RSS               ${r.rss.idle.toFixed(0)} MiB idle → ${r.rss.subscribed.toFixed(0)} MiB subscribed → ${r.rss.after.toFixed(0)} MiB after the rounds; ` +
      `${((1024 * (r.rss.subscribed - r.rss.idle)) / r.size).toFixed(1)} KiB per subscriber`,
  );
  console.log(
    `  API CPU in the rounds ${r.cpu.rounds.toFixed(2)} s, ${r.cpu.roundsSystem.toFixed(2)} s of it in the kernel (${((1000 * r.cpu.rounds) / r.rounds).toFixed(0)} ms per change, ` +
      `${((1e6 * r.cpu.rounds) / (r.rounds * r.size)).toFixed(1)} µs per delivery)`,
  );
  console.log(
    `  clients (not counted) CPU ${r.clientCpuS.toFixed(1)} s, RSS ${r.clientRssMb.toFixed(0)} MiB; API open-files limit ${r.openFiles}`,
  );
  return ok;
}

interface World {
  mongoUri: string;
  stripeApiBase: string;
  mongo: MongoClient;
}

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const rounds = Number(process.env.ROUNDS ?? 30);
  const processes = Number(process.env.CLIENT_PROCESSES ?? 4);
  const deadline = setTimeout(() => {
    console.error(`bench:fanout did not finish within ${RUN_DEADLINE_MS / 60_000} min`);
    process.exit(1);
  }, RUN_DEADLINE_MS);
  deadline.unref();
  buildIfStale();
  const [replSet, stripeMock] = await Promise.all([startEmbeddedReplSet({ log: () => {} }), startStripeMock({ log: () => {} })]);
  const mongo = await new MongoClient(replSet.uri).connect();
  let ok = true;
  try {
    console.log(`availabilityChanged fan-out: node dist/main.js, a fresh instance per size; subscribers in ${processes} client processes`);
    const world = { mongoUri: replSet.uri, stripeApiBase: stripeMock.url, mongo };
    for (const size of sizes.length > 0 ? sizes : [100, 1000]) ok = report(await measure(size, world, rounds, processes)) && ok;
  } finally {
    await mongo.close();
    await stripeMock.stop();
    await replSet.stop();
  }
  if (!ok) process.exitCode = 1;
}

if (process.env.FANOUT_ROLE === 'subscribers') {
  runSubscribers();
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
