// Proves G1 (README › Guarantees): the hot-date queue and its shortcuts.
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldDatesResult } from '../src/bookings';

interface Answer {
  id: string;
  result?: HoldDatesResult;
  code?: string;
}
import type { DateSlotDoc } from '../src/capacity';
import { horizonDates, liveClaimsOf } from '../src/capacity';
import type { IdempotencyKeyDoc } from '../src/idempotency';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates, newKey, RELEASE_HOLD } from './support/operations';
import { wsClient, wsRequest } from './support/subscriptions';

let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp({ holdTtlSeconds: 1800 });
  admin = await app.token('ops', 'admin');
});
afterAll(() => app.stop());

const holdsService = () => app.app.services.holds;
const keys = () => app.db.collection<IdempotencyKeyDoc>('idempotencyKeys');
const slotOf = (resourceId: string, date: string) =>
  app.db.collection<DateSlotDoc>('dateSlots').findOne({ resourceId: new ObjectId(resourceId), date });

/**
 * Straight to the service, in this order and in one tick: the first request finds its slot idle and
 * runs alone; every later one queues behind it, so they are answered together by one transaction.
 */
function holdInOrder(resourceId: string, date: string, users: string[]): Promise<Answer>[] {
  return users.map((id) =>
    holdsService()
      .holdDates({ id, role: 'user', suspended: false }, { resourceId, dates: [date], idempotencyKey: newKey() })
      .then(
        (result): Answer => ({ id, result }),
        (error): Answer => ({ id, code: error.code as string }),
      ),
  );
}

async function suspend(userId: string) {
  const answer = await app.gql(admin, `mutation($i: SuspendUserInput!) { suspendUser(input: $i) { suspended } }`, { i: { userId } });
  expect(answer.data.suspendUser.suspended).toBe(true);
}

const held = (answers: Answer[]) => answers.filter((a) => a.result?.__typename === 'DatesHeld');
const unavailable = (answers: Answer[]) => answers.filter((a) => a.result?.__typename === 'DatesUnavailable');

describe('when many single-date holds queue on one date of one instance', () => {
  it('answers 200 of them with far fewer transactions than requests, none retried, one winner', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const date = dayFromToday(app, 20);
    const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => app.token(`crowd-${i}`)));
    const before = { ...holdsService().transactionStats };
    const answers = await Promise.all(tokens.map((token) => holdDates(app, token, resource.id, [date])));
    const runs = holdsService().transactionStats.runs - before.runs;
    const attempts = holdsService().transactionStats.attempts - before.attempts;
    expect(answers.map((a) => a.errors)).toEqual(answers.map(() => undefined));
    expect(answers.filter((a) => a.data.holdDates.__typename === 'DatesHeld')).toHaveLength(1);
    // Without the per-slot queue every request is its own transaction (200), and they conflict.
    expect(runs).toBeLessThanOrEqual(100);
    expect(attempts).toBe(runs);
    // Every answer, losers' included, is recorded under its key.
    expect(await keys().countDocuments({ scope: { $regex: /^crowd-/ } })).toBe(200);
  });

  it('answers the queued ones in ONE transaction: claims in order until one fails, capacity 3', async () => {
    const resource = await createResource(app, { capacity: 3 });
    const date = dayFromToday(app, 21);
    const before = holdsService().transactionStats.runs;
    const answers = await Promise.all(holdInOrder(resource.id, date, ['q-0', 'q-1', 'q-2', 'q-3', 'q-4', 'q-5']));
    expect(holdsService().transactionStats.runs - before).toBe(2);
    expect(answers.map((a) => [a.id, a.result?.__typename])).toEqual([
      ['q-0', 'DatesHeld'],
      ['q-1', 'DatesHeld'],
      ['q-2', 'DatesHeld'],
      ['q-3', 'DatesUnavailable'],
      ['q-4', 'DatesUnavailable'],
      ['q-5', 'DatesUnavailable'],
    ]);
    const slot = await slotOf(resource.id, date);
    expect(slot!.claims.map((c) => c.userId)).toEqual(['q-0', 'q-1', 'q-2']);
  });
});

