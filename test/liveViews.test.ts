// Proves G20 and G21 (README › Guarantees).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAGMENT_AT } from '../src/graphql';
import { startTestApp, type TestApp } from './support/app';
import { authorize, deposit, openAccount, transfer } from './support/ledger';
import { createResource, dayFromToday, holdDates } from './support/operations';
import { ACCOUNT_UPDATES, AVAILABILITY_UPDATES, subscribeTo, until, wsClient } from './support/subscriptions';

interface DateView {
  id: string;
  resourceId: string;
  date: string;
  status: string;
  version: number;
}
interface AvailabilityUpdate {
  cursor: string;
  reset: boolean;
  dates: DateView[];
}
interface AccountUpdate {
  cursor: string;
  reset: boolean;
  account: { id: string; balance: number; reserved: number; available: number };
  entries: { kind: string; amount: number }[];
}

let app: TestApp;
let other: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // A second instance on the same database: its own change stream, its own history.
  other = await startTestApp({ sharing: { db: app.db, jwtSecret: app.jwtSecret, webhookSecret: app.webhookSecret, clock: app.clock } });
});
afterAll(async () => {
  await other?.stop();
  await app?.stop();
});

const range = (first: number, count: number) => Array.from({ length: count }, (_, i) => dayFromToday(app, first + i));

function watch(target: TestApp, token: string, variables: Record<string, unknown>) {
  const client = wsClient(target, token);
  return { client, ...subscribeTo<AvailabilityUpdate>(client, AVAILABILITY_UPDATES, variables) };
}

