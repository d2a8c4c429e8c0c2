import { MongoClient } from 'mongodb';
import type { GraphQLClient } from './http';

const shared = new Map<string, Promise<MongoClient>>();

/**
 * One driver client per URI per process (driver defaults, as the API's own client: pool of 100),
 * kept across load phases so its connections stay open.
 */
export function sharedMongoClient(uri: string): Promise<MongoClient> {
  let client = shared.get(uri);
  if (!client) shared.set(uri, (client = new MongoClient(uri).connect()));
  return client;
}

/** Runs `n` of `op` at once before the clock starts, so `n` pooled connections or sockets are open. */
export async function warm(n: number, op: () => Promise<unknown>): Promise<void> {
  await Promise.all(Array.from({ length: n }, op));
}

/** Opens `n` pooled connections (n pings at once) before the clock starts. */
export const warmMongo = (client: MongoClient, n: number) => warm(n, () => client.db('admin').command({ ping: 1 }));

/** Opens `n` keep-alive sockets to the API (n cheap queries at once) before the clock starts. */
export const warmGraphQL = (client: GraphQLClient, n: number) => warm(n, () => client.gql(undefined, '{ __typename }'));
