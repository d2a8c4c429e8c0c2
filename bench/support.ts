import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app';
import { type Role, signToken } from '../src/auth/token';
import { systemClock } from '../src/clock';
import { DEFAULT_LEASE_MS } from '../src/idempotency';
import { createLogger } from '../src/logger';
import { startEmbeddedReplSet } from '../src/dev';
import { createStripeClient } from '../src/payments/stripeClient';
import { MOCK_SECRET_KEY } from '../src/payments';
import { startStripeMock } from '../src/dev';
import { createMongoClient } from '../src/mongo';

/** One GraphQL request over HTTP; throws on any error, so a benchmark never counts a failure as done. */
export async function postGraphQL(endpoint: string, token: string, query: string, variables?: object): Promise<any> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** The real server in-process on one mongod (embedded, or MONGODB_URI), on a fresh database. */
export async function startBenchApp() {
  const embedded = process.env.MONGODB_URI ? undefined : await startEmbeddedReplSet({ log: () => {} });
  const client = await createMongoClient(process.env.MONGODB_URI ?? embedded!.uri, undefined, { maxPoolSize: 200 }).connect();
  const db = client.db(`bench_${Date.now()}`);
  const jwtSecret = randomBytes(32);
  const stripeMock = await startStripeMock({ log: () => {} });
  const stripe = createStripeClient({ secretKey: MOCK_SECRET_KEY, apiBase: stripeMock.url });
  const app = await buildApp({
    client,
    db,
    clock: systemClock,
    logger: createLogger('warn'),
    jwtSecret,
    holdTtlSeconds: 1800,
    sweepIntervalMs: 0,
    refundRetryIntervalMs: 0,
    idempotencyLeaseMs: DEFAULT_LEASE_MS,
    mutationsPerMinute: Number.MAX_SAFE_INTEGER,
    // The fan-out bench opens thousands of connections as one user.
    webSocketLimits: { maxConnectionsPerUser: Number.MAX_SAFE_INTEGER },
    production: true,
    payments: { stripe, webhookSecret: 'whsec_bench', successUrl: 'http://localhost/success', cancelUrl: 'http://localhost/cancel' },
  });
  const port = await app.start(0);
  const endpoint = `http://127.0.0.1:${port}/graphql`;
  return {
    client,
    db,
    app,
    token: (id: string, role: Role = 'user') => signToken(jwtSecret, { id, role }),
    gql: (token: string, query: string, variables: Record<string, unknown>) => postGraphQL(endpoint, token, query, variables),
    async stop() {
      await app.stop();
      await db.dropDatabase();
      await client.close();
      await embedded?.stop();
      await stripeMock.stop();
    },
  };
}

/** Runs `total` operations with at most `concurrency` in flight; returns per-op latencies (ms) and the wall time. */
export async function runPool(total: number, concurrency: number, op: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summary(label: string, total: number, run: { latencies: number[]; seconds: number }) {
  const rate = total / run.seconds;
  console.log(
    `${label.padEnd(44)} ${rate.toFixed(0).padStart(6)} ops/s   p50 ${percentile(run.latencies, 50).toFixed(1)} ms   p99 ${percentile(run.latencies, 99).toFixed(1)} ms`,
  );
  return rate;
}
