import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, withoutRequestIds } from './support/app';
import { AVAILABILITY, createResource, dayFromToday, holdDates, newKey, RELEASE_HOLD } from './support/operations';

let app: TestApp;
let alice: string;
let bob: string;
beforeAll(async () => {
  app = await startTestApp({ holdTtlSeconds: 1800 });
  [alice, bob] = await Promise.all([app.token('alice'), app.token('bob')]);
});
afterAll(() => app.stop());

const HOLD = `query($id: ID!) { hold(id: $id) { id status } }`;

describe('when a hold is made', () => {
  it('holds every requested date for HOLD_TTL_SECONDS and prices them', async () => {
    const resource = await createResource(app, { pricePerDate: 9_900, currency: 'USD' });
    const dates = [dayFromToday(app, 2), dayFromToday(app, 1)];
    const before = app.clock.now().getTime();
    const response = await holdDates(app, alice, resource.id, dates);
    const hold = response.data.holdDates.hold;
    expect(response.data.holdDates.__typename).toBe('DatesHeld');
    expect(hold.dates).toEqual([...dates].sort());
    expect(hold.amount).toBe(19_800);
    expect(hold.currency).toBe('USD');
    expect(hold.status).toBe('HELD');
    expect(hold.userId).toBe('alice');
    expect(Date.parse(hold.expiresAt) - before).toBe(1800 * 1000);

    const availability = await app.gql(alice, AVAILABILITY, {
      resourceId: resource.id,
      from: dayFromToday(app, 0),
      to: dayFromToday(app, 3),
    });
    expect(availability.data.availability.map((d: { status: string }) => d.status)).toEqual(['AVAILABLE', 'HELD', 'HELD', 'AVAILABLE']);
  });

  it('lists all dates that were taken and holds none of the others', async () => {
    const resource = await createResource(app);
    const [d1, d2, d3] = [1, 2, 3].map((n) => dayFromToday(app, n));
    await holdDates(app, alice, resource.id, [d2]);
    const refused = await holdDates(app, bob, resource.id, [d1, d2, d3]);
    expect(refused.data.holdDates).toEqual({ __typename: 'DatesUnavailable', dates: [d2] });
    const availability = await app.gql(bob, AVAILABILITY, { resourceId: resource.id, from: d1, to: d3 });
    expect(availability.data.availability.map((d: { remaining: number }) => d.remaining)).toEqual([1, 0, 1]);
  });

  it('shows partial availability on a date with capacity left', async () => {
    const resource = await createResource(app, { capacity: 2 });
    const date = dayFromToday(app, 5);
    await holdDates(app, alice, resource.id, [date]);
    const availability = await app.gql(bob, AVAILABILITY, { resourceId: resource.id, from: date, to: date });
    expect(availability.data.availability).toEqual([{ date, remaining: 1, status: 'PARTIALLY_AVAILABLE' }]);
  });
});

describe('when the price changes', () => {
  const UPDATE = `mutation($input: UpdateResourceInput!) { updateResource(input: $input) { __typename ... on ResourceUpdated { resource { version pricePerDate } } } }`;

  it('prices the next hold at the new price: the change is written to every slot, which the claim reads', async () => {
    const resource = await createResource(app, { pricePerDate: 1_000 });
    const dates = [dayFromToday(app, 20), dayFromToday(app, 21)];
    expect((await holdDates(app, alice, resource.id, [dates[0]])).data.holdDates.hold.amount).toBe(1_000);
    const admin = await app.token('ops', 'admin');
    const updated = await app.gql(admin, UPDATE, { input: { id: resource.id, expectedVersion: 1, pricePerDate: 2_500 } });
    expect(updated.data.updateResource.resource).toEqual({ version: 2, pricePerDate: 2_500 });
    const next = await holdDates(app, bob, resource.id, [dates[1], dayFromToday(app, 22)]);
    expect(next.data.holdDates.hold).toMatchObject({ amount: 5_000, currency: 'EUR' });
  });

  it('prices a hold from the resource when its slots were made before slots carried the price', async () => {
    const resource = await createResource(app, { pricePerDate: 700, currency: 'SEK' });
    // Slots as an earlier version of the service left them.
    await app.db
      .collection('dateSlots')
      .updateMany({ resourceId: new ObjectId(resource.id) }, { $unset: { pricePerDate: '', currency: '' } });
    const held = await holdDates(app, bob, resource.id, [dayFromToday(app, 24), dayFromToday(app, 25)]);
    expect(held.data.holdDates.hold).toMatchObject({ amount: 1_400, currency: 'SEK' });
  });
});

describe('when a hold expires', () => {
  it('frees its dates for the next claimant at once, with no sweeper', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 7);
    const first = await holdDates(app, alice, resource.id, [date]);
    expect((await holdDates(app, bob, resource.id, [date])).data.holdDates.__typename).toBe('DatesUnavailable');

    app.clock.advance(1800 * 1000);
    const second = await holdDates(app, bob, resource.id, [date]);
    expect(second.data.holdDates.__typename).toBe('DatesHeld');
    const expired = await app.gql(alice, HOLD, { id: first.data.holdDates.hold.id });
    expect(expired.data.hold.status).toBe('EXPIRED');
  });
});

