import { setTimeout as sleep } from 'node:timers/promises';
import { Long } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates } from './support/operations';
import { subscribeAvailability, waitForSubscribers, wsClient } from './support/subscriptions';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/**
 * Kills the server-side cursor of every change stream on this database's dateSlots (a real, abrupt
 * failure), once the feed has one open again after the previous kill.
 */
async function killChangeStreamCursors(): Promise<number> {
  for (;;) {
    const killed = await killOpenCursors();
    if (killed > 0) return killed;
    await sleep(10);
  }
}

async function killOpenCursors(): Promise<number> {
  const ops = await app.db.client
    .db('admin')
    .aggregate<{ cursor?: { cursorId: Long | number } }>([
      { $currentOp: { idleCursors: true, allUsers: true } },
      // The live feed watches the whole database (slots, accounts, entries): one aggregate on the database.
      {
        $match: {
          'cursor.originatingCommand.$db': app.db.databaseName,
          'cursor.originatingCommand.pipeline.0.$changeStream': { $exists: true },
        },
      },
    ])
    .toArray();
  // A cursor id that fits in a double is read back as a number; killCursors wants a long.
  const ids = ops.flatMap((op) => (op.cursor ? [Long.fromValue(op.cursor.cursorId)] : []));
  if (ids.length > 0) await app.db.command({ killCursors: '$cmd.aggregate', cursors: ids });
  return ids.length;
}

describe("when the instance's change stream fails", () => {
  it('resumes from its last resume token and loses none of the changes made meanwhile', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = Array.from({ length: 6 }, (_, i) => dayFromToday(app, 40 + i));
    const client = wsClient(app, await app.token('watcher'));
    try {
      const subscription = subscribeAvailability(client, { resourceId: resource.id, from: dates[0], to: dates[dates.length - 1] });
      await waitForSubscribers(app, 1);
      const alice = await app.token('alice');
      let killed = 0;
      for (const date of dates) {
        killed += await killChangeStreamCursors();
        // Written while the stream is down: only a resume from the saved token can deliver it.
        const held = await holdDates(app, alice, resource.id, [date]);
        expect(held.data.holdDates.__typename).toBe('DatesHeld');
      }
      expect(killed).toBeGreaterThanOrEqual(dates.length);
      for (const date of dates) await subscription.waitFor((e) => e.date === date && e.status === 'HELD');
      // Same subscription throughout: the client never noticed.
      expect(app.app.services.live.subscriberCount()).toBe(1);
    } finally {
      await client.dispose();
    }
  });

  it('keeps delivering after the dateSlots collection is dropped and created again (its post-images are enabled again)', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const [before, after] = [dayFromToday(app, 60), dayFromToday(app, 61)];
    const client = wsClient(app, await app.token('watcher'));
    try {
      const subscription = subscribeAvailability(client, { resourceId: resource.id, from: before, to: after });
      await waitForSubscribers(app, 1);
      const alice = await app.token('alice');
      await holdDates(app, alice, resource.id, [before]);
      await subscription.waitFor((e) => e.date === before && e.status === 'HELD');

      await app.db.collection('dateSlots').drop();
      await app.app.services.lifecycle.ensureIndexes();
      const held = await holdDates(app, alice, resource.id, [after]);
      expect(held.data.holdDates.__typename).toBe('DatesHeld');
      await subscription.waitFor((e) => e.date === after && e.status === 'HELD');
    } finally {
      await client.dispose();
    }
  });
});