describe('when a date was freed just before a crowd asks for it', () => {
  it('lets exactly one of the crowd win after a release, though the crowd before it all lost', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const date = dayFromToday(app, 30);
    const first = (await holdDates(app, await app.token('early'), resource.id, [date])).data.holdDates.hold;
    const lost = await Promise.all(holdInOrder(resource.id, date, ['lose-0', 'lose-1', 'lose-2', 'lose-3']));
    expect(unavailable(lost)).toHaveLength(4);

    // Committed before the next crowd starts: no answer of theirs may come from what the last crowd saw.
    expect((await app.gql(await app.token('early'), RELEASE_HOLD, { input: { holdId: first.id } })).data.releaseHold.status).toBe(
      'RELEASED',
    );
    const answers = await Promise.all(holdInOrder(resource.id, date, ['win-0', 'win-1', 'win-2', 'win-3']));
    expect(held(answers).map((a) => a.id)).toEqual(['win-0']);
    expect(unavailable(answers)).toHaveLength(3);
  });

  it('lets exactly one of the crowd win once the hold on it has expired, with no sweeper', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const date = dayFromToday(app, 31);
    await holdDates(app, await app.token('lapsing'), resource.id, [date]);
    expect(unavailable(await Promise.all(holdInOrder(resource.id, date, ['pre-0', 'pre-1', 'pre-2'])))).toHaveLength(3);
    app.clock.advance(1800 * 1000);
    const answers = await Promise.all(holdInOrder(resource.id, date, ['post-0', 'post-1', 'post-2']));
    expect(held(answers).map((a) => a.id)).toEqual(['post-0']);
    const slot = await slotOf(resource.id, date);
    expect(liveClaimsOf(slot!, app.clock.now()).map((c) => c.userId)).toEqual(['post-0']);
  });

  it('never gives the date twice when a release races a queued crowd', async () => {
    for (let round = 0; round < 5; round++) {
      const resource = await createResource(app, { capacity: 1 });
      const date = dayFromToday(app, 40 + round);
      const owner = await app.token(`racer-owner-${round}`);
      const first = (await holdDates(app, owner, resource.id, [date])).data.holdDates.hold;
      const tokens = await Promise.all(Array.from({ length: 30 }, (_, i) => app.token(`racer-${round}-${i}`)));
      const [release, ...answers] = await Promise.all([
        app.gql(owner, RELEASE_HOLD, { input: { holdId: first.id } }),
        ...tokens.map((token) => holdDates(app, token, resource.id, [date])),
      ]);
      expect(release.data.releaseHold.status).toBe('RELEASED');
      const winners = answers.filter((a) => a.data.holdDates.__typename === 'DatesHeld');
      expect(winners.length).toBeLessThanOrEqual(1);
      const slot = await slotOf(resource.id, date);
      expect(slot!.claims.map((c) => c.holdId.toHexString())).toEqual(winners.map((w) => w.data.holdDates.hold.id));
    }
  });
});

