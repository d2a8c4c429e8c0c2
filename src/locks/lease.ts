import type { ClientSession, Collection, Db } from 'mongodb';
import { assert } from '../assert';
import { isDuplicateKey } from '../mongo';
import type { Clock } from '../clock';

export interface LockDoc {
  _id: string;
  owner: string | null;
  expiresAt: Date;
  /** Grows by one on every acquisition and is never reset, so a newer holder always has a larger token. */
  fence: number;
  lastWriteAt?: Date;
}

export interface Lease {
  name: string;
  owner: string;
  fence: number;
  expiresAt: Date;
}

/** A holder's lease ended (expired and taken over, or released): its writes must not land. */
export class StaleLease extends Error {
  constructor(readonly lease: Lease) {
    super(`lease ${lease.name} with fencing token ${lease.fence} is no longer held by ${lease.owner}`);
  }
}

export function locksCollection(db: Db): Collection<LockDoc> {
  return db.collection<LockDoc>('locks');
}

/**
 * Lease locks with an owner token and a fencing token. Acquire is ONE conditional upsert: it matches
 * only a free or expired lock, so two contenders can never both get it (the loser's upsert hits the
 * unique `_id`). Holders prove, inside the transaction of each write they make, that their lease is
 * still current (`fence`): a holder that paused past its lease and was replaced is refused.
 */
export function leaseLocks(locks: Collection<LockDoc>, clock: Clock) {
  return {
    async acquire(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + ttlMs);
      try {
        const lock = await locks.findOneAndUpdate(
          { _id: name, $or: [{ owner: null }, { expiresAt: { $lte: now } }] },
          { $set: { owner, expiresAt }, $inc: { fence: 1 } },
          { upsert: true, returnDocument: 'after' },
        );
        assert(lock, `an upsert of lock ${name} returns the lock`);
        return { name, owner, fence: lock.fence, expiresAt };
      } catch (error) {
        if (isDuplicateKey(error)) return null;
        throw error;
      }
    },

    /** Extends a lease that is still ours and unexpired; null if it was lost. */
    async renew(lease: Lease, ttlMs: number): Promise<Lease | null> {
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + ttlMs);
      const renewed = await locks.updateOne(
        { _id: lease.name, owner: lease.owner, fence: lease.fence, expiresAt: { $gt: now } },
        { $set: { expiresAt } },
      );
      return renewed.matchedCount === 1 ? { ...lease, expiresAt } : null;
    },

    /** Only the owner of this very lease can release it; the fence counter is kept. */
    async release(lease: Lease): Promise<boolean> {
      const released = await locks.updateOne(
        { _id: lease.name, owner: lease.owner, fence: lease.fence },
        { $set: { owner: null, expiresAt: clock.now() } },
      );
      return released.matchedCount === 1;
    },

    /**
     * Inside the caller's transaction: the lease is still this holder's. It WRITES the lock document,
     * so a takeover committing concurrently conflicts with the transaction and one of them re-runs.
     */
    async assertHeld(session: ClientSession, lease: Lease): Promise<void> {
      const now = clock.now();
      const held = await locks.findOneAndUpdate(
        { _id: lease.name, owner: lease.owner, fence: lease.fence, expiresAt: { $gt: now } },
        { $set: { lastWriteAt: now } },
        { session, projection: { _id: 1 } },
      );
      if (!held) throw new StaleLease(lease);
    },
  };
}

export type LeaseLocks = ReturnType<typeof leaseLocks>;
