import { MongoClient, type MongoClientOptions } from 'mongodb';

/** How long one request may wait on MongoDB before it answers SERVICE_UNAVAILABLE. */
export const DEFAULT_MONGODB_TIMEOUT_MS = 8_000;

const budgets = new WeakMap<MongoClient, number>();

/**
 * Time limits chosen so that a dead, partitioned or frozen (SIGSTOP) mongod, or a replica set
 * without a primary, becomes an error within `timeoutMs`, never a hang:
 * - the monitor pings every second with a 2 s connect timeout, so a frozen primary is noticed and
 *   its pool cleared (in-flight operations fail) within about 3 s;
 * - server selection gives up after a third of the budget (at most 3 s), so an operation that has
 *   to wait for a new primary fails fast (a step-down elects one in 1-2 s, inside that), and a
 *   retried write after a cleared pool still answers within the budget;
 * - no single socket read waits longer than the budget;
 * - transactions stop retrying at the budget (`withTransaction`), and a commit waits at most half of it.
 * Retryable reads and writes stay on (the driver's default): one retry after a step-down.
 */
export function createMongoClient(uri: string, timeoutMs = DEFAULT_MONGODB_TIMEOUT_MS, extra: MongoClientOptions = {}): MongoClient {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: Math.min(3_000, Math.ceil(timeoutMs / 3)),
    connectTimeoutMS: 2_000,
    heartbeatFrequencyMS: 1_000,
    socketTimeoutMS: timeoutMs,
    retryWrites: true,
    retryReads: true,
    ...extra,
  });
  budgets.set(client, timeoutMs);
  return client;
}

/** The time budget the client was made with (the default for clients made elsewhere). */
export function timeBudgetOf(client: MongoClient): number {
  return budgets.get(client) ?? DEFAULT_MONGODB_TIMEOUT_MS;
}
