// Proves G7 (README › Guarantees) for the slots a resource is born with and the ones the horizon job adds.
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayUtc } from '../src/calendar';
import { type DateSlotDoc, HORIZON_MARGIN_DAYS, horizonDates, MAX_DAYS_AHEAD, type ResourceDoc } from '../src/capacity';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates } from './support/operations';

const DAY_MS = 86_400_000;
/** Today to today + MAX_DAYS_AHEAD + the margin, both ends included. */
const HORIZON_LENGTH = MAX_DAYS_AHEAD + HORIZON_MARGIN_DAYS + 1;

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startTestApp();
  // From noon UTC, the few minutes the tests add (to let leases lapse) never cross midnight: only whole days move the horizon.
  a.clock.advance((((12 * 3_600_000 - (a.clock.now().getTime() % DAY_MS)) % DAY_MS) + DAY_MS) % DAY_MS);
  b = await startTestApp({ sharing: { db: a.db, jwtSecret: a.jwtSecret, webhookSecret: a.webhookSecret, clock: a.clock } });
});
afterAll(async () => {
  await b.stop();
  await a.stop();
});

const slots = () => a.db.collection<DateSlotDoc>('dateSlots');
const resources = () => a.db.collection<ResourceDoc>('resources');
const slotsOf = (id: string) =>
  slots()
    .find({ resourceId: new ObjectId(id) }, { sort: { date: 1 } })
    .toArray();
const countOf = (id: string) => slots().countDocuments({ resourceId: new ObjectId(id) });
const extend = (app: TestApp = a) => app.app.services.slotHorizon.extendOnce();

/** A resource as a version that made slots on the first hold left it: no slots at all. */
async function legacyResource(terms: Pick<ResourceDoc, 'capacity' | 'pricePerDate' | 'currency'>): Promise<string> {
  const { insertedId } = await resources().insertOne({ name: 'legacy', ...terms, version: 1, createdAt: a.clock.now() });
  return insertedId.toHexString();
}

const UPDATE = `mutation($input: UpdateResourceInput!) {
  updateResource(input: $input) { __typename ... on ResourceUpdated { resource { version capacity pricePerDate } } }
}`;

describe('when a resource is created', () => {
  it('has its whole horizon at once, each slot empty with its capacity, price and currency', async () => {
    const resource = await createResource(a, { capacity: 2, pricePerDate: 900, currency: 'SEK' });
    const created = await slotsOf(resource.id);
    expect(created).toHaveLength(HORIZON_LENGTH);
    expect(created.map((s) => s.date)).toEqual(horizonDates(a.clock.now()));
    expect(created[created.length - 1].date).toBe(addDays(todayUtc(a.clock.now()), MAX_DAYS_AHEAD + HORIZON_MARGIN_DAYS));
    const shapes = new Set(
      created.map(({ capacity, pricePerDate, currency, claims, version }) =>
        JSON.stringify({ capacity, pricePerDate, currency, claims, version }),
      ),
    );
    expect([...shapes]).toEqual([JSON.stringify({ capacity: 2, pricePerDate: 900, currency: 'SEK', claims: [], version: 0 })]);
  });

  it('writes no slot on its first hold, not even on the last holdable date', async () => {
    const resource = await createResource(a, { capacity: 1 });
    const before = await countOf(resource.id);
    const token = await a.token('first-holder');
    const dates = [dayFromToday(a, 1), dayFromToday(a, MAX_DAYS_AHEAD)];
    expect((await holdDates(a, token, resource.id, dates)).data.holdDates.__typename).toBe('DatesHeld');
    expect(await countOf(resource.id)).toBe(before);
    // The hold path's fallback never ran: it is the only other creator, and it writes `slotsCreated`.
    expect((await resources().findOne({ _id: new ObjectId(resource.id) }))?.slotsCreated).toBeUndefined();
  });
});

