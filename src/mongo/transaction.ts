import type { ClientSession, MongoClient } from 'mongodb';

/** Counts how often transactions ran and how many attempts that took (attempts - runs = retries). */
export interface TransactionStats {
  runs: number;
  attempts: number;
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

/**
 * The one place that starts sessions. Snapshot reads and majority writes make a transaction see
 * one consistent state and commit durably; `withTransaction` re-runs `work` on transient errors
 * (write conflicts), so `work` must be safe to re-run.
 */
export async function withTransaction<T>(
  client: MongoClient,
  work: (session: ClientSession) => Promise<T>,
  stats?: TransactionStats,
): Promise<T> {
  const session = client.startSession();
  try {
    if (stats) stats.runs += 1;
    return await session.withTransaction(
      (s) => {
        if (stats) stats.attempts += 1;
        return work(s);
      },
      { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' },
    );
  } catch (error) {
    if (error instanceof Rollback) return error.outcome as T;
    throw error;
  } finally {
    await session.endSession();
  }
}