describe('when a hold is released', () => {
  it('frees its dates and reports RELEASED, also on a second release', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 8);
    const hold = (await holdDates(app, alice, resource.id, [date])).data.holdDates.hold;
    const released = await app.gql(alice, RELEASE_HOLD, { input: { holdId: hold.id } });
    expect(released.data.releaseHold).toEqual({ id: hold.id, status: 'RELEASED', dates: [date] });
    expect((await app.gql(alice, RELEASE_HOLD, { input: { holdId: hold.id } })).data.releaseHold.status).toBe('RELEASED');
    expect((await holdDates(app, bob, resource.id, [date])).data.holdDates.__typename).toBe('DatesHeld');
  });

  it("answers someone else's hold exactly like a missing one, but lets an admin release it", async () => {
    const resource = await createResource(app);
    const hold = (await holdDates(app, alice, resource.id, [dayFromToday(app, 9)])).data.holdDates.hold;
    const refused = await app.gql(bob, RELEASE_HOLD, { input: { holdId: hold.id } });
    const missing = await app.gql(bob, RELEASE_HOLD, { input: { holdId: '0123456789abcdef01234567' } });
    expect(refused.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(withoutRequestIds(refused)).toEqual(withoutRequestIds(missing));
    expect((await app.gql(bob, HOLD, { id: hold.id })).data.hold).toBeNull();
    expect((await app.gql(alice, HOLD, { id: hold.id })).data.hold).not.toBeNull();
    const admin = await app.token('ops', 'admin');
    expect((await app.gql(admin, RELEASE_HOLD, { input: { holdId: hold.id } })).data.releaseHold.status).toBe('RELEASED');
  });

  it('answers NOT_FOUND for a hold that does not exist', async () => {
    const missing = await app.gql(alice, RELEASE_HOLD, { input: { holdId: '0123456789abcdef01234567' } });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('when a hold request is retried with its idempotency key', () => {
  it('returns the identical payload and holds nothing more', async () => {
    const resource = await createResource(app, { capacity: 5 });
    const key = newKey();
    const dates = [dayFromToday(app, 11)];
    const first = await holdDates(app, alice, resource.id, dates, key);
    const retry = await holdDates(app, alice, resource.id, dates, key);
    expect(retry).toEqual(first);
    expect(await app.db.collection('holds').countDocuments({ dates: dates[0] })).toBe(1);
  });

  it('replays a DatesUnavailable outcome too, even after the date frees up', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 12);
    const taken = (await holdDates(app, alice, resource.id, [date])).data.holdDates.hold;
    const key = newKey();
    const refused = await holdDates(app, bob, resource.id, [date], key);
    await app.gql(alice, RELEASE_HOLD, { input: { holdId: taken.id } });
    expect(await holdDates(app, bob, resource.id, [date], key)).toEqual(refused);
  });

  it('refuses the same key with a different input', async () => {
    const resource = await createResource(app, { capacity: 5 });
    const key = newKey();
    await holdDates(app, alice, resource.id, [dayFromToday(app, 13)], key);
    const reused = await holdDates(app, alice, resource.id, [dayFromToday(app, 14)], key);
    expect(reused.errors?.[0].extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('treats the same key from another user as a different key', async () => {
    const resource = await createResource(app, { capacity: 5 });
    const key = newKey();
    const dates = [dayFromToday(app, 15)];
    const a = await holdDates(app, alice, resource.id, dates, key);
    const b = await holdDates(app, bob, resource.id, dates, key);
    expect(b.data.holdDates.hold.id).not.toBe(a.data.holdDates.hold.id);
  });

  it('gives 50 concurrent requests with one key exactly one hold; the rest see it or IN_USE', async () => {
    const resource = await createResource(app, { capacity: 100 });
    const key = newKey();
    const dates = [dayFromToday(app, 16)];
    const responses = await Promise.all(Array.from({ length: 50 }, () => holdDates(app, alice, resource.id, dates, key)));
    const held = responses.filter((r) => r.data?.holdDates.__typename === 'DatesHeld');
    const inUse = responses.filter((r) => r.errors?.[0].extensions?.code === 'IDEMPOTENCY_KEY_IN_USE');
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held.length + inUse.length).toBe(50);
    expect(held.every((r) => JSON.stringify(r) === JSON.stringify(held[0]))).toBe(true);
    expect(await app.db.collection('holds').countDocuments({ dates: dates[0] })).toBe(1);
    for (const _ of inUse) expect(await holdDates(app, alice, resource.id, dates, key)).toEqual(held[0]);
  });

  it('does not let a request that failed validation use up its key', async () => {
    const resource = await createResource(app);
    const key = newKey();
    const bad = await holdDates(app, alice, resource.id, [dayFromToday(app, -1)], key);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await app.db.collection('idempotencyKeys').countDocuments({ key })).toBe(0);
  });
});
