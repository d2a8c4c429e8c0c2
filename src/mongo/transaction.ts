import type { ClientSession, MongoClient } from 'mongodb';

/**
 * The one place that starts sessions. Snapshot reads and majority writes make a transaction see
 * one consistent state and commit durably; `withTransaction` re-runs `work` on transient errors
 * (write conflicts), so `work` must be safe to re-run.
 */
export async function withTransaction<T>(client: MongoClient, work: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = client.startSession();
  try {
    return await session.withTransaction((s) => work(s), {
      readConcern: { level: 'snapshot' },
      writeConcern: { w: 'majority' },
      readPreference: 'primary',
    });
  } finally {
    await session.endSession();
  }
}