describe('availabilityUpdates', () => {
  it('starts with the range’s state (reset), then sends a five-date hold as ONE message', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = range(10, 10);
    const viewer = await app.token('viewer');
    const live = watch(app, viewer, { resourceId: resource.id, from: dates[0], to: dates[9] });
    try {
      const [reset] = await live.waitForCount(1);
      expect(reset.reset).toBe(true);
      expect(reset.dates.map((d) => d.date)).toEqual(dates);
      expect(reset.dates[0]).toMatchObject({ id: `${resource.id}:${dates[0]}`, resourceId: resource.id, status: 'AVAILABLE' });
      const held = await holdDates(app, await app.token('booker'), resource.id, dates.slice(2, 7));
      expect(held.data.holdDates.__typename).toBe('DatesHeld');
      const [, update] = await live.waitForCount(2);
      expect(update.reset).toBe(false);
      expect(update.dates.map((d) => [d.date, d.status])).toEqual(dates.slice(2, 7).map((date) => [date, 'HELD']));
      expect(update.cursor > reset.cursor).toBe(true);
      // Nothing else arrives for that one transaction.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(live.messages).toHaveLength(2);
    } finally {
      await live.client.dispose();
    }
  });

  it('sends only the part of a transaction inside the range, and nothing for a transaction outside it', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = range(30, 6);
    const viewer = await app.token('viewer');
    const live = watch(app, viewer, { resourceId: resource.id, from: dates[0], to: dates[2] });
    try {
      await live.waitForCount(1);
      const booker = await app.token('booker');
      await holdDates(app, booker, resource.id, dates.slice(4, 6));
      await holdDates(app, booker, resource.id, dates.slice(1, 4));
      const [, update] = await live.waitForCount(2);
      expect(update.dates.map((d) => d.date)).toEqual(dates.slice(1, 3));
    } finally {
      await live.client.dispose();
    }
  });

  it('40 calendars of a whole year opening at once: each starts with all 366 dates in one message (sent in fragments), then the same hold', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const [from, to] = [dayFromToday(app, 1), dayFromToday(app, 366)];
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => app.token(`year-viewer-${i}`)));
    const views = tokens.map((token) => watch(app, token, { resourceId: resource.id, from, to }));
    try {
      const resets = await Promise.all(views.map(async (view) => (await view.waitForCount(1))[0]));
      for (const reset of resets) {
        expect(reset.reset).toBe(true);
        expect(reset.dates).toHaveLength(366);
        expect(reset.dates[365]).toMatchObject({ date: to, status: 'AVAILABLE' });
      }
      // Past FRAGMENT_AT characters, so each went out as one message in three frames around one shared buffer.
      expect(JSON.stringify({ data: { availabilityUpdates: resets[0] } }).length).toBeGreaterThan(FRAGMENT_AT);
      const held = await holdDates(app, await app.token('booker'), resource.id, [dayFromToday(app, 20)]);
      expect(held.data.holdDates.__typename).toBe('DatesHeld');
      const updates = await Promise.all(views.map(async (view) => (await view.waitForCount(2))[1]));
      expect(new Set(updates.map((update) => update.cursor)).size).toBe(1);
      for (const [i, update] of updates.entries()) {
        expect(update.cursor > resets[i].cursor).toBe(true);
        expect(update.dates.map((d) => [d.date, d.status])).toEqual([[dayFromToday(app, 20), 'HELD']]);
      }
    } finally {
      await Promise.all(views.map((view) => view.client.dispose()));
    }
  });

  it('resumes after a disconnect from its cursor: every missed transaction once, in order, no reset — on either instance', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = range(50, 8);
    const viewer = await app.token('viewer');
    const first = watch(app, viewer, { resourceId: resource.id, from: dates[0], to: dates[7] });
    const [reset] = await first.waitForCount(1);
    await first.client.dispose();
    const booker = await app.token('booker');
    for (const date of dates.slice(0, 4)) await holdDates(app, booker, resource.id, [date]);
    let missed = 4;
    for (const target of [app, other]) {
      const resumed = watch(target, viewer, { resourceId: resource.id, from: dates[0], to: dates[7], after: reset.cursor });
      try {
        const messages = await resumed.waitForCount(missed);
        expect(messages.map((m) => m.reset)).toEqual(Array(missed).fill(false));
        expect(messages.map((m) => m.dates.map((d) => d.date))).toEqual(dates.slice(0, missed).map((date) => [date]));
        expect([...messages.map((m) => m.cursor)].sort()).toEqual(messages.map((m) => m.cursor));
        // Then live.
        await holdDates(app, booker, resource.id, [dates[missed]]);
        const live = (await resumed.waitForCount(missed + 1))[missed];
        expect(live.dates.map((d) => d.date)).toEqual([dates[missed]]);
        missed += 1;
      } finally {
        await resumed.client.dispose();
      }
    }
  });

  it('a 5 s disconnect under a steady stream of holds: resumed with 0 gaps, 0 duplicates and no reset', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = range(100, 200);
    const [from, to] = [dates[0], dates[dates.length - 1]];
    const viewer = await app.token('steady-viewer');
    const steady = watch(app, viewer, { resourceId: resource.id, from, to });
    const leaving = watch(app, viewer, { resourceId: resource.id, from, to });
    const booker = await app.token('steady-booker');
    // Both start from their reset before the first hold, so both see every hold as its own message.
    await steady.waitForCount(1);
    await leaving.waitForCount(1);
    let stop = false;
    let held = 0;
    const stream = (async () => {
      for (const date of dates) {
        if (stop) break;
        await holdDates(app, booker, resource.id, [date]);
        held += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      await until(() => held >= 10, '10 holds made');
      await leaving.client.dispose();
      // What the client had when it left (a frame already in flight may still be handed to it; it resumes after this).
      const kept = leaving.messages.slice();
      const last = kept[kept.length - 1].cursor;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const back = watch(app, viewer, { resourceId: resource.id, from, to, after: last });
      await until(() => held >= 40 + kept.length, 'more holds made after the return', 20_000);
      stop = true;
      await stream;
      const total = held + 1;
      await steady.waitForCount(total, 20_000);
      await back.waitForCount(total - kept.length, 20_000);
      const seen = [...kept, ...back.messages];
      // Exactly what the subscriber that never left saw: every commit once, in order, and no second reset.
      expect(seen.map((m) => m.cursor)).toEqual(steady.messages.map((m) => m.cursor));
      expect(seen.filter((m) => m.reset)).toHaveLength(1);
      expect(new Set(seen.map((m) => m.cursor)).size).toBe(seen.length);
      await back.client.dispose();
    } finally {
      stop = true;
      await stream;
      await steady.client.dispose();
    }
  }, 60_000);

  it('answers a cursor older than the history with one reset holding the current state, never an error or a gap', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = range(70, 3);
    await holdDates(app, await app.token('booker'), resource.id, [dates[1]]);
    const live = watch(app, await app.token('viewer'), {
      resourceId: resource.id,
      from: dates[0],
      to: dates[2],
      after: '0000000100000000',
    });
    try {
      const [reset] = await live.waitForCount(1);
      expect(reset.reset).toBe(true);
      expect(reset.dates.map((d) => d.status)).toEqual(['AVAILABLE', 'HELD', 'AVAILABLE']);
    } finally {
      await live.client.dispose();
    }
  });

  it('applies the checks of every subscription: a token, the range limit, a known resource', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const anonymous = watch(app, '', { resourceId: resource.id, from: dayFromToday(app, 1), to: dayFromToday(app, 2) });
    const tooLong = watch(app, await app.token('viewer'), {
      resourceId: resource.id,
      from: dayFromToday(app, 1),
      to: dayFromToday(app, 400),
    });
    const unknown = watch(app, await app.token('viewer'), {
      resourceId: '0123456789abcdef01234567',
      from: dayFromToday(app, 1),
      to: dayFromToday(app, 2),
    });
    try {
      expect((await anonymous.ended)[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      expect((await tooLong.ended)[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect((await unknown.ended)[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    } finally {
      await Promise.all([anonymous.client.dispose(), tooLong.client.dispose(), unknown.client.dispose()]);
    }
  });

  it('refuses a malformed cursor as BAD_USER_INPUT', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = range(80, 2);
    const live = watch(app, await app.token('viewer'), { resourceId: resource.id, from: dates[0], to: dates[1], after: 'not-a-cursor' });
    try {
      const errors = await live.ended;
      expect(errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    } finally {
      await live.client.dispose();
    }
  });
});

describe('accountUpdates', () => {
  it('starts with the account, then sends each transaction’s balance, reserved and entries as one message', async () => {
    const owner = await app.token('live-owner');
    const payer = await app.token('live-payer');
    const [mine, theirs] = [await openAccount(app, owner), await openAccount(app, payer)];
    await deposit(app, theirs, 1_000);
    await deposit(app, mine, 100);
    const client = wsClient(app, owner);
    const live = subscribeTo<AccountUpdate>(client, ACCOUNT_UPDATES, { accountId: mine });
    try {
      const [reset] = await live.waitForCount(1);
      expect(reset).toMatchObject({ reset: true, account: { id: mine, balance: 100 }, entries: [] });
      await transfer(app, payer, theirs, mine, 250);
      const [, received] = await live.waitForCount(2);
      expect(received).toMatchObject({
        reset: false,
        account: { balance: 350, available: 350 },
        entries: [{ kind: 'TRANSFER_CREDIT', amount: 250 }],
      });
      await authorize(app, owner, { fromAccountId: mine, toAccountId: theirs, amount: 50 });
      const [, , reserved] = await live.waitForCount(3);
      expect(reserved).toMatchObject({ account: { balance: 350, reserved: 50, available: 300 }, entries: [] });
    } finally {
      await client.dispose();
    }
  });

  it('refuses someone else’s account exactly like a missing one', async () => {
    const owner = await app.token('private-owner');
    const account = await openAccount(app, owner);
    const client = wsClient(app, await app.token('nosy'));
    try {
      const theirs = await subscribeTo(client, ACCOUNT_UPDATES, { accountId: account }).ended;
      const missing = await subscribeTo(client, ACCOUNT_UPDATES, { accountId: '0123456789abcdef01234567' }).ended;
      expect(theirs[0].extensions?.code).toBe('NOT_FOUND');
      const answer = (errors: typeof theirs) => errors.map((e) => [e.message, e.extensions?.code]);
      expect(answer(missing)).toEqual(answer(theirs));
    } finally {
      await client.dispose();
    }
  });

  it('resumes from a cursor with the transactions missed meanwhile', async () => {
    const owner = await app.token('resume-owner');
    const account = await openAccount(app, owner);
    const client = wsClient(app, owner);
    const first = subscribeTo<AccountUpdate>(client, ACCOUNT_UPDATES, { accountId: account });
    const [reset] = await first.waitForCount(1);
    await client.dispose();
    await deposit(app, account, 10);
    await deposit(app, account, 20);
    const again = wsClient(other, owner);
    const resumed = subscribeTo<AccountUpdate>(again, ACCOUNT_UPDATES, { accountId: account, after: reset.cursor });
    try {
      const messages = await resumed.waitForCount(2);
      expect(messages.map((m) => [m.reset, m.account.balance, m.entries.map((e) => e.amount)])).toEqual([
        [false, 10, [10]],
        [false, 30, [20]],
      ]);
      await until(() => resumed.messages.length === 2, 'no third message');
    } finally {
      await again.dispose();
    }
  });
});
