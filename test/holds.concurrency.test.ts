// Proves G1 (README › Guarantees).
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DateSlotDoc } from '../src/capacity';
import type { HoldDoc } from '../src/bookings';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates } from './support/operations';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

async function raceForOneDate(capacity: number, contenders: number) {
  const resource = await createResource(app, { capacity });
  const date = dayFromToday(app, 10);
  const tokens = await Promise.all(Array.from({ length: contenders }, (_, i) => app.token(`racer-${capacity}-${i}`)));
  const responses = await Promise.all(tokens.map((token) => holdDates(app, token, resource.id, [date])));
  const typenames = responses.map((r) => {
    expect(r.errors).toBeUndefined();
    return r.data.holdDates.__typename as string;
  });
  const resourceId = new ObjectId(resource.id);
  const slot = await app.db.collection<DateSlotDoc>('dateSlots').findOne({ resourceId, date });
  const holds = await app.db.collection<HoldDoc>('holds').countDocuments({ resourceId });
  return {
    held: typenames.filter((t) => t === 'DatesHeld').length,
    unavailable: typenames.filter((t) => t === 'DatesUnavailable').length,
    claims: slot!.claims.length,
    holds,
  };
}

describe('when many clients race for the same date', () => {
  it('gives a capacity-1 date to exactly one of 200 concurrent holds', async () => {
    const result = await raceForOneDate(1, 200);
    expect(result).toEqual({ held: 1, unavailable: 199, claims: 1, holds: 1 });
  });

  it('gives a capacity-3 date to exactly three of 200 concurrent holds', async () => {
    const result = await raceForOneDate(3, 200);
    expect(result).toEqual({ held: 3, unavailable: 197, claims: 3, holds: 3 });
  });
});

describe('when overlapping multi-date holds race', () => {
  it('never lets both (d1,d2) and (d2,d3) win, and leaves no partial claims', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const [alice, bob] = await Promise.all([app.token('alice'), app.token('bob')]);
    const rounds = 60;
    const outcomes = await Promise.all(
      Array.from({ length: rounds }, async (_, round) => {
        const d1 = dayFromToday(app, 3 * round + 1);
        const d2 = dayFromToday(app, 3 * round + 2);
        const d3 = dayFromToday(app, 3 * round + 3);
        const [a, b] = await Promise.all([holdDates(app, alice, resource.id, [d1, d2]), holdDates(app, bob, resource.id, [d2, d3])]);
        return [a.data.holdDates.__typename, b.data.holdDates.__typename].filter((t) => t === 'DatesHeld').length;
      }),
    );
    expect(outcomes.every((winners) => winners === 1)).toBe(true);

    // Every claim on a slot belongs to a hold that lists that date, and every hold claims all its dates.
    const resourceId = new ObjectId(resource.id);
    const slots = await app.db.collection<DateSlotDoc>('dateSlots').find({ resourceId }).toArray();
    const holds = await app.db.collection<HoldDoc>('holds').find({ resourceId }).toArray();
    const holdDatesById = new Map(holds.map((h) => [h._id.toHexString(), h.dates]));
    const claimed = slots.flatMap((s) => s.claims.map((c) => ({ date: s.date, hold: c.holdId.toHexString() })));
    for (const { date, hold } of claimed) expect(holdDatesById.get(hold)).toContain(date);
    expect(claimed).toHaveLength(holds.reduce((n, h) => n + h.dates.length, 0));
    expect(holds).toHaveLength(rounds);
  });
});
