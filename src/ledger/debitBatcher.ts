import type { ClientSession, MongoClient } from 'mongodb';
import { type TransactionStats, withTransaction } from '../mongo';

/** Work that debits one account: run inside a transaction, safe to re-run. */
export type DebitJob<T> = (session: ClientSession) => Promise<T>;

/**
 * A check that must hold in the same transaction as the job (e.g. "the caller is not suspended").
 * Jobs in one batch debit one account and so share its owner: a check with the same `key` runs once
 * per batch instead of once per job.
 */
export interface Precondition {
  key: string;
  check(session: ClientSession): Promise<void>;
}

interface Pending {
  job: DebitJob<unknown>;
  precondition?: Precondition;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Concurrent transactions that debit the same account abort each other with write conflicts and
 * retry (measured: ~2.7 retries per transfer and a p99 of seconds on one hot account). Inside one
 * instance we therefore run at most one transaction per account at a time, and everything that
 * queued up behind it goes into the next transaction together (group commit). Jobs in a batch run
 * one after another, so each sees the balance its predecessors left. Across instances, conflicts
 * still happen and resolve by withTransaction's retry: this is a throughput measure, never the
 * thing that makes debits safe (the conditional update is).
 */
export function debitBatcher(client: MongoClient, stats: TransactionStats, maxBatch = 64) {
  const queues = new Map<string, Pending[]>();

  async function runAlone(pending: Pending): Promise<void> {
    try {
      const run = async (session: ClientSession) => {
        await pending.precondition?.check(session);
        return pending.job(session);
      };
      pending.resolve(await withTransaction(client, run, stats));
    } catch (error) {
      pending.reject(error);
    }
  }

  async function runBatch(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return runAlone(batch[0]);
    let results: unknown[];
    try {
      results = await withTransaction(
        client,
        async (session) => {
          const preconditions = new Map(batch.flatMap((p) => (p.precondition ? [[p.precondition.key, p.precondition]] : [])));
          for (const precondition of preconditions.values()) await precondition.check(session);
          const out: unknown[] = [];
          for (const pending of batch) out.push(await pending.job(session));
          return out;
        },
        stats,
      );
    } catch {
      // One job or check failed and took the batch down with it: run each alone, so only its own fail.
      for (const pending of batch) await runAlone(pending);
      return;
    }
    batch.forEach((pending, i) => pending.resolve(results[i]));
  }

  async function drain(key: string, queue: Pending[]): Promise<void> {
    while (queue.length > 0) await runBatch(queue.splice(0, maxBatch));
    // No await between the emptiness check and this delete, so no job can slip in unseen.
    queues.delete(key);
  }

  return function submit<T>(accountKey: string, job: DebitJob<T>, precondition?: Precondition): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const existing = queues.get(accountKey);
      const pending: Pending = { job, precondition, resolve: resolve as (value: unknown) => void, reject };
      if (existing) {
        existing.push(pending);
        return;
      }
      const queue = [pending];
      queues.set(accountKey, queue);
      void drain(accountKey, queue);
    });
  };
}

export type DebitBatcher = ReturnType<typeof debitBatcher>;
