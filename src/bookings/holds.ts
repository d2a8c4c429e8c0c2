import type { ClientSession, Collection, MongoClient, ObjectId } from 'mongodb';
import { liveHoldFilter } from './holdLiveness';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { visibleTo } from '../auth';
import { badInput, notFound } from '../errors';
import { addDays, todayUtc } from '../calendar';
import { type Capacity, MAX_DAYS_AHEAD } from '../capacity';
import type { RunIdempotent } from '../idempotency';
import { findAgain, findById, parseObjectId } from '../mongo';
import { type Page, type PageArgs, pageById } from '../mongo';
import { withTransaction } from '../mongo';
import type { UserService, UserView } from '../users';
import type { HoldCheckout, HoldDoc, HoldDocument } from './collections';
import type { HoldDatesResult } from './holdBatch';
import type { HoldCommitter } from './holdCommit';
import { releaseMoney, type Reserve } from './heldMoney';
import type { Ledger } from '../ledger';

export const MAX_DATES_PER_HOLD = 31;

export type { DatesHeldResult, DatesUnavailableResult, HoldDatesResult } from './holdBatch';

export interface HoldDatesInput {
  resourceId: string;
  dates: string[];
  idempotencyKey: string;
  reserveFrom?: string | null;
}

export interface HoldDeps {
  client: MongoClient;
  holds: Collection<HoldDoc>;
  capacity: Capacity;
  /** Claims a validated hold's dates and inserts it (holdCommit.ts). */
  committer: HoldCommitter;
  runIdempotent: RunIdempotent;
  clock: Clock;
  users: UserService;
  /** Accounts (the one a hold's money comes from, the house's) and the money steps of a release. */
  ledger: Pick<Ledger, 'accounts' | 'moveMoneyWithin'>;
  /** Runs after a release commits (e.g. to expire the hold's open Checkout Session); must not throw. */
  afterRelease?: (hold: HoldDocument) => Promise<void>;
}

const holdOwner = (hold: HoldDocument) => hold.userId;

/** The dates of one hold, sorted: 1 to MAX_DATES_PER_HOLD distinct dates from today (UTC) to MAX_DAYS_AHEAD. */
function validateDates(dates: string[], now: Date): string[] {
  if (dates.length === 0 || dates.length > MAX_DATES_PER_HOLD) {
    throw badInput('dates', `give 1 to ${MAX_DATES_PER_HOLD} dates`);
  }
  const sorted = [...new Set(dates)].sort();
  if (sorted.length !== dates.length) throw badInput('dates', 'each date may appear only once');
  const today = todayUtc(now);
  if (sorted[0] < today) throw badInput('dates', `${sorted[0]} is in the past (today is ${today} UTC)`);
  const last = addDays(today, MAX_DAYS_AHEAD);
  if (sorted[sorted.length - 1] > last) throw badInput('dates', `dates may be at most ${MAX_DAYS_AHEAD} days ahead`);
  return sorted;
}

export function holdService(deps: HoldDeps) {
  const { client, holds, capacity, committer, runIdempotent, clock } = deps;

  /** The caller's account and the house account of its currency (created on first use); someone else's account is NOT_FOUND, as a missing one. */
  async function reserveFrom(caller: Caller, accountId: string): Promise<Reserve> {
    const account = await deps.ledger.accounts.requireOwned(caller, accountId, 'reserveFrom');
    return { account, houseAccountId: (await deps.ledger.accounts.houseAccount(account.currency))._id };
  }

  return {
    /** Hold transactions run and attempted by this instance (measurements and tests). */
    transactionStats: committer.stats,

    /**
     * All dates or none (see holdCommitter). The effect is one transaction, so the idempotency key
     * is written in it (`keyWithEffect`): nothing is written before, and a request that dies
     * leaves nothing behind.
     *
     * A suspended caller is refused before anything is written, from `caller` as the
     * transport read it for this operation (HTTP: for each request; WebSocket: again for each
     * mutation), so the check costs no read of its own.
     */
    holdDates(caller: UserView, input: HoldDatesInput): Promise<HoldDatesResult> {
      return runIdempotent<HoldDatesResult>(
        {
          scope: `${caller.id}:holdDates`,
          key: input.idempotencyKey,
          // Without reserveFrom the request is the one it always was, so a retry's key matches across versions.
          input: { resourceId: input.resourceId, dates: input.dates, ...(input.reserveFrom ? { reserveFrom: input.reserveFrom } : {}) },
          keyWithEffect: true,
        },
        async (record) => {
          const dates = validateDates(input.dates, clock.now());
          const resourceId = parseObjectId(input.resourceId);
          if (!resourceId) throw badInput('resourceId', 'no resource has this id');
          if (caller.suspended) throw deps.users.suspendedError();
          const reserve = input.reserveFrom ? await reserveFrom(caller, input.reserveFrom) : null;
          return committer.hold({ caller, resourceId, dates, identity: `${caller.id}\n${input.idempotencyKey}`, record, reserve });
        },
      );
    },

    /** Frees the dates at once. Releasing twice answers the released hold; a confirmed hold cannot be released. */
    async releaseHold(caller: Caller, holdId: string): Promise<HoldDocument> {
      const hold = visibleTo(caller, await findById(holds, holdId), holdOwner);
      if (!hold) throw notFound('holdId', 'hold');
      const released = await withTransaction(client, async (session) => {
        const now = clock.now();
        const updated = await holds.findOneAndUpdate(
          { _id: hold._id, state: 'held' },
          { $set: { state: 'released', updatedAt: now } },
          { session, returnDocument: 'after' },
        );
        if (updated) {
          await capacity.claims.release(session, hold.resourceId, hold.dates, hold._id);
          await releaseMoney(deps.ledger, session, updated);
        }
        return updated;
      });
      if (released) {
        await deps.afterRelease?.(released);
        return released;
      }
      const current = await findAgain(holds, hold._id);
      if (current.state === 'released') return current;
      throw badInput('holdId', `the hold is ${current.state} and cannot be released`);
    },

    /**
     * Records the Checkout Session opened for a hold (the payments module calls this inside its
     * transaction), only while the hold is still held, unexpired and without a session.
     */
    attachCheckout(session: ClientSession, holdId: ObjectId, checkout: HoldCheckout, now: Date): Promise<HoldDocument | null> {
      return holds.findOneAndUpdate(
        { _id: holdId, ...liveHoldFilter(now), checkout: { $exists: false } },
        { $set: { checkout, updatedAt: now } },
        { session, returnDocument: 'after' },
      );
    },

    /** The hold as it stands now, for callers that already know it exists. */
    current: (holdId: ObjectId): Promise<HoldDocument> => findAgain(holds, holdId),

    /** Owner or admin; anyone else is answered as if the hold did not exist. */
    findHold: async (caller: Caller, holdId: string): Promise<HoldDocument | null> =>
      visibleTo(caller, await findById(holds, holdId), holdOwner),

    /** Newest first. */
    listHolds(userId: string, page: PageArgs): Promise<Page<HoldDocument>> {
      return pageById(holds, { userId }, page);
    },
  };
}

export type HoldService = ReturnType<typeof holdService>;
