import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { AVAILABILITY, createResource, dayFromToday, holdDates, RELEASE_HOLD } from './support/operations';
import { subscribeAvailability, until, waitForSubscribers, watchCommitTimes, wsClient } from './support/subscriptions';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

describe('when a client subscribes to a resource over graphql-ws', () => {
  it('sees a hold made through the API within 1 s of its commit', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const date = dayFromToday(app, 5);
    const commits = await watchCommitTimes(app.db);
    const client = wsClient(app, await app.token('watcher'));
    try {
      const subscription = subscribeAvailability(client, {
        resourceId: resource.id,
        from: dayFromToday(app, 0),
        to: dayFromToday(app, 30),
      });
      await waitForSubscribers(app, 1);

      const held = await holdDates(app, await app.token('alice'), resource.id, [date]);
      expect(held.data.holdDates.__typename).toBe('DatesHeld');

      const event = await subscription.waitFor((e) => e.date === date && e.status === 'HELD');
      expect(event).toMatchObject({ date, remaining: 0, status: 'HELD', version: 1 });
      const committedAt = await commits.waitForCommitTime(date, 1);
      expect(event.receivedAt - committedAt).toBeLessThan(1000);
    } finally {
      await client.dispose();
      await commits.stop();
    }
  });

  it('sees a date free up when the sweeper expires the hold on it', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const date = dayFromToday(app, 6);
    const held = await holdDates(app, await app.token('alice'), resource.id, [date]);
    expect(held.data.holdDates.__typename).toBe('DatesHeld');
    const client = wsClient(app, await app.token('watcher'));
    try {
      const subscription = subscribeAvailability(client, { resourceId: resource.id, from: date, to: date });
      await waitForSubscribers(app, 1);
      app.clock.advance(1800 * 1000);
      expect(await app.app.services.sweeper.sweepOnce()).toBeGreaterThanOrEqual(1);
      const event = await subscription.waitFor((e) => e.date === date && e.status === 'AVAILABLE');
      expect(event).toMatchObject({ remaining: 1, version: 2 });
    } finally {
      await client.dispose();
    }
  });

  it('reports each change with a growing version that the availability query also returns', async () => {
    const resource = await createResource(app, { capacity: 2 });
    const date = dayFromToday(app, 7);
    const client = wsClient(app, await app.token('watcher'));
    try {
      const subscription = subscribeAvailability(client, { resourceId: resource.id, from: date, to: date });
      await waitForSubscribers(app, 1);
      const alice = await app.token('alice');
      const first = await holdDates(app, alice, resource.id, [date]);
      await holdDates(app, await app.token('bob'), resource.id, [date]);
      await app.gql(alice, RELEASE_HOLD, { input: { holdId: first.data.holdDates.hold.id } });

      await subscription.waitFor((e) => e.version === 3);
      const byVersion = subscription.events
        .filter((e) => e.version > 0)
        .map(({ remaining, status, version }) => ({ remaining, status, version }));
      // Each event is the slot as it stood at its version (an update's lookup may already see a later
      // version than the change that produced it, so a version can be skipped or repeated), versions
      // never go back, and the last one is the slot's current state.
      const stateAt: Record<number, { remaining: number; status: string }> = {
        1: { remaining: 1, status: 'PARTIALLY_AVAILABLE' },
        2: { remaining: 0, status: 'HELD' },
        3: { remaining: 1, status: 'PARTIALLY_AVAILABLE' },
      };
      for (const event of byVersion) expect(event).toEqual({ ...stateAt[event.version], version: event.version });
      const versions = byVersion.map((e) => e.version);
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
      expect(versions.at(-1)).toBe(3);
      const query = await app.gql(alice, AVAILABILITY.replace('status }', 'status version }'), {
        resourceId: resource.id,
        from: date,
        to: date,
      });
      expect(query.data.availability).toEqual([{ date, remaining: 1, status: 'PARTIALLY_AVAILABLE', version: 3 }]);
    } finally {
      await client.dispose();
    }
  });

  it('only delivers dates inside the subscribed range and of the subscribed resource', async () => {
    const [resource, other] = await Promise.all([createResource(app), createResource(app)]);
    const inside = dayFromToday(app, 10);
    const client = wsClient(app, await app.token('watcher'));
    try {
      const subscription = subscribeAvailability(client, { resourceId: resource.id, from: inside, to: inside });
      await waitForSubscribers(app, 1);
      const alice = await app.token('alice');
      await holdDates(app, alice, resource.id, [dayFromToday(app, 11)]);
      await holdDates(app, alice, other.id, [inside]);
      await holdDates(app, alice, resource.id, [inside]);
      await subscription.waitFor((e) => e.status === 'HELD');
      expect(subscription.events.every((e) => e.date === inside)).toBe(true);
      expect(subscription.events.filter((e) => e.version > 0)).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  });
});

