import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ClientSession,
  MongoError,
  type MongoClient,
  MongoNotConnectedError,
  MongoTopologyClosedError,
  type ServerSessionId,
  type Timestamp,
  type TransactionOptions,
} from 'mongodb';
import { assert } from '../assert';
import { timeBudgetOf } from './client';

/** Counts how often transactions ran and how many attempts that took (attempts - runs = retries). */
export interface TransactionStats {
  runs: number;
  attempts: number;
}

/** Told about every transaction run on a client (metrics): each attempt (0 = the first) and how it ended. */
export interface TransactionObserver {
  attempt(attempt: number): void;
  finished(outcome: 'committed' | 'rolled_back' | 'failed'): void;
}

const observers = new WeakMap<MongoClient, TransactionObserver>();

/** Every `withTransaction` on `client` from now on reports to `observer` (one observer per client). */
export function observeTransactions(client: MongoClient, observer: TransactionObserver): void {
  observers.set(client, observer);
}

/**
 * Thrown inside a transaction to roll it back and still answer with a value: an expected business
 * outcome (dates taken, insufficient funds) discovered half way through. Never reaches a client.
 */
export class Rollback<T> extends Error {
  constructor(readonly outcome: T) {
    super('transaction rolled back with an outcome');
  }
}

const hasLabel = (error: unknown, label: string) => error instanceof MongoError && error.hasErrorLabel(label);

/** MaxTimeMSExpired on commit means the commit did not happen in time: retrying it is the same unknown again. */
const isCommitTimeout = (error: unknown) => error instanceof MongoError && error.code === 50;

/**
 * The one place that starts sessions. Snapshot reads and majority writes make a transaction see
 * one consistent state and commit durably.
 *
 * The retry loop is the driver's `withTransaction` (re-run `work` on a TransientTransactionError
 * such as a write conflict; re-try the commit on UnknownTransactionCommitResult), bounded by the
 * client's time budget instead of the driver's fixed 120 s, so a database that stops answering
 * becomes an error a client can retry within seconds, never a hang. When the budget runs out the
 * last error is thrown as is (after a failed commit, the session is killed: see `abandon`); an
 * unknown commit result stays unknown to the caller, which is why
 * every effect that matters commits together with its idempotency key's result: a retry with the
 * same key finds either the stored result or nothing. `work` must be safe to re-run.
 */
export async function withTransaction<T>(
  client: MongoClient,
  work: (session: ClientSession) => Promise<T>,
  stats?: TransactionStats,
): Promise<T> {
  const budgetMs = timeBudgetOf(client);
  const deadline = Date.now() + budgetMs;
  const options: TransactionOptions = {
    readConcern: { level: 'snapshot' },
    writeConcern: { w: 'majority' },
    readPreference: 'primary',
    maxCommitTimeMS: Math.ceil(budgetMs / 2),
  };
  const session = client.startSession();
  const observer = observers.get(client);
  if (stats) stats.runs += 1;
  try {
    for (let attempt = 0; ; attempt += 1) {
      if (attempt > 0) await sleep(Math.random() * Math.min(5 * 1.5 ** attempt, 500));
      session.startTransaction(options);
      let result: T;
      try {
        if (stats) stats.attempts += 1;
        observer?.attempt(attempt);
        result = await work(session);
      } catch (error) {
        if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
        if (hasLabel(error, 'TransientTransactionError') && Date.now() < deadline) continue;
        throw error;
      }
      if (await commit(session, deadline).catch((error) => abandon(client, session, error))) {
        observer?.finished('committed');
        return result;
      }
    }
  } catch (error) {
    observer?.finished(error instanceof Rollback ? 'rolled_back' : 'failed');
    if (error instanceof Rollback) return error.outcome as T;
    throw error;
  } finally {
    await session.endSession().catch(() => undefined);
  }
}

/** How long a killed-in-the-background session is retried: the server ends the transaction itself at 60 s. */
const KILL_FOR_MS = 30_000;

/**
 * Gives up on a transaction whose commit never got an answer. If the commit never took effect, the
 * transaction is still open on the server (an injected ShutdownInProgress or a lost connection
 * leaves it so), holding its writes' locks until the server's transactionLifetimeLimitSeconds
 * (60 s): the key's give-back, a retry's takeover and anyone claiming the same dates would wait on
 * it or conflict with it all that time. Killing the session aborts it if it is still open; a commit
 * that did happen stays committed. The session is marked dirty so the driver never reuses it, so
 * the kill can run in the background without hitting a later transaction, and without adding to
 * this answer's time.
 */
function abandon(client: MongoClient, session: ClientSession, error: unknown): never {
  // The driver's getter throws rather than answer undefined for a session we started, so the id is certain.
  const { serverSession } = session;
  serverSession.isDirty = true;
  void killSession(client, serverSession.id);
  throw error;
}

/** Retried: right after the failure that made us give up, the server is often not selectable yet. */
async function killSession(client: MongoClient, id: ServerSessionId): Promise<void> {
  const giveUpAt = Date.now() + KILL_FOR_MS;
  const attemptMs = Math.min(2_000, timeBudgetOf(client));
  for (;;) {
    try {
      await client.db('admin').command({ killSessions: [id] }, { timeoutMS: attemptMs });
      return;
    } catch (error) {
      // A closed client (shutdown) cannot send it; past the deadline the server's own limit is close.
      if (error instanceof MongoNotConnectedError || error instanceof MongoTopologyClosedError || Date.now() > giveUpAt) return;
    }
    await sleep(500, undefined, { ref: false });
  }
}

/** True once committed; false when the whole transaction should run again; throws when out of time or hopeless. */
async function commit(session: ClientSession, deadline: number): Promise<boolean> {
  for (;;) {
    try {
      await session.commitTransaction();
      return true;
    } catch (error) {
      const inTime = Date.now() < deadline;
      if (inTime && hasLabel(error, 'UnknownTransactionCommitResult') && !isCommitTimeout(error)) continue;
      if (inTime && hasLabel(error, 'TransientTransactionError')) return false;
      throw error;
    }
  }
}

/**
 * Reads on one snapshot of the majority-committed data, outside any transaction, and answers the
 * snapshot's cluster time too: every commit at or before `at` is in what `read` saw, none after
 * it. Live views start from such a read and then send only commits after `at`.
 */
export async function readAtSnapshot<T>(
  client: MongoClient,
  read: (session: ClientSession) => Promise<T>,
): Promise<{ value: T; at: Timestamp }> {
  const session = client.startSession({ snapshot: true });
  try {
    const value = await read(session);
    // The driver keeps the server's `atClusterTime` of the session's first read here (not in its typings).
    const at = (session as ClientSession & { snapshotTime?: Timestamp }).snapshotTime;
    assert(at, 'a snapshot session that read knows its snapshot time');
    return { value, at };
  } finally {
    await session.endSession().catch(() => undefined);
  }
}
