import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates } from './support/operations';
import { subscribeAvailability, waitForSubscribers, watchCommitTimes, wsClient } from './support/subscriptions';

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({ sharing: a });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

describe('when two API instances share one database', () => {
  it('runs them as separate servers on separate ports', () => {
    expect(a.url).not.toBe(b.url);
    expect(a.app.services).not.toBe(b.app.services);
  });

  it('delivers a hold made on instance A to a subscriber on instance B within 1 s of its commit', async () => {
    const resource = await createResource(a, { capacity: 1 });
    const date = dayFromToday(a, 3);
    const commits = await watchCommitTimes(a.db);
    const onB = wsClient(b, await b.token('watcher-b'));
    try {
      const subscription = subscribeAvailability(onB, { resourceId: resource.id, from: dayFromToday(b, 0), to: dayFromToday(b, 30) });
      await waitForSubscribers(b, 1);
      expect(a.app.services.live.subscriberCount()).toBe(0);

      const held = await holdDates(a, await a.token('alice'), resource.id, [date]);
      expect(held.data.holdDates.__typename).toBe('DatesHeld');

      const event = await subscription.waitFor((e) => e.date === date && e.version === 1);
      expect(event).toMatchObject({ remaining: 0, status: 'HELD' });
      expect(event.receivedAt - (await commits.waitForCommitTime(date, 1))).toBeLessThan(1000);
    } finally {
      await onB.dispose();
      await commits.stop();
    }
  });

  it('delivers holds made on either instance to subscribers on both', async () => {
    const resource = await createResource(a, { capacity: 1 });
    const [dateOnA, dateOnB] = [dayFromToday(a, 20), dayFromToday(a, 21)];
    const onA = wsClient(a, await a.token('watcher-a'));
    const onB = wsClient(b, await b.token('watcher-b'));
    try {
      const range = { resourceId: resource.id, from: dateOnA, to: dateOnB };
      const seenOnA = subscribeAvailability(onA, range);
      const seenOnB = subscribeAvailability(onB, range);
      await Promise.all([waitForSubscribers(a, 1), waitForSubscribers(b, 1)]);
      await Promise.all([
        holdDates(a, await a.token('alice'), resource.id, [dateOnA]),
        holdDates(b, await b.token('bob'), resource.id, [dateOnB]),
      ]);
      for (const seen of [seenOnA, seenOnB]) {
        await seen.waitFor((e) => e.date === dateOnA && e.status === 'HELD');
        await seen.waitFor((e) => e.date === dateOnB && e.status === 'HELD');
      }
    } finally {
      await Promise.all([onA.dispose(), onB.dispose()]);
    }
  });
});