describe('when a subscription is not allowed', () => {
  it('refuses a subscription without a token', async () => {
    const resource = await createResource(app);
    const client = wsClient(app);
    try {
      const subscription = subscribeAvailability(client, { resourceId: resource.id, from: dayFromToday(app, 0), to: dayFromToday(app, 1) });
      const errors = await subscription.ended;
      expect(errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(subscription.events).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('closes the connection of a client whose token is forged', async () => {
    const resource = await createResource(app);
    const client = wsClient(app, 'not-a-jwt');
    try {
      const subscription = subscribeAvailability(client, { resourceId: resource.id, from: dayFromToday(app, 0), to: dayFromToday(app, 1) });
      expect((await client.closed).code).toBe(4403);
      expect(subscription.events).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a range longer than 366 days with BAD_USER_INPUT', async () => {
    const resource = await createResource(app);
    const client = wsClient(app, await app.token('watcher'));
    try {
      const subscription = subscribeAvailability(client, {
        resourceId: resource.id,
        from: dayFromToday(app, 0),
        to: dayFromToday(app, 366),
      });
      const errors = await subscription.ended;
      expect(errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(errors[0].message).toMatch(/366 days/);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a range that ends before it starts, and an unknown resource', async () => {
    const resource = await createResource(app);
    const client = wsClient(app, await app.token('watcher'));
    try {
      const backwards = subscribeAvailability(client, { resourceId: resource.id, from: dayFromToday(app, 5), to: dayFromToday(app, 4) });
      const unknown = subscribeAvailability(client, {
        resourceId: '0123456789abcdef01234567',
        from: dayFromToday(app, 0),
        to: dayFromToday(app, 4),
      });
      expect((await backwards.ended).map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect((await unknown.ended).map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(app.app.services.live.subscriberCount()).toBe(0);
    } finally {
      await client.dispose();
    }
  });
});

describe('when clients leave or the server stops', () => {
  it('forgets a subscriber as soon as it unsubscribes', async () => {
    const resource = await createResource(app);
    const client = wsClient(app, await app.token('watcher'));
    try {
      const subscription = subscribeAvailability(client, { resourceId: resource.id, from: dayFromToday(app, 0), to: dayFromToday(app, 1) });
      await waitForSubscribers(app, 1);
      subscription.unsubscribe();
      await subscription.ended;
      await until(() => app.app.services.live.subscriberCount() === 0, 'the subscriber is gone');
    } finally {
      await client.dispose();
    }
  });

  it('closes open subscriptions cleanly when the server stops', async () => {
    const own = await startTestApp();
    const resource = await createResource(own);
    const client = wsClient(own, await own.token('watcher'));
    try {
      subscribeAvailability(client, { resourceId: resource.id, from: dayFromToday(own, 0), to: dayFromToday(own, 1) });
      await waitForSubscribers(own, 1);
      await own.stop();
      expect((await client.closed).code).toBe(1001);
      expect(own.app.services.live.subscriberCount()).toBe(0);
    } finally {
      await client.dispose();
    }
  });
});