describe('when suspended callers are in a crowd', () => {
  it('refuses them FORBIDDEN from the user read of their own request, records nothing for them, and the crowd gets one winner', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const date = dayFromToday(app, 50);
    const ids = Array.from({ length: 30 }, (_, i) => (i % 3 === 1 ? `crowd-sus-${i}` : `crowd-ok-${i}`));
    await Promise.all(ids.filter((id) => id.startsWith('crowd-sus')).map(suspend));
    const tokens = await Promise.all(ids.map((id) => app.token(id)));
    const answers = await Promise.all(tokens.map((token) => holdDates(app, token, resource.id, [date])));
    const outcome = (i: number) => answers[i].data?.holdDates.__typename ?? answers[i].errors?.[0].extensions?.code;
    expect(ids.filter((id, i) => id.startsWith('crowd-sus') && outcome(i) !== 'FORBIDDEN')).toEqual([]);
    expect(ids.filter((_, i) => outcome(i) === 'DatesHeld')).toHaveLength(1);
    expect(ids.filter((id, i) => id.startsWith('crowd-ok') && outcome(i) !== 'DatesHeld' && outcome(i) !== 'DatesUnavailable')).toEqual([]);
    expect(await keys().countDocuments({ scope: { $regex: /^crowd-sus-/ } })).toBe(0);
    const slot = await slotOf(resource.id, date);
    expect(slot!.claims.map((c) => c.userId)).toEqual([ids.find((_, i) => outcome(i) === 'DatesHeld')]);
  });

  it('refuses a hold over a WebSocket connection opened before the suspension: each mutation reads the caller again', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const date = dayFromToday(app, 51);
    const client = wsClient(app, await app.token('ws-suspended'), { lazy: false });
    try {
      const HOLD = `mutation($input: HoldDatesInput!) { holdDates(input: $input) { __typename } }`;
      const me = await wsRequest(client, '{ me { id suspended } }');
      expect(me.data.me).toEqual({ id: 'ws-suspended', suspended: false });
      await suspend('ws-suspended');
      const refused = await wsRequest(client, HOLD, { input: { resourceId: resource.id, dates: [date], idempotencyKey: newKey() } });
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(await keys().countDocuments({ scope: 'ws-suspended:holdDates' })).toBe(0);
      expect((await slotOf(resource.id, date))!.claims).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('writes nothing for a suspended caller on a resource nobody has held yet, and the others hold it', async () => {
    const date = dayFromToday(app, 52);
    await suspend('fresh-sus');
    const slots = app.db.collection<DateSlotDoc>('dateSlots');
    const untouched = await createResource(app, { capacity: 1 });
    const resourceId = new ObjectId(untouched.id);
    // Its slots were made with it: the hold path has nothing to create, so nothing to write first.
    const horizon = horizonDates(app.clock.now()).length;
    expect(await slots.countDocuments({ resourceId })).toBe(horizon);
    const refused = await holdDates(app, await app.token('fresh-sus'), untouched.id, [date]);
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await keys().countDocuments({ scope: 'fresh-sus:holdDates' })).toBe(0);
    expect(await slots.countDocuments({ resourceId })).toBe(horizon);
    expect(await slots.countDocuments({ resourceId, version: { $ne: 0 } })).toBe(0);

    const [sus, ok] = await Promise.all([
      holdDates(app, await app.token('fresh-sus'), untouched.id, [date]),
      holdDates(app, await app.token('fresh-ok'), untouched.id, [date]),
    ]);
    expect(sus.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(ok.data.holdDates.__typename).toBe('DatesHeld');
    expect(await keys().countDocuments({ scope: 'fresh-sus:holdDates' })).toBe(0);
    expect((await slotOf(untouched.id, date))?.claims.map((c) => c.userId)).toEqual(['fresh-ok']);
    expect(await slots.countDocuments({ resourceId })).toBe(horizon);
  });
});

describe('when a retry of a completed hold lands in a queued crowd', () => {
  it('replays its own answer and the crowd is answered as if it were not there', async () => {
    const resource = await createResource(app, { capacity: 3 });
    const date = dayFromToday(app, 60);
    const key = newKey();
    const input = { resourceId: resource.id, dates: [date], idempotencyKey: key };
    const original = await holdsService().holdDates({ id: 'retrier', role: 'user', suspended: false }, input);
    expect(original.__typename).toBe('DatesHeld');

    // The filler runs alone and takes the second unit; the retry heads the queued batch and its
    // claim takes the third, until its key (already recorded) collides and takes it out of the batch.
    const filler = holdInOrder(resource.id, date, ['filler']);
    const retry = holdsService().holdDates({ id: 'retrier', role: 'user', suspended: false }, input);
    const crowd = holdInOrder(resource.id, date, ['late-0', 'late-1', 'late-2']);
    const [fillerAnswer, ...crowdAnswers] = await Promise.all([...filler, ...crowd]);
    expect(await retry).toEqual(original);
    expect(fillerAnswer.result?.__typename).toBe('DatesHeld');
    expect(crowdAnswers.map((a) => [a.id, a.result?.__typename])).toEqual([
      ['late-0', 'DatesHeld'],
      ['late-1', 'DatesUnavailable'],
      ['late-2', 'DatesUnavailable'],
    ]);
    const slot = await slotOf(resource.id, date);
    expect(slot!.claims.map((c) => c.userId)).toEqual(['retrier', 'filler', 'late-0']);
    expect(await app.db.collection('holds').countDocuments({ userId: 'retrier' })).toBe(1);
  });

  it('keeps two requests with one key out of one transaction: one hold, both answered with it', async () => {
    const resource = await createResource(app, { capacity: 5 });
    const date = dayFromToday(app, 61);
    const input = { resourceId: resource.id, dates: [date], idempotencyKey: newKey() };
    const caller = { id: 'twin', role: 'user' as const, suspended: false };
    const [, a, b] = await Promise.all([
      ...holdInOrder(resource.id, date, ['twin-filler']),
      holdsService().holdDates(caller, input),
      holdsService().holdDates(caller, input),
    ]);
    expect(a).toEqual(b);
    expect(await app.db.collection('holds').countDocuments({ userId: 'twin' })).toBe(1);
  });
});
