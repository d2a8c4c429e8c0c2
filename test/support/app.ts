import type { GroupCommitOptions } from '../../src/mongo';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { inject } from 'vitest';
import { buildApp } from '../../src/app';
import { type IdentityProviderConfig, type Role, signToken } from '../../src/auth';
import { type ManualClock, manualClock } from '../../src/clock';
import type { TrustedManifest, WebSocketLimits } from '../../src/graphql';
import { DEFAULT_LEASE_MS, type IdempotencyHooks } from '../../src/idempotency';
import { createLogger, type Logger } from '../../src/logger';
import { createMongoClient } from '../../src/mongo';
import { createStripeClient, MOCK_SECRET_KEY } from '../../src/payments';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface TestAppOptions {
  holdTtlSeconds?: number;
  mutationsPerMinute?: number;
  production?: boolean;
  webSocketLimits?: Partial<WebSocketLimits>;
  /** Another replica set than the run's shared one (fault tests start their own). */
  mongoUri?: string;
  /** The MongoDB time budget (default: the product's). */
  mongoTimeoutMs?: number;
  /** Names this app's connections, so a `failCommand` failpoint can target them alone. */
  appName?: string;
  /** Defaults to a silent one (or TEST_LOG_LEVEL). */
  logger?: Logger;
  /** Another instance on the same database (same secrets and clock), as a second API process would be. */
  sharing?: { db: Db; jwtSecret: Uint8Array; webhookSecret: string; clock: ManualClock };
  /** How long an unfinished request keeps its idempotency key; defaults to the production default. */
  idempotencyLeaseMs?: number;
  /** E.g. stall a request right after it claimed its key, as a crash would leave it. */
  idempotencyHooks?: IdempotencyHooks;
  /** Another way to reach stripe-mock (e.g. through an outage proxy); defaults to the run's one. */
  stripeApiBase?: string;
  /** Serve `POST /dev/simulate-payment`, as `npm start` does against stripe-mock. */
  localPayments?: boolean;
  /** How holds are group-committed (default: the product's). */
  holdBatching?: GroupCommitOptions;
  /** Run the slot horizon job at start and then this often (default 0: only by hand). */
  slotHorizonIntervalMs?: number;
  /** Accept only this identity provider's tokens (`token()` then mints ones it refuses). */
  identityProvider?: IdentityProviderConfig;
  /** As TRUSTED_DOCUMENTS: only these documents run (see `repoManifest` in support/trusted.ts). */
  trustedDocuments?: TrustedManifest;
  /** As METRICS_PORT: `/metrics` on its own port (0 = any free one; `app.app.metricsPort()` tells which). */
  metricsPort?: number;
}

/**
 * The real server (HTTP + GraphQL + MongoDB) on a free port, with its own database on the shared
 * replica set and a clock the test can move forward.
 */
export async function startTestApp(options: TestAppOptions = {}) {
  const client = await createMongoClient(
    options.mongoUri ?? inject('mongoUri'),
    options.mongoTimeoutMs,
    options.appName ? { appName: options.appName } : {},
  ).connect();
  const db = client.db(options.sharing?.db.databaseName ?? `test_${randomUUID().slice(0, 8)}`);
  const clock = options.sharing?.clock ?? manualClock();
  const jwtSecret = options.sharing?.jwtSecret ?? randomBytes(32);
  const webhookSecret = options.sharing?.webhookSecret ?? `whsec_${randomBytes(16).toString('hex')}`;
  const stripe = createStripeClient({ secretKey: MOCK_SECRET_KEY, apiBase: options.stripeApiBase ?? inject('stripeApiBase') });
  const app = await buildApp({
    client,
    db,
    clock,
    logger: options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    jwtSecret,
    identityProvider: options.identityProvider,
    holdTtlSeconds: options.holdTtlSeconds ?? 1800,
    // Tests run the background jobs by hand, so their loops never race the assertions.
    sweepIntervalMs: 0,
    refundRetryIntervalMs: 0,
    slotHorizonIntervalMs: options.slotHorizonIntervalMs ?? 0,
    idempotencyLeaseMs: options.idempotencyLeaseMs ?? DEFAULT_LEASE_MS,
    idempotencyHooks: options.idempotencyHooks,
    // Concurrency tests fire thousands of mutations as one user; the limit has a test of its own.
    mutationsPerMinute: options.mutationsPerMinute ?? Number.MAX_SAFE_INTEGER,
    webSocketLimits: options.webSocketLimits,
    production: options.production ?? false,
    payments: { stripe, webhookSecret, successUrl: 'http://localhost/success', cancelUrl: 'http://localhost/cancel' },
    localPayments: options.localPayments,
    holdBatching: options.holdBatching,
    trustedDocuments: options.trustedDocuments,
    metricsPort: options.metricsPort,
  });
  const port = await app.start(0);
  const url = `http://127.0.0.1:${port}`;

  async function post<T>(body: unknown, token?: string): Promise<GraphQLResponse<T>> {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    // The result (`data`, `errors`), as GraphQLResponse says; a response's own `extensions` (such as
    // `idempotentReplayed`) are read where a test is about them (test/idempotentReplayed.test.ts).
    const { extensions: _extensions, ...result } = (await response.json()) as { extensions?: unknown };
    return { status: response.status, ...result };
  }

  return {
    url,
    client,
    db,
    clock,
    jwtSecret,
    app,
    stripe,
    webhookSecret,
    token: (id: string, role: Role = 'user') => signToken(jwtSecret, { id, role }),
    gql: <T = any>(token: string | undefined, query: string, variables?: Record<string, unknown>) => post<T>({ query, variables }, token),
    async stop() {
      await app.stop();
      // The instance that created the database drops it.
      if (!options.sharing) await db.dropDatabase();
      await client.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** The first error's code, or undefined when the response has no error (a success). */
export function errorCode(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}

/** A response's errors without `extensions.requestId`, which differs from request to request by design. */
export function withoutRequestIds(response: GraphQLResponse): GraphQLResponse['errors'] {
  return response.errors?.map(({ extensions, ...error }) => {
    if (!extensions) return error;
    const { requestId: _requestId, ...rest } = extensions;
    return { ...error, extensions: rest };
  });
}
