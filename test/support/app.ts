import { randomBytes, randomUUID } from 'node:crypto';
import { type Db, MongoClient } from 'mongodb';
import { inject } from 'vitest';
import { buildApp } from '../../src/app';
import { type Role, signToken } from '../../src/auth/token';
import { manualClock } from '../../src/clock';
import { createLogger } from '../../src/logger';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface TestAppOptions {
  holdTtlSeconds?: number;
  /** A second API instance: same database and token secret as this one, its own port and change stream. */
  sameDatabaseAs?: { db: Db; jwtSecret: Uint8Array };
}

/**
 * The real server (HTTP + GraphQL + MongoDB) on a free port, with its own database on the shared
 * replica set and a clock the test can move forward.
 */
export async function startTestApp(options: TestAppOptions = {}) {
  const client = await new MongoClient(inject('mongoUri')).connect();
  const shared = options.sameDatabaseAs;
  const db = client.db(shared?.db.databaseName ?? `test_${randomUUID().slice(0, 8)}`);
  const clock = manualClock();
  const jwtSecret = shared?.jwtSecret ?? randomBytes(32);
  const app = await buildApp({
    client,
    db,
    clock,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    jwtSecret,
    holdTtlSeconds: options.holdTtlSeconds ?? 1800,
    production: false,
  });
  const port = await app.start(0);
  const url = `http://127.0.0.1:${port}`;

  async function post<T>(body: unknown, token?: string): Promise<GraphQLResponse<T>> {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, ...((await response.json()) as object) };
  }

  return {
    url,
    db,
    clock,
    app,
    jwtSecret,
    token: (id: string, role: Role = 'user') => signToken(jwtSecret, { id, role }),
    gql: <T = any>(token: string | undefined, query: string, variables?: Record<string, unknown>) =>
      post<T>({ query, variables }, token),
    async stop() {
      await app.stop();
      // The instance that created the database drops it.
      if (!shared) await db.dropDatabase();
      await client.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** The single error code of a response, failing loudly if there is none. */
export function errorCode(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}
