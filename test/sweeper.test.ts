import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DateSlotDoc } from '../src/capacity';
import type { HoldDoc } from '../src/bookings';
import { SWEEPER_LOCK } from '../src/bookings';
import { locksModule, StaleLease } from '../src/locks';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates } from './support/operations';

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({ sharing: { db: a.db, jwtSecret: a.jwtSecret, webhookSecret: a.webhookSecret, clock: a.clock } });
});
afterAll(async () => {
  await b.stop();
  await a.stop();
});

async function makeHolds(count: number, offset: number) {
  const resource = await createResource(a, { capacity: count });
  const tokens = await Promise.all(Array.from({ length: count }, (_, i) => a.token(`sleeper-${offset}-${i}`)));
  await Promise.all(tokens.map((token, i) => holdDates(a, token, resource.id, [dayFromToday(a, offset + (i % 5))])));
  return new ObjectId(resource.id);
}

describe('when two instances sweep expired holds at once', () => {
  it('expires each hold exactly once and frees its claims', async () => {
    const resourceId = await makeHolds(50, 100);
    a.clock.advance(1800 * 1000);
    const counts = await Promise.all([1, 2, 3].flatMap(() => [a.app.services.sweeper.sweepOnce(), b.app.services.sweeper.sweepOnce()]));
    expect(counts.reduce((x, y) => x + y, 0)).toBe(50);
    const holds = await a.db.collection<HoldDoc>('holds').find({ resourceId }).toArray();
    expect(holds.map((h) => h.state)).toEqual(Array(50).fill('expired'));
    const slots = await a.db.collection<DateSlotDoc>('dateSlots').find({ resourceId }).toArray();
    expect(slots.flatMap((s) => s.claims)).toEqual([]);
    expect((await holdDates(a, await a.token('next'), resourceId.toHexString(), [dayFromToday(a, 100)])).data.holdDates.__typename).toBe(
      'DatesHeld',
    );
  });

  it('refuses the writes of a holder whose lease was taken over (stale fencing token)', async () => {
    const locks = locksModule({ db: a.db, clock: a.clock });
    a.clock.advance(60_000); // past the leases the instances took in the previous test
    const stale = await locks.acquire(SWEEPER_LOCK, 'paused-instance', 1_000);
    expect(stale).not.toBeNull();
    expect(await locks.acquire(SWEEPER_LOCK, 'impatient', 1_000)).toBeNull();
    a.clock.advance(2_000);
    const fresh = await locks.acquire(SWEEPER_LOCK, 'successor', 3_600_000);
    expect(fresh!.fence).toBeGreaterThan(stale!.fence);

    const resourceId = await makeHolds(5, 200);
    a.clock.advance(1800 * 1000);
    await expect(a.app.services.sweeper.sweepWith(stale!)).rejects.toBeInstanceOf(StaleLease);
    const untouched = await a.db.collection<HoldDoc>('holds').find({ resourceId }).toArray();
    expect(untouched.map((h) => h.state)).toEqual(Array(5).fill('held'));

    const swept = await a.app.services.sweeper.sweepWith(fresh!);
    expect(swept.filter((h) => h.resourceId.equals(resourceId))).toHaveLength(5);
    expect(swept.every((h) => h.sweptWithFence === fresh!.fence)).toBe(true);
    expect(await locks.release(stale!)).toBe(false);
    expect(await locks.release(fresh!)).toBe(true);
  });
});
