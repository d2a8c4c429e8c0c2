import type { Collection, MongoClient, ObjectId } from 'mongodb';
import type { Clock } from '../clock';
import { badInput } from '../errors';
import { withTransaction } from '../mongo';
import { addDays, eachDate, todayUtc } from '../calendar';
import type { DateSlotDoc, ResourceDoc } from './collections';

/** How far ahead a date may be held: the horizon for which slots exist. */
export const MAX_DAYS_AHEAD = 3 * 366;

/**
 * Creates the slot documents claims need, each carrying the resource's capacity. Slots are born in
 * a transaction that also writes the resource document, so their creation conflicts with a
 * concurrent capacity change (which writes the resource and every existing slot): a slot can never
 * be created with a capacity that was already replaced. Because that write serialises creations on
 * one resource, a missing date creates the resource's whole horizon at once (about 1,100 small
 * documents), so it happens about once per resource per day rather than once per new date.
 * The same goes for the price and currency each slot carries (see DateSlotDoc).
 * Creating empty slots decides nothing about availability; the claim's conditional update does.
 */
export function slotCreator(client: MongoClient, slots: Collection<DateSlotDoc>, resources: Collection<ResourceDoc>, clock: Clock) {
  const inFlight = new Map<string, Promise<void>>();

  async function missingOf(resourceId: ObjectId, dates: string[]): Promise<string[]> {
    const existing = await slots.find({ resourceId, date: { $in: dates } }, { projection: { date: 1 } }).toArray();
    const have = new Set(existing.map((slot) => slot.date));
    return dates.filter((date) => !have.has(date));
  }

  async function createHorizon(resourceId: ObjectId, missing: string[]): Promise<void> {
    const today = todayUtc(clock.now());
    const dates = [...new Set([...eachDate(today, addDays(today, MAX_DAYS_AHEAD)), ...missing])];
    await withTransaction(client, async (session) => {
      const resource = await resources.findOneAndUpdate(
        { _id: resourceId },
        { $inc: { slotsCreated: 1 } },
        { session, returnDocument: 'after', projection: { capacity: 1, pricePerDate: 1, currency: 1 } },
      );
      if (!resource) throw badInput('resourceId', 'no resource has this id');
      await slots.bulkWrite(
        dates.map((date) => ({
          updateOne: {
            filter: { resourceId, date },
            update: {
              $setOnInsert: {
                resourceId,
                date,
                capacity: resource.capacity,
                pricePerDate: resource.pricePerDate,
                currency: resource.currency,
                claims: [],
                version: 0,
              },
            },
            upsert: true,
          },
        })),
        { session, ordered: false },
      );
    });
  }

  return async function ensureSlots(resourceId: ObjectId, dates: string[]): Promise<void> {
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
      const creation = createHorizon(resourceId, missing).finally(() => inFlight.delete(key));
      inFlight.set(key, creation);
      return creation;
    }
  };
}

export type EnsureSlots = ReturnType<typeof slotCreator>;
