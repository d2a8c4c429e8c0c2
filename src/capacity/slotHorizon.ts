import type { ClientSession, Collection, MongoClient, ObjectId } from 'mongodb';
import type { Clock } from '../clock';
import { badInput } from '../errors';
import { withTransaction } from '../mongo';
import { addDays, eachDate, todayUtc } from '../calendar';
import type { DateSlotDoc, ResourceDoc } from './collections';

/** How far ahead a date may be held. */
export const MAX_DAYS_AHEAD = 3 * 366;

/**
 * Slots are kept this many days past MAX_DAYS_AHEAD, so the days that turn holdable before the next
 * run of the horizon job (hourly by default) already have theirs and no hold has to create one.
 */
export const HORIZON_MARGIN_DAYS = 7;

/** The dates a resource has slots for at `now`: today to today + MAX_DAYS_AHEAD + HORIZON_MARGIN_DAYS. */
export function horizonDates(now: Date): string[] {
  const today = todayUtc(now);
  return eachDate(today, addDays(today, MAX_DAYS_AHEAD + HORIZON_MARGIN_DAYS));
}

/** What a slot copies from its resource when it is born (see DateSlotDoc). */
export type SlotTerms = Pick<ResourceDoc, 'capacity' | 'pricePerDate' | 'currency'>;

/**
 * Slot creation. Every slot is born in a transaction that also writes its resource document, so its
 * creation conflicts with a concurrent capacity or price change (which writes the resource and every
 * existing slot): a slot can never be created with a capacity or price that was already replaced.
 * - `createResource` inserts the resource and its whole horizon in one transaction: no change can
 *   see the resource before its slots, since they commit together.
 * - `createSlots` (the horizon job, and `ensureSlots`, the hold path's fallback) first writes the
 *   resource (`slotsCreated`), then reads, in the same snapshot, which slots exist, and inserts the
 *   others with the capacity and price it just wrote. A change committed before that write is seen;
 *   one running concurrently writes the same resource document, so one of the two transactions
 *   aborts with a write conflict and re-runs after the other. The same write serialises creators of
 *   one resource, so the existing slots read in the snapshot are all there are (nothing else in the
 *   service inserts slots of an existing resource), and the insert cannot collide.
 * Creating empty slots decides nothing about availability; the claim's conditional update does.
 */
export function slotHorizon(client: MongoClient, slots: Collection<DateSlotDoc>, resources: Collection<ResourceDoc>, clock: Clock) {
  const inFlight = new Map<string, Promise<number>>();

  /** Those of `dates` without a slot: as the caller's transaction sees them, or (no session) as committed now. */
  async function missingOf(resourceId: ObjectId, dates: string[], session?: ClientSession): Promise<string[]> {
    const existing = await slots.find({ resourceId, date: { $in: dates } }, { session, projection: { _id: 0, date: 1 } }).toArray();
    const have = new Set(existing.map((slot) => slot.date));
    return dates.filter((date) => !have.has(date));
  }

  /** THE slot insert: empty, version 0, with the resource's terms, in the caller's transaction (which writes the resource). */
  async function insertSlots(session: ClientSession, resourceId: ObjectId, terms: SlotTerms, dates: string[]): Promise<number> {
    if (dates.length === 0) return 0;
    const { capacity, pricePerDate, currency } = terms;
    await slots.insertMany(
      dates.map((date) => ({ resourceId, date, capacity, pricePerDate, currency, claims: [], version: 0 })),
      { session },
    );
    return dates.length;
  }

  /** Creates those of `dates` that have no slot (see above); answers how many it created. */
  function createSlots(resourceId: ObjectId, dates: string[]): Promise<number> {
    return withTransaction(client, async (session) => {
      const resource = await resources.findOneAndUpdate(
        { _id: resourceId },
        { $inc: { slotsCreated: 1 } },
        { session, returnDocument: 'after', projection: { capacity: 1, pricePerDate: 1, currency: 1 } },
      );
      if (!resource) throw badInput('resourceId', 'no resource has this id');
      return insertSlots(session, resourceId, resource, await missingOf(resourceId, dates, session));
    });
  }

  /**
   * The hold path's fallback when a claim found no slot (the horizon job keeps slots ahead, so in
   * normal operation it is never needed): creates the whole horizon with the missing dates, once per
   * resource at a time on this instance.
   */
  async function ensureSlots(resourceId: ObjectId, dates: string[]): Promise<void> {
    // Two passes: a caller that joined a creation started for other dates checks its own again.
    for (let pass = 0; pass < 2; pass++) {
      const missing = await missingOf(resourceId, dates);
      if (missing.length === 0) return;
      const key = resourceId.toHexString();
      const running = inFlight.get(key);
      if (running) {
        await running;
        continue;
      }
      const creation = createSlots(resourceId, [...new Set([...horizonDates(clock.now()), ...missing])]).finally(() =>
        inFlight.delete(key),
      );
      inFlight.set(key, creation);
      await creation;
      return;
    }
  }

  return { insertSlots, createSlots, ensureSlots };
}

export type SlotHorizon = ReturnType<typeof slotHorizon>;
export type InsertSlots = SlotHorizon['insertSlots'];
