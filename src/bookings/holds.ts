import { type ClientSession, type Collection, type MongoClient, ObjectId } from 'mongodb';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { visibleTo } from '../auth';
import { badInput, notFound } from '../errors';
import { addDays, todayUtc } from '../calendar';
import { type Capacity, MAX_DAYS_AHEAD } from '../capacity';
import type { RecordResult, RunIdempotent } from '../idempotency';
import { findById } from '../mongo';
import { type Page, type PageArgs, pageById } from '../mongo';
import { Rollback, withTransaction } from '../mongo';
import type { UserService } from '../users';
import type { HoldCheckout, HoldDoc, HoldDocument } from './collections';

export const MAX_DATES_PER_HOLD = 31;

export interface DatesHeldResult {
  __typename: 'DatesHeld';
  hold: HoldDocument;
}

export interface DatesUnavailableResult {
  __typename: 'DatesUnavailable';
  dates: string[];
}

export type HoldDatesResult = DatesHeldResult | DatesUnavailableResult;

export interface HoldDatesInput {
  resourceId: string;
  dates: string[];
  idempotencyKey: string;
}

export interface HoldDeps {
  client: MongoClient;
  holds: Collection<HoldDoc>;
  capacity: Capacity;
  runIdempotent: RunIdempotent;
  clock: Clock;
  holdTtlSeconds: number;
  users: UserService;
  /** Runs after a release commits (e.g. to expire the hold's open Checkout Session); must not throw. */
  afterRelease?: (hold: HoldDocument) => Promise<void>;
}

const holdOwner = (hold: HoldDocument) => hold.userId;

export function holdService(deps: HoldDeps) {
  const { client, holds, capacity, runIdempotent, clock } = deps;

  function validateDates(dates: string[]): string[] {
    if (dates.length === 0 || dates.length > MAX_DATES_PER_HOLD) {
      throw badInput('dates', `give 1 to ${MAX_DATES_PER_HOLD} dates`);
    }
    const sorted = [...new Set(dates)].sort();
    if (sorted.length !== dates.length) throw badInput('dates', 'each date may appear only once');
    const today = todayUtc(clock.now());
    if (sorted[0] < today) throw badInput('dates', `${sorted[0]} is in the past (today is ${today} UTC)`);
    const last = addDays(today, MAX_DAYS_AHEAD);
    if (sorted[sorted.length - 1] > last) throw badInput('dates', `dates may be at most ${MAX_DAYS_AHEAD} days ahead`);
    return sorted;
  }

  /**
   * All dates or none: each date is claimed by one conditional update, all inside one transaction
   * together with the hold document. A date without capacity aborts the transaction, so no partial
   * claim is ever visible; a write conflict with a concurrent claimant makes the driver re-run it.
   */
  async function claimAll(caller: Caller, input: HoldDatesInput, record: RecordResult<HoldDatesResult>): Promise<HoldDatesResult> {
    const dates = validateDates(input.dates);
    const resource = await capacity.resources.require(input.resourceId);
    const amount = resource.pricePerDate * dates.length;
    if (!Number.isSafeInteger(amount)) throw badInput('dates', 'the total price is too large');
    // Before the slot horizon is created: a suspended user's refused hold must write nothing.
    await deps.users.requireActive(undefined, caller.id);
    await capacity.ensureSlots(resource._id, dates);
    return withTransaction<HoldDatesResult>(client, async (session) => {
      await deps.users.requireActive(session, caller.id);
      const now = clock.now();
      const hold: HoldDocument = {
        _id: new ObjectId(),
        resourceId: resource._id,
        userId: caller.id,
        dates,
        amount,
        currency: resource.currency,
        state: 'held',
        expiresAt: new Date(now.getTime() + deps.holdTtlSeconds * 1000),
        createdAt: now,
        updatedAt: now,
      };
      const claim = { holdId: hold._id, userId: caller.id, state: 'held' as const, expiresAt: hold.expiresAt };
      const taken: string[] = [];
      for (const date of dates) {
        if (!(await capacity.claims.claim(session, resource._id, date, claim, now))) taken.push(date);
      }
      if (taken.length > 0) throw new Rollback<HoldDatesResult>({ __typename: 'DatesUnavailable', dates: taken });
      await holds.insertOne(hold, { session });
      const result: HoldDatesResult = { __typename: 'DatesHeld', hold };
      await record(session, result);
      return result;
    });
  }

  return {
    holdDates(caller: Caller, input: HoldDatesInput): Promise<HoldDatesResult> {
      return runIdempotent<HoldDatesResult>(
        { scope: `${caller.id}:holdDates`, key: input.idempotencyKey, input: { resourceId: input.resourceId, dates: input.dates } },
        (record) => claimAll(caller, input, record),
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
        if (updated) await capacity.claims.release(session, hold.resourceId, hold.dates, hold._id);
        return updated;
      });
      if (released) {
        await deps.afterRelease?.(released);
        return released;
      }
      const current = (await holds.findOne({ _id: hold._id }))!;
      if (current.state === 'released') return current;
      throw badInput('holdId', `the hold is ${current.state} and cannot be released`);
    },

    /**
     * Records the Checkout Session opened for a hold (the payments module calls this inside its
     * transaction), only while the hold is still held, unexpired and without a session.
     */
    attachCheckout(session: ClientSession, holdId: ObjectId, checkout: HoldCheckout, now: Date): Promise<HoldDocument | null> {
      return holds.findOneAndUpdate(
        { _id: holdId, state: 'held', expiresAt: { $gt: now }, checkout: { $exists: false } },
        { $set: { checkout, updatedAt: now } },
        { session, returnDocument: 'after' },
      );
    },

    /** The hold as it stands now, for callers that already know it exists. */
    current: async (holdId: ObjectId): Promise<HoldDocument> => (await holds.findOne({ _id: holdId }))!,

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
