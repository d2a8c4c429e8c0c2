// Proves G10 for documents kept after their first validation (README › Guarantees).
import { ObjectId } from 'mongodb';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { horizonDates } from '../src/capacity';
import { startTestApp, type TestApp } from './support/app';
import { delta, scrape } from './support/metrics';
import { createResource, dayFromToday, holdDates } from './support/operations';
import { AVAILABILITY_CHANGED, subscribeAvailability, until, waitForSubscribers, wsClient, wsRequest } from './support/subscriptions';

/**
 * The shortcuts on the live-availability path, each with the guard that keeps it right: empty slots
 * are not events (but every other insert is), one execution per change is shared only by
 * subscribers whose selection gives the same result, and a document parsed once is still checked
 * per request.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

type Raw = Record<string, unknown>;

/** Subscribes with any document and keeps each `next` payload's data as sent. */
function subscribeRaw(client: ReturnType<typeof wsClient>, query: string, variables: Record<string, unknown>) {
  const received: Raw[] = [];
  const errors: unknown[] = [];
  client.subscribe<Raw>(
    { query, variables },
    {
      next: (result) => void (result.data ? received.push(result.data) : errors.push(result.errors)),
      error: (e) => void errors.push(e),
      complete: () => {},
    },
  );
  return { received, errors };
}

