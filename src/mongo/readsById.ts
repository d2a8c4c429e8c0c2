import type { Collection, Document, Filter } from 'mongodb';

/**
 * Reads by `_id` that arrive in the same turn of the event loop go to MongoDB as ONE `$in` query
 * (a DataLoader shared by the requests in flight, not per request): under load, one round trip
 * answers every request that was parsed in that turn. Each read still happens after its caller
 * asked, so it sees what a read of its own would have seen at some moment inside its request.
 */
export function readsById<T extends Document & { _id: string }>(collection: Collection<T>, maxIds = 500) {
  let pending = new Map<string, { resolve(doc: T | null): void; reject(error: unknown): void }[]>();
  let scheduled = false;

  async function flush(): Promise<void> {
    const batch = pending;
    pending = new Map();
    if (batch.size === 0) return;
    try {
      const docs = await collection.find({ _id: { $in: [...batch.keys()] } } as Filter<T>).toArray();
      const byId = new Map(docs.map((doc) => [String(doc._id), doc as unknown as T]));
      for (const [id, waiters] of batch) for (const waiter of waiters) waiter.resolve(byId.get(id) ?? null);
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }

  return (id: string): Promise<T | null> =>
    new Promise((resolve, reject) => {
      if (pending.size >= maxIds && !pending.has(id)) void flush();
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          void flush();
        });
      }
      const waiters = pending.get(id) ?? [];
      waiters.push({ resolve, reject });
      pending.set(id, waiters);
    });
}
