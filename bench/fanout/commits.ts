import { setTimeout as sleep } from 'node:timers/promises';
import type { MongoClient, ObjectId } from 'mongodb';

export interface CommitWatcher {
  /** The commit's wallTime (ms) of the slot write `resourceId:date@version`. */
  waitFor(key: string, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** Commit wallTimes from the oplog (a change stream of the bench's own), keyed by `resourceId:date@version`. */
export async function watchCommits(mongo: MongoClient, dbName: string): Promise<CommitWatcher> {
  const db = mongo.db(dbName);
  const commits = new Map<string, number>();
  const { operationTime } = await db.command({ ping: 1 });
  type Slot = { resourceId: ObjectId; date: string; version: number };
  const stream = db.collection<Slot>('dateSlots').watch([{ $match: { operationType: { $in: ['update', 'replace'] } } }], {
    fullDocument: 'updateLookup',
    startAtOperationTime: operationTime,
    maxAwaitTimeMS: 100,
  });
  const loop = (async () => {
    while (!stream.closed) {
      const change = await stream.tryNext().catch(() => null);
      if (change && 'fullDocument' in change && change.fullDocument) {
        const key = `${change.fullDocument.resourceId.toHexString()}:${change.fullDocument.date}@${change.fullDocument.version}`;
        if (!commits.has(key)) commits.set(key, (change as unknown as { wallTime: Date }).wallTime.getTime());
      }
    }
  })();
  return {
    async waitFor(key, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (let at = commits.get(key); ; at = commits.get(key)) {
        if (at !== undefined) return at;
        if (Date.now() > deadline) throw new Error(`the commit of ${key} was not seen in the oplog`);
        await sleep(2);
      }
    },
    async stop() {
      await stream.close();
      await loop;
    },
  };
}