describe('the horizon job', () => {
  it('creates the dates that come into the horizon as the days pass, with the current capacity and price', async () => {
    const resource = await createResource(a, { capacity: 3, pricePerDate: 1_000 });
    const admin = await a.token('ops', 'admin');
    const changed = await a.gql(admin, UPDATE, { input: { id: resource.id, expectedVersion: 1, capacity: 4, pricePerDate: 1_200 } });
    expect(changed.data.updateResource.__typename).toBe('ResourceUpdated');
    a.clock.advance(3 * DAY_MS);
    expect(await extend()).toBeGreaterThanOrEqual(3);
    const all = await slotsOf(resource.id);
    expect(all).toHaveLength(HORIZON_LENGTH + 3);
    const horizon = horizonDates(a.clock.now());
    expect(all.slice(3).map((s) => s.date)).toEqual(horizon);
    for (const slot of all) expect([slot.capacity, slot.pricePerDate, slot.currency]).toEqual([4, 1_200, 'EUR']);
  });

  it('is idempotent: a second pass, and two instances at once, create nothing more', async () => {
    const resource = await createResource(a);
    a.clock.advance(DAY_MS);
    const total = await slots().countDocuments();
    // The lease lock lets one instance work at a time; the other answers 0 (idle) or finds nothing left.
    const [first, second] = await Promise.all([extend(a), extend(b)]);
    // Every resource so far had its whole horizon: one day later each needs exactly one slot.
    expect(first + second).toBe(await resources().countDocuments());
    expect(await slots().countDocuments()).toBe(total + first + second);
    a.clock.advance(5 * 60_000); // past the lease, so the second pass does run
    expect(await extend(b)).toBe(0);
    expect(await slots().countDocuments()).toBe(total + first + second);
    expect(await countOf(resource.id)).toBe(HORIZON_LENGTH + 1);
  });

  it('fills a resource made by an older version, which has no slots at all', async () => {
    const id = await legacyResource({ capacity: 3, pricePerDate: 450, currency: 'EUR' });
    expect(await countOf(id)).toBe(0);
    a.clock.advance(5 * 60_000);
    expect(await extend()).toBe(HORIZON_LENGTH);
    const filled = await slotsOf(id);
    expect(filled.map((s) => s.date)).toEqual(horizonDates(a.clock.now()));
    for (const slot of filled) expect([slot.capacity, slot.pricePerDate, slot.claims, slot.version]).toEqual([3, 450, [], 0]);
    const held = await holdDates(a, await a.token('legacy-holder'), id, [dayFromToday(a, 10)]);
    expect(held.data.holdDates.hold).toMatchObject({ amount: 450, currency: 'EUR' });
    expect(await countOf(id)).toBe(HORIZON_LENGTH);
  });

  it('runs once when an instance starts', async () => {
    const id = await legacyResource({ capacity: 1, pricePerDate: 100, currency: 'EUR' });
    a.clock.advance(5 * 60_000); // past the leases the other instances took
    const starting = await startTestApp({
      sharing: { db: a.db, jwtSecret: a.jwtSecret, webhookSecret: a.webhookSecret, clock: a.clock },
      slotHorizonIntervalMs: 3_600_000,
    });
    try {
      for (let i = 0; i < 200 && (await countOf(id)) < HORIZON_LENGTH; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await countOf(id)).toBe(HORIZON_LENGTH);
    } finally {
      await starting.stop();
    }
  });
});

describe('when capacity and price changes race the horizon job (G7)', () => {
  it('leaves every slot, old and new, with the final capacity and price', async () => {
    const resource = await createResource(a, { capacity: 5, pricePerDate: 500 });
    const admin = await a.token('ops', 'admin');
    let version = 1;
    async function changes() {
      for (let i = 1; i <= 12; i++) {
        const answer = await a.gql(admin, UPDATE, {
          input: { id: resource.id, expectedVersion: version, capacity: 5 + i, pricePerDate: 500 + i },
        });
        expect(answer.data.updateResource.__typename).toBe('ResourceUpdated');
        version = answer.data.updateResource.resource.version;
      }
    }
    async function extensions(app: TestApp) {
      for (let i = 0; i < 6; i++) {
        a.clock.advance(DAY_MS); // a day's slots missing for every resource, and the leases lapsed
        await extend(app);
      }
    }
    await Promise.all([changes(), extensions(a), extensions(b)]);
    a.clock.advance(5 * 60_000);
    await extend();

    const final = await resources().findOne({ _id: new ObjectId(resource.id) });
    const all = await slotsOf(resource.id);
    // Twelve days passed: twelve dates came into the horizon while the changes ran.
    expect(all).toHaveLength(HORIZON_LENGTH + 12);
    const wrong = all.filter((s) => s.capacity !== final?.capacity || s.pricePerDate !== final?.pricePerDate);
    expect(wrong.map((s) => [s.date, s.capacity, s.pricePerDate])).toEqual([]);
    expect(final?.capacity).toBe(5 + 12);
  });
});
