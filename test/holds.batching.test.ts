// Proves G1 and G6 (README › Guarantees): holds group-committed by the one engine (src/mongo/groupCommit), set-oriented.
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldDatesResult } from '../src/bookings';
import type { DateSlotDoc } from '../src/capacity';
import { lockKeyQueue } from '../src/mongo/testing';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates, newKey } from './support/operations';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

interface Answer {
  user: string;
  result?: HoldDatesResult;
  code?: string;
}

/** Straight to the service, in one tick: the first finds the lane free and runs alone, the rest share the next batch. */
function holdTogether(requests: { user: string; resourceId: string; dates: string[] }[]): Promise<Answer[]> {
  return Promise.all(
    requests.map(({ user, resourceId, dates }) =>
      app.app.services.holds.holdDates({ id: user, role: 'user', suspended: false }, { resourceId, dates, idempotencyKey: newKey() }).then(
        (result): Answer => ({ user, result }),
        (error): Answer => ({ user, code: error.code as string }),
      ),
    ),
  );
}

const runs = () => app.app.services.holds.transactionStats.runs;
const typeOf = (answer: Answer) => answer.result?.__typename ?? answer.code;
const slot = (resourceId: string, date: string) =>
  app.db.collection<DateSlotDoc>('dateSlots').findOne({ resourceId: new ObjectId(resourceId), date });
const claimants = async (resourceId: string, date: string) => (await slot(resourceId, date))?.claims.map((c) => c.userId);

async function resourceWithSlots(capacity = 1) {
  const resource = await createResource(app, { capacity });
  await holdDates(app, await app.token('slot-maker'), resource.id, [dayFromToday(app, 900)]);
  return resource.id;
}

describe('when holds on different dates and resources arrive together', () => {
  it('answers them with ONE transaction, each hold with its own claims, price and key', async () => {
    const resources = await Promise.all([resourceWithSlots(), resourceWithSlots(), resourceWithSlots()]);
    const requests = Array.from({ length: 30 }, (_, i) => ({
      user: `spread-${i}`,
      resourceId: resources[i % 3],
      dates: i % 5 === 0 ? [dayFromToday(app, 100 + i), dayFromToday(app, 200 + i)] : [dayFromToday(app, 100 + i)],
    }));
    const before = runs();
    const answers = await holdTogether(requests);
    // The first runs alone; the 29 behind it share one transaction (without the engine: 30).
    expect(runs() - before).toBe(2);
    expect(answers.map(typeOf)).toEqual(requests.map(() => 'DatesHeld'));
    for (const [i, answer] of answers.entries()) {
      const hold = answer.result?.__typename === 'DatesHeld' ? answer.result.hold : undefined;
      expect(hold?.amount).toBe(12_500 * requests[i].dates.length);
      for (const date of requests[i].dates) expect(await claimants(requests[i].resourceId, date)).toEqual([requests[i].user]);
    }
    expect(await app.db.collection('idempotencyKeys').countDocuments({ scope: { $regex: /^spread-/ } })).toBe(30);
  });

  it('answers a hot date and quiet dates in the same transaction: one winner, the rest from their own failed writes', async () => {
    const resourceId = await resourceWithSlots();
    const hot = dayFromToday(app, 300);
    const requests = [
      { user: 'mixed-first', resourceId, dates: [dayFromToday(app, 301)] },
      ...Array.from({ length: 10 }, (_, i) => ({ user: `mixed-hot-${i}`, resourceId, dates: [hot] })),
      ...Array.from({ length: 10 }, (_, i) => ({ user: `mixed-quiet-${i}`, resourceId, dates: [dayFromToday(app, 310 + i)] })),
    ];
    const before = runs();
    const answers = await holdTogether(requests);
    // Reading back which claims applied lets the batch commit as it is (without it: a split, 20 more transactions).
    expect(runs() - before).toBe(2);
    expect(answers.filter((a) => a.user.startsWith('mixed-hot') && typeOf(a) === 'DatesHeld').map((a) => a.user)).toEqual(['mixed-hot-0']);
    expect(answers.filter((a) => a.user.startsWith('mixed-hot') && typeOf(a) === 'DatesUnavailable')).toHaveLength(9);
    expect(answers.filter((a) => a.user.startsWith('mixed-quiet')).map(typeOf)).toEqual(Array(10).fill('DatesHeld'));
    expect(await claimants(resourceId, hot)).toEqual(['mixed-hot-0']);
  });
});

