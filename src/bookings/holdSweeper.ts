import type { Collection, MongoClient } from 'mongodb';
import { lapsedHoldFilter } from './holdLiveness';
import type { Lease } from '../locks';
import { type BackgroundJobSettings, leasedJob } from '../locks';
import { withTransaction } from '../mongo';
import type { ClaimSteps } from '../capacity';
import type { HoldDoc, HoldDocument } from './collections';

export const SWEEPER_LOCK = 'hold-sweeper';

export interface SweeperOptions extends BackgroundJobSettings {
  client: MongoClient;
  holds: Collection<HoldDoc>;
  claims: ClaimSteps;
  /** Runs after a hold's expiry committed, e.g. to expire its Stripe Checkout Session. */
  onExpired?: (hold: HoldDocument) => Promise<void>;
}

/**
 * Runs on every instance; the lease lock makes one of them do the work at a time. It marks holds
 * past `expiresAt` as `expired` and gives their claims back, so subscribers see the dates free up.
 * (Claims never depend on it: an expired hold's dates are free by query the moment it lapses.)
 */
export function holdSweeper(options: SweeperOptions) {
  const { client, holds, claims, locks, clock, logger } = options;
  const batchSize = options.batchSize ?? 100;

  /** One batch under `withLease`: refused as a whole (StaleLease) if the lease was lost meanwhile. */
  async function sweepWith(withLease: Lease): Promise<HoldDocument[]> {
    const now = clock.now();
    const due = await holds.find(lapsedHoldFilter(now)).limit(batchSize).toArray();
    if (due.length === 0) return [];
    const swept = await withTransaction(client, async (session) => {
      await locks.assertHeld(session, withLease);
      const done: HoldDocument[] = [];
      for (const hold of due) {
        const expired = await holds.findOneAndUpdate(
          { _id: hold._id, ...lapsedHoldFilter(now) },
          { $set: { state: 'expired', updatedAt: now, sweptWithFence: withLease.fence } },
          { session, returnDocument: 'after' },
        );
        if (!expired) continue;
        await claims.release(session, hold.resourceId, hold.dates, hold._id);
        done.push(expired);
      }
      return done;
    });
    for (const hold of swept) {
      await options.onExpired?.(hold).catch((error) => logger.warn({ err: error, holdId: hold._id }, 'after-expiry step failed'));
    }
    if (swept.length > 0) logger.info({ swept: swept.length, fence: withLease.fence }, 'expired holds swept');
    return swept;
  }

  const job = leasedJob({
    lockName: SWEEPER_LOCK,
    locks,
    logger,
    intervalMs: options.intervalMs,
    onRun: options.onRun,
    leaseMs: options.leaseMs ?? 30_000,
    idle: 0,
    async run(lease) {
      let total = 0;
      for (let batch = await sweepWith(lease); batch.length > 0; batch = await sweepWith(lease)) total += batch.length;
      return total;
    },
  });

  return { owner: job.owner, sweepOnce: job.runOnce, sweepWith, start: job.start, stop: job.stop };
}
