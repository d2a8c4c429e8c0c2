import type { Collection, MongoClient, ObjectId } from 'mongodb';
import { badInput } from '../graphql/errors';
import { withTransaction } from '../mongo/transaction';
import type { ResourceDoc } from '../resources/collection';
import type { DateSlotDoc } from './collections';

/**
 * Creates the slot documents a claim needs, each carrying the resource's capacity. A slot is born
 * in a transaction that also writes the resource document, so its creation conflicts with a
 * concurrent capacity change (which writes the resource and every existing slot): a slot can never
 * be created with a capacity that was already replaced. Creating an empty slot decides nothing
 * about availability; the claim's conditional update does. Identical concurrent requests in this
 * instance share one creation, which keeps 200 racers for a new date from conflicting 200 ways.
 */
export function slotCreator(client: MongoClient, slots: Collection<DateSlotDoc>, resources: Collection<ResourceDoc>) {
  const inFlight = new Map<string, Promise<void>>();

  async function create(resourceId: ObjectId, dates: string[]): Promise<void> {
    const existing = await slots.find({ resourceId, date: { $in: dates } }, { projection: { date: 1 } }).toArray();
    const have = new Set(existing.map((slot) => slot.date));
    const missing = dates.filter((date) => !have.has(date));
    if (missing.length === 0) return;
    await withTransaction(client, async (session) => {
      const resource = await resources.findOneAndUpdate(
        { _id: resourceId },
        { $inc: { slotsCreated: missing.length } },
        { session, returnDocument: 'after', projection: { capacity: 1 } },
      );
      if (!resource) throw badInput('resourceId', 'no resource has this id');
      await slots.bulkWrite(
        missing.map((date) => ({
          updateOne: {
            filter: { resourceId, date },
            update: { $setOnInsert: { resourceId, date, capacity: resource.capacity, claims: [], version: 0 } },
            upsert: true,
          },
        })),
        { session },
      );
    });
  }

  return function ensureSlots(resourceId: ObjectId, dates: string[]): Promise<void> {
    const key = `${resourceId.toHexString()}:${dates.join(',')}`;
    const running = inFlight.get(key);
    if (running) return running;
    const creation = create(resourceId, dates).finally(() => inFlight.delete(key));
    inFlight.set(key, creation);
    return creation;
  };
}

export type EnsureSlots = ReturnType<typeof slotCreator>;
