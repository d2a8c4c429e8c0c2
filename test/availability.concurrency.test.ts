// Proves G1 (README › Guarantees).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DateAvailability } from '../src/availability';
import { eachDate } from '../src/calendar';
import { startTestApp, type TestApp } from './support/app';
import { AVAILABILITY, createResource, dayFromToday, holdDates, RELEASE_HOLD } from './support/operations';
import { latestByDate, subscribeAvailability, until, waitForSubscribers, wsClient } from './support/subscriptions';

const AVAILABILITY_WITH_VERSION = AVAILABILITY.replace('status }', 'status version }');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** A small deterministic generator, so a failure can be replayed. */
function seeded(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

/** What a client shows: the first query's answer, then every event whose version is newer. */
function mergedView(initial: DateAvailability[], events: DateAvailability[]): DateAvailability[] {
  const latest = latestByDate(events);
  return initial.map((row) => {
    const event = latest.get(row.date);
    return event && event.version > row.version
      ? { ...row, remaining: event.remaining, status: event.status, version: event.version }
      : row;
  });
}

describe('when 200 holds race across a month', () => {
  it("leaves each subscriber's merged view equal to the availability query", async () => {
    const resources = await Promise.all([1, 2, 3].map((capacity) => createResource(app, { capacity })));
    const month = eachDate(dayFromToday(app, 1), dayFromToday(app, 30));
    const [from, to] = [month[0], month[month.length - 1]];
    const watcher = await app.token('watcher');
    const client = wsClient(app, watcher);
    try {
      const subscriptions = resources.map((r) => subscribeAvailability(client, { resourceId: r.id, from, to }));
      await waitForSubscribers(app, resources.length);
      const initial = await Promise.all(resources.map((r) => app.gql(watcher, AVAILABILITY_WITH_VERSION, { resourceId: r.id, from, to })));

      const random = seeded(6);
      const attempts = Array.from({ length: 200 }, (_, i) => {
        const resource = resources[Math.floor(random() * resources.length)];
        const count = 1 + Math.floor(random() * 3);
        const dates = [...new Set(Array.from({ length: count }, () => month[Math.floor(random() * month.length)]))];
        return { user: `racer-${i}`, resource, dates };
      });
      const results = await Promise.all(
        attempts.map(async ({ user, resource, dates }) => {
          const token = await app.token(user);
          const response = await holdDates(app, token, resource.id, dates);
          expect(response.errors).toBeUndefined();
          return { token, payload: response.data.holdDates };
        }),
      );
      const held = results.filter((r) => r.payload.__typename === 'DatesHeld');
      expect(held.length).toBeGreaterThan(20);
      expect(held.length).toBeLessThan(200);
      // Some holds are given back too, so changes go both ways.
      await Promise.all(
        held.slice(0, 15).map(({ token, payload }) => app.gql(token, RELEASE_HOLD, { input: { holdId: payload.hold.id } })),
      );

      for (const [i, resource] of resources.entries()) {
        const final = (await app.gql(watcher, AVAILABILITY_WITH_VERSION, { resourceId: resource.id, from, to })).data.availability;
        expect(final.some((row: DateAvailability) => row.version > 1)).toBe(true);
        const view = () => mergedView(initial[i].data.availability, subscriptions[i].events);
        await until(() => JSON.stringify(view()) === JSON.stringify(final), `the view of resource ${i} converges`).catch(() => undefined);
        expect(view()).toEqual(final);
      }
    } finally {
      await client.dispose();
    }
  });
});
