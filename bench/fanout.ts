import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, createClient } from 'graphql-ws';
import { MongoClient } from 'mongodb';
import WebSocket from 'ws';
import { signToken } from '../src/auth/token';
import type { DateSlotDoc } from '../src/capacity';
import { addDays, todayUtc } from '../src/calendar';
import { startEmbeddedReplSet } from '../src/dev';
import { percentile, postGraphQL } from './support';

/**
 * npm run bench:fanout [-- 100 1000]
 *
 * Commit-to-delivery latency of `availabilityChanged` with N subscribers on ONE API instance.
 * The instance runs as its own process (`src/main.ts`, as in production) so that the N clients here
 * do not share its event loop. Each round holds one date through the API and waits until every
 * subscriber has the change; latency = arrival at the subscriber − the commit's `wallTime` as the
 * server recorded it in the oplog (read from a separate change stream), so it covers the change
 * stream, the fan-out, GraphQL execution per subscriber and the WebSocket hop.
 */
const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const ROUNDS = Number(process.env.ROUNDS ?? 30);
const DB_NAME = `bench_fanout_${Date.now()}`;

const SUBSCRIPTION = `subscription($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
  availabilityChanged(resourceId: $resourceId, from: $from, to: $to) { date remaining status version }
}`;

async function startInstance(mongoUri: string, jwtSecret: string): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, MONGODB_URI: mongoUri, MONGODB_DB: DB_NAME, PORT: '0', JWT_SECRET: jwtSecret, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Keep draining stdout for the whole run, so a chatty instance never blocks on a full pipe.
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /http:\/\/localhost:(\d+)\/graphql/.exec(line);
      if (match) resolve({ url: `http://127.0.0.1:${match[1]}`, process: child });
    });
    child.once('exit', (code) => reject(new Error(`the API instance exited (${code}) before listening`)));
  });
}

async function main(): Promise<void> {
  const embedded = process.env.MONGODB_URI ? undefined : await startEmbeddedReplSet({ log: () => {} });
  const mongoUri = process.env.MONGODB_URI ?? embedded!.uri;
  const jwtSecret = randomBytes(32).toString('hex');
  const secret = new TextEncoder().encode(jwtSecret);
  const mongo = await new MongoClient(mongoUri).connect();
  const db = mongo.db(DB_NAME);
  const instance = await startInstance(mongoUri, jwtSecret);
  let stopWatching = async () => {};

  try {
    const admin = await signToken(secret, { id: 'bench-admin', role: 'admin' });
    const user = await signToken(secret, { id: 'bench-user', role: 'user' });
    const gql = (token: string, query: string, variables?: object) => postGraphQL(`${instance.url}/graphql`, token, query, variables);

    // Commit times from the oplog, keyed by resourceId:date@version.
    const commits = new Map<string, number>();
    const { operationTime } = await db.command({ ping: 1 });
    const stream = db
      .collection<DateSlotDoc>('dateSlots')
      .watch([], { fullDocument: 'updateLookup', startAtOperationTime: operationTime, maxAwaitTimeMS: 100 });
    const watcher = (async () => {
      while (!stream.closed) {
        const change = await stream.tryNext().catch(() => null);
        if (change && 'fullDocument' in change && change.fullDocument) {
          const key = `${change.fullDocument.resourceId.toHexString()}:${change.fullDocument.date}@${change.fullDocument.version}`;
          if (!commits.has(key)) commits.set(key, (change as unknown as { wallTime: Date }).wallTime.getTime());
        }
      }
    })();
    stopWatching = async () => {
      await stream.close();
      await watcher;
    };

    console.log(`availabilityChanged fan-out, one API instance, ${ROUNDS} holds per run (commit → delivery, ms)`);
    console.log('subscribers   deliveries   p50     p99     max');
    for (const size of SIZES.length > 0 ? SIZES : [100, 1000]) {
      const { createResource } = await gql(admin, 'mutation($i: CreateResourceInput!) { createResource(input: $i) { id } }', {
        i: { name: `bench ${size}`, capacity: 1, pricePerDate: 100, currency: 'EUR' },
      });
      const today = todayUtc(new Date());
      const range = { resourceId: createResource.id, from: addDays(today, 1), to: addDays(today, 366) };
      const arrivals = Array.from({ length: size }, () => new Map<string, number>());
      const clients: Client[] = [];
      for (let i = 0; i < size; i += 1) {
        const client = createClient({
          url: `${instance.url.replace('http', 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${user}` },
          retryAttempts: 0,
        });
        client.subscribe<{ availabilityChanged: { date: string; version: number } }>(
          { query: SUBSCRIPTION, variables: range },
          {
            next: ({ data }) => {
              const event = data?.availabilityChanged;
              if (event && !arrivals[i].has(`${event.date}@${event.version}`))
                arrivals[i].set(`${event.date}@${event.version}`, Date.now());
            },
            error: (error) => console.error('subscription failed:', (error as Error).message ?? (error as { code?: number }).code),
            complete: () => {},
          },
        );
        clients.push(client);
      }
      const everyone = async (key: string, timeoutMs: number) => {
        const deadline = Date.now() + timeoutMs;
        while (arrivals.some((seen) => !seen.has(key))) {
          if (Date.now() > deadline) return false;
          await sleep(2);
        }
        return true;
      };
      // Every subscriber is registered once one probe hold reaches all of them; probe until one does.
      for (let probe = 0; ; probe += 1) {
        if (probe === 60) throw new Error(`not all ${size} subscribers came up`);
        const date = addDays(today, 366 - probe);
        await gql(user, 'mutation($i: HoldDatesInput!) { holdDates(input: $i) { __typename } }', {
          i: { resourceId: range.resourceId, dates: [date], idempotencyKey: `probe-${size}-${probe}-${Date.now()}` },
        });
        if (await everyone(`${date}@1`, 2_000)) break;
      }

      const latencies: number[] = [];
      let missing = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        const date = addDays(today, 2 + round);
        await gql(user, 'mutation($i: HoldDatesInput!) { holdDates(input: $i) { __typename } }', {
          i: { resourceId: range.resourceId, dates: [date], idempotencyKey: `bench-${size}-${round}-${Date.now()}` },
        });
        const key = `${date}@1`;
        if (!(await everyone(key, 10_000))) missing += arrivals.filter((seen) => !seen.has(key)).length;
        const commitKey = `${range.resourceId}:${key}`;
        while (!commits.has(commitKey)) await sleep(2);
        const committedAt = commits.get(commitKey)!;
        for (const seen of arrivals) if (seen.has(key)) latencies.push(seen.get(key)! - committedAt);
        await sleep(20);
      }
      latencies.sort((a, b) => a - b);
      const cells = [percentile(latencies, 50), percentile(latencies, 99), latencies[latencies.length - 1]].map((ms) =>
        String(ms).padEnd(8),
      );
      console.log(
        `${String(size).padEnd(14)}${String(latencies.length).padEnd(13)}${cells.join('')}${missing ? `  MISSING ${missing}` : ''}`,
      );
      await Promise.all(clients.map((client) => client.dispose()));
    }
  } finally {
    await stopWatching();
    instance.process.kill('SIGTERM');
    await new Promise((resolve) => instance.process.once('exit', resolve));
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await embedded?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