describe('when a resource gets its slot horizon', () => {
  it('hands on no event for the ~1,100 empty slots a resource is created with', async () => {
    // The fence: a change on another resource, committed after the creation, reaches the feed after it.
    const fence = { resource: await createResource(app, { capacity: 1 }), date: dayFromToday(app, 4) };
    const client = wsClient(app, await app.token('watcher'));
    try {
      const watching = subscribeAvailability(client, { resourceId: fence.resource.id, from: fence.date, to: fence.date });
      await waitForSubscribers(app, 1);
      const before = await scrape(app);
      const created = await createResource(app, { capacity: 1 });
      const slots = await app.db.collection('dateSlots').countDocuments({ resourceId: new ObjectId(created.id) });
      expect(slots).toBe(horizonDates(app.clock.now()).length);
      await holdDates(app, await app.token('alice'), fence.resource.id, [fence.date]);
      await watching.waitFor((e) => e.date === fence.date);
      expect(delta(before, await scrape(app))('availability_change_lag_seconds_count')).toBe(1);
    } finally {
      await client.dispose();
    }
  });

  it('sends no event for the ~1,100 empty slots the horizon job creates, only the claim', async () => {
    // As an older version left a resource nobody had held: no slots. The job creates them while a calendar is open.
    const resource = await createResource(app, { capacity: 1 });
    await app.db.collection('dateSlots').deleteMany({ resourceId: new ObjectId(resource.id) });
    const [claimed, fence] = [dayFromToday(app, 5), dayFromToday(app, 6)];
    const client = wsClient(app, await app.token('watcher'));
    try {
      const subscription = subscribeAvailability(client, {
        resourceId: resource.id,
        from: dayFromToday(app, 1),
        to: dayFromToday(app, 30),
      });
      await waitForSubscribers(app, 1);
      expect(await app.app.services.slotHorizon.extendOnce()).toBe(horizonDates(app.clock.now()).length);
      const alice = await app.token('alice');
      expect((await holdDates(app, alice, resource.id, [claimed])).data.holdDates.__typename).toBe('DatesHeld');
      // A later change arrives after anything committed before it: nothing else came first.
      await holdDates(app, alice, resource.id, [fence]);
      await subscription.waitFor((e) => e.date === fence);
      expect(subscription.events.map(({ date, status, version }) => ({ date, status, version }))).toEqual([
        { date: claimed, status: 'HELD', version: 1 },
        { date: fence, status: 'HELD', version: 1 },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('still delivers a slot that another writer inserts with claims or with a version', async () => {
    const resource = await createResource(app, { capacity: 2 });
    const [booked, versioned] = [dayFromToday(app, 8), dayFromToday(app, 9)];
    const client = wsClient(app, await app.token('watcher'));
    try {
      const subscription = subscribeAvailability(client, { resourceId: resource.id, from: booked, to: versioned });
      await waitForSubscribers(app, 1);
      const resourceId = new ObjectId(resource.id);
      // The resource was created with these slots: make room (deletes are not events).
      await app.db.collection('dateSlots').deleteMany({ resourceId, date: { $in: [booked, versioned] } });
      const claim = { holdId: new ObjectId(), userId: 'imported', state: 'booked', expiresAt: null };
      // Neither is an empty slot: one has a claim (at version 0), the other a version of its own.
      await app.db.collection('dateSlots').insertOne({ resourceId, date: booked, capacity: 2, claims: [claim], version: 0 });
      await app.db.collection('dateSlots').insertOne({ resourceId, date: versioned, capacity: 2, claims: [], version: 3 });
      await subscription.waitFor((e) => e.date === versioned);
      expect(subscription.events.map(({ date, remaining, status, version }) => ({ date, remaining, status, version }))).toEqual([
        { date: booked, remaining: 1, status: 'PARTIALLY_AVAILABLE', version: 0 },
        { date: versioned, remaining: 2, status: 'AVAILABLE', version: 3 },
      ]);
    } finally {
      await client.dispose();
    }
  });
});

describe('when many subscribers get the same change', () => {
  it('gives each its own selection: fields, aliases and variables in the selection are part of what is shared', async () => {
    const resource = await createResource(app, { capacity: 2 });
    const date = dayFromToday(app, 12);
    const range = { resourceId: resource.id, from: date, to: date };
    const withFlag = `subscription($resourceId: ID!, $from: LocalDate!, $to: LocalDate!, $withRemaining: Boolean!) {
      availabilityChanged(resourceId: $resourceId, from: $from, to: $to) { date remaining @include(if: $withRemaining) version }
    }`;
    const aliased = `subscription($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
      changed: availabilityChanged(resourceId: $resourceId, from: $from, to: $to) { d: date status }
    }`;
    const client = wsClient(app, await app.token('watcher'));
    try {
      const plain = [subscribeRaw(client, AVAILABILITY_CHANGED, range), subscribeRaw(client, AVAILABILITY_CHANGED, range)];
      const flagOn = subscribeRaw(client, withFlag, { ...range, withRemaining: true });
      const flagOff = subscribeRaw(client, withFlag, { ...range, withRemaining: false });
      const renamed = subscribeRaw(client, aliased, range);
      await waitForSubscribers(app, 5);
      await holdDates(app, await app.token('alice'), resource.id, [date]);
      const all = [...plain, flagOn, flagOff, renamed];
      await until(() => all.every((s) => s.received.length === 1), 'every subscriber has the change');

      for (const { received } of plain) {
        expect(received).toEqual([{ availabilityChanged: { date, remaining: 1, status: 'PARTIALLY_AVAILABLE', version: 1 } }]);
      }
      expect(flagOn.received).toEqual([{ availabilityChanged: { date, remaining: 1, version: 1 } }]);
      expect(flagOff.received).toEqual([{ availabilityChanged: { date, version: 1 } }]);
      expect(renamed.received).toEqual([{ changed: { d: date, status: 'PARTIALLY_AVAILABLE' } }]);
      expect(all.flatMap((s) => s.errors)).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});

describe('when changes are written straight to the socket', () => {
  it('sends graphql-ws `next` messages byte for byte, and none for an operation the client completed', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const [first, second] = [dayFromToday(app, 14), dayFromToday(app, 15)];
    const variables = { resourceId: resource.id, from: first, to: second };
    const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(String(data)));
    try {
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await app.token('watcher')}` } }));
      await until(() => messages.includes('{"type":"connection_ack"}'), 'the connection is acknowledged');
      for (const id of ['kept', 'completed'])
        socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: AVAILABILITY_CHANGED, variables } }));
      await waitForSubscribers(app, 2);
      socket.send(JSON.stringify({ id: 'completed', type: 'complete' }));
      await until(() => app.app.services.live.subscriberCount() === 1, 'the completed operation is gone');

      const alice = await app.token('alice');
      await holdDates(app, alice, resource.id, [first]);
      await holdDates(app, alice, resource.id, [second]);
      const next = (date: string) =>
        JSON.stringify({
          id: 'kept',
          type: 'next',
          payload: { data: { availabilityChanged: { date, remaining: 0, status: 'HELD', version: 1 } } },
        });
      await until(() => messages.includes(next(second)), 'the second change arrives');
      expect(messages).toEqual(['{"type":"connection_ack"}', next(first), next(second)]);
    } finally {
      socket.terminate();
    }
  });
});

describe('when a document was parsed and validated before', () => {
  it('still checks each request: its variables, its operation and its caller', async () => {
    const resource = await createResource(app);
    const [from, to] = [dayFromToday(app, 1), dayFromToday(app, 2)];
    const client = wsClient(app, await app.token('watcher'));
    const anonymous = wsClient(app);
    try {
      subscribeAvailability(client, { resourceId: resource.id, from, to });
      await waitForSubscribers(app, 1);
      const [badDate, tooLong, noCaller] = [
        subscribeAvailability(client, { resourceId: resource.id, from: 'someday', to }),
        subscribeAvailability(client, { resourceId: resource.id, from, to: dayFromToday(app, 400) }),
        subscribeAvailability(anonymous, { resourceId: resource.id, from, to }),
      ];
      expect((await badDate.ended).map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect((await tooLong.ended).map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect((await noCaller.ended).map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);

      // One text, two operations: each request runs the one it names.
      const twoOperations = `query Me { me { id } } query Availability($r: ID!, $d: LocalDate!) { availability(resourceId: $r, from: $d, to: $d) { date } }`;
      const me = await wsRequest(client, twoOperations);
      expect(me.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
      const named = (operationName: string, variables?: Record<string, unknown>) =>
        new Promise<Raw>((resolve) => {
          client.subscribe<Raw>(
            { query: twoOperations, operationName, variables },
            { next: (result) => resolve(result as Raw), error: (e) => resolve({ errors: e }), complete: () => {} },
          );
        });
      expect(await named('Me')).toEqual({ data: { me: { id: 'watcher' } } });
      expect(await named('Availability', { r: resource.id, d: from })).toEqual({ data: { availability: [{ date: from }] } });
      expect(await named('Me')).toEqual({ data: { me: { id: 'watcher' } } });
    } finally {
      await Promise.all([client.dispose(), anonymous.dispose()]);
    }
  });
});

describe('when many subscriptions name the same resource', () => {
  it('reads a found resource once, but an unknown id every time: it may exist by the next try', async () => {
    const id = new ObjectId();
    const range = { resourceId: id.toHexString(), from: dayFromToday(app, 1), to: dayFromToday(app, 2) };
    const client = wsClient(app, await app.token('watcher'));
    try {
      const early = subscribeAvailability(client, range);
      expect((await early.ended).map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      await app.db
        .collection('resources')
        .insertOne({ _id: id, name: 'Late cabin', capacity: 1, pricePerDate: 100, currency: 'EUR', version: 1 });
      subscribeAvailability(client, range);
      subscribeAvailability(client, { ...range, resourceId: range.resourceId.toUpperCase() });
      await waitForSubscribers(app, 2);
    } finally {
      await client.dispose();
    }
  });
});