describe('when a hold of a batch gets some of its dates but not all', () => {
  it('commits nothing of the batch and runs its holds again alone: each answer is what it would be alone', async () => {
    const resourceId = await resourceWithSlots();
    const [d1, d2, d3] = [dayFromToday(app, 400), dayFromToday(app, 401), dayFromToday(app, 402)];
    await holdTogether([{ user: 'partial-owner', resourceId, dates: [d2] }]);
    const answers = await holdTogether([
      { user: 'partial-first', resourceId, dates: [dayFromToday(app, 403)] },
      { user: 'partial-both', resourceId, dates: [d1, d2] },
      { user: 'partial-one', resourceId, dates: [d1] },
      { user: 'partial-other', resourceId, dates: [d3] },
    ]);
    // Alone, in arrival order: the two-date hold loses on d2 and claims nothing; d1 is then free for the next.
    expect(answers.map((a) => [a.user, typeOf(a)])).toEqual([
      ['partial-first', 'DatesHeld'],
      ['partial-both', 'DatesUnavailable'],
      ['partial-one', 'DatesHeld'],
      ['partial-other', 'DatesHeld'],
    ]);
    expect(answers[1].result).toEqual({ __typename: 'DatesUnavailable', dates: [d2] });
    expect(await claimants(resourceId, d1)).toEqual(['partial-one']);
    expect(await claimants(resourceId, d2)).toEqual(['partial-owner']);
    expect(await app.db.collection('holds').countDocuments({ userId: 'partial-both' })).toBe(0);
  });
});

describe("when a batch's idempotency keys are written", () => {
  it('inserts them all with ONE insertMany in the batch’s transaction', async () => {
    const resourceId = await resourceWithSlots();
    await app.db.command({ profile: 2 });
    const since = new Date();
    try {
      const answers = await holdTogether(
        Array.from({ length: 12 }, (_, i) => ({ user: `keys-${i}`, resourceId, dates: [dayFromToday(app, 500 + i)] })),
      );
      expect(answers.map(typeOf)).toEqual(Array(12).fill('DatesHeld'));
    } finally {
      await app.db.command({ profile: 0 });
    }
    const inserts = await app.db
      .collection('system.profile')
      .find({ op: 'insert', ns: `${app.db.databaseName}.idempotencyKeys`, ts: { $gte: since } })
      .toArray();
    // The lone first hold's key, then the eleven of the batch in one command.
    expect(inserts.map((op) => op.ninserted).sort((a, b) => a - b)).toEqual([1, 11]);
  });
});

describe('when more orders wait than the engine takes', () => {
  it('refuses the rest at once with a retryable SERVICE_UNAVAILABLE and Retry-After, writing nothing for them', async () => {
    const small = await startTestApp({ holdBatching: { maxConcurrent: 1, maxBatch: 2, maxWaiting: 3 } });
    try {
      const resource = await createResource(small, { capacity: 1 });
      await holdDates(small, await small.token('bound-first'), resource.id, [dayFromToday(small, 1)]);
      const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => small.token(`bound-${i}`)));
      const answers = await Promise.all(tokens.map((token, i) => holdDates(small, token, resource.id, [dayFromToday(small, 10 + i)])));
      const refused = answers.filter((a) => a.errors);
      const held = answers.filter((a) => a.data?.holdDates?.__typename === 'DatesHeld');
      expect(refused.length).toBeGreaterThan(0);
      expect(held.length + refused.length).toBe(40);
      for (const answer of refused) {
        expect(answer.status).toBe(503);
        expect(answer.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 1 });
      }
      expect(await small.db.collection('holds').countDocuments({ userId: { $regex: /^bound-\d/ } })).toBe(held.length);
      expect(await small.db.collection('idempotencyKeys').countDocuments({ scope: { $regex: /^bound-\d/ } })).toBe(held.length);
    } finally {
      await small.stop();
    }
  });

  it('keeps at most maxWaiting orders in memory, whatever arrives', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const queue = lockKeyQueue<number, number>(
      async (batch) => {
        await gate;
        for (const queued of batch) queued.resolve(queued.order);
      },
      { maxConcurrent: 1, maxBatch: 10, maxWaiting: 5 },
    );
    const settled = Promise.allSettled(Array.from({ length: 50 }, (_, i) => queue.submit(i, [`k${i}`])));
    expect(queue.waiting()).toBe(5);
    release();
    const results = await settled;
    // One ran at once (the lane was free), five waited, the rest were refused.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
    expect(new Set(results.flatMap((r) => (r.status === 'rejected' ? [r.reason.code] : [])))).toEqual(new Set(['SERVICE_UNAVAILABLE']));
  });
});
