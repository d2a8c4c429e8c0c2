import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { holdDates, listMyBookings, listResources, startCheckout, walkthrough } from '../examples/booking';
import { type Api, connect } from '../examples/client';
import { type CalendarUpdate, liveCalendar } from '../examples/liveCalendar';
import {
  backoffDelay,
  describeTransfer,
  type RetryNotice,
  type RetryOptions,
  type TransferRequest,
  TransferError,
  transferWithRetry,
} from '../examples/transfer';
import { DEFAULT_LEASE_MS, type IdempotencyHooks } from '../src/idempotency';
import { startTestApp, type TestApp } from './support/app';
import { type FlakyProxy, startFlakyProxy } from './support/flakyProxy';
import { ACCOUNT, deposit, ledgerCheck, openAccount } from './support/ledger';
import { createResource, dayFromToday, holdDates as holdThroughApi, RELEASE_HOLD } from './support/operations';
import { startOutageProxy } from './support/outageProxy';
import { checkoutEvent, deliver } from './support/payments';
import { until } from './support/subscriptions';

/** The next transfer request stalls right before its work (its key is written with it), until released: a slow server. */
let stall: { armed: boolean; claimed: boolean; release: () => void; released: Promise<void> } | undefined;
const hooks: IdempotencyHooks = {
  afterKeyTaken: async (scope) => {
    if (!stall?.armed || !scope.endsWith(':transfer')) return;
    stall.armed = false;
    stall.claimed = true;
    await stall.released;
  },
};

function armStall() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  stall = { armed: true, claimed: false, release, released };
  return stall;
}

let app: TestApp;
let proxy: FlakyProxy;
beforeAll(async () => {
  app = await startTestApp({ idempotencyHooks: hooks });
  proxy = await startFlakyProxy(app.url);
});
afterAll(async () => {
  stall?.release();
  await proxy?.stop();
  await app?.stop();
});

/** The examples reach the app through the proxy, so a test can break the network and count requests. */
async function api(userId: string, role: 'user' | 'admin' = 'user'): Promise<Api> {
  return { endpoint: `${proxy.url}/graphql`, token: await app.token(userId, role) };
}

describe('the booking example', () => {
  it('lists resources, holds a date, loses it to nobody, checks out and lists the paid booking', async () => {
    const resource = await createResource(app, { name: 'Example cabin' });
    const date = dayFromToday(app, 40);
    const alice = await api('example-alice');
    const bob = await api('example-bob');

    expect((await listResources(alice)).map((r) => r.id)).toContain(resource.id);

    const held = await holdDates(alice, { resourceId: resource.id, dates: [date] });
    if (held.kind !== 'held') throw new Error(`expected a hold, got ${JSON.stringify(held)}`);
    expect(held.hold).toMatchObject({ resourceId: resource.id, dates: [date], status: 'HELD', amount: 12_500, currency: 'EUR' });

    // A second client asks for the same date: an answer, not an error, naming the taken date.
    expect(await holdDates(bob, { resourceId: resource.id, dates: [date] })).toEqual({ kind: 'unavailable', dates: [date] });

    const checkout = await startCheckout(alice, held.hold.id);
    if (checkout.kind !== 'started') throw new Error(`expected a checkout, got ${JSON.stringify(checkout)}`);
    expect(checkout.checkoutUrl).toMatch(/^https?:\/\//);
    expect(await startCheckout(bob, held.hold.id)).toEqual({ kind: 'not-found', holdId: held.hold.id });

    // Stripe reports the payment (signed as Stripe signs); the booking appears in the list.
    const paid = checkoutEvent('checkout.session.completed', { holdId: held.hold.id, sessionId: checkout.checkoutSessionId });
    expect((await deliver(app, paid)).status).toBe(200);
    const bookings = await listMyBookings(alice);
    expect(bookings).toHaveLength(1);
    expect(bookings[0]).toMatchObject({
      holdId: held.hold.id,
      resourceId: resource.id,
      dates: [date],
      status: 'CONFIRMED',
      refundStatus: null,
    });
    expect(await listMyBookings(bob)).toEqual([]);
  });

  it('runs as a script (`npx tsx examples/booking.ts`) with API_URL and TOKEN, and the walkthrough reports a taken date', async () => {
    const resource = await createResource(app, { name: 'Script cabin' });
    const date = dayFromToday(app, 41);
    const script = fileURLToPath(new URL('../examples/booking.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, API_URL: `${app.url}/graphql`, TOKEN: await app.token('script-user'), RESOURCE_ID: resource.id, DATE: date },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`held Script cabin on ${date} for 125.00 EUR`);
    expect(stdout).toMatch(/pay before \S+ at https?:\/\//);

    // The same walkthrough for someone else, in-process: the date is taken.
    const lines: string[] = [];
    const outcome = await walkthrough({ api: await api('script-rival'), resourceId: resource.id, date, log: (line) => lines.push(line) });
    expect(outcome).toEqual({ kind: 'unavailable', dates: [date] });
    expect(lines).toContain(`Script cabin on ${date}: taken, nothing held`);
  });
});

describe('the live calendar example', () => {
  const statuses = (calendar: ReturnType<typeof liveCalendar>) => [...calendar.current().values()].map((d) => [d.date, d.status]);
  const datesOf = (update: CalendarUpdate) => [update.reset, update.dates.map((d) => d.date)];

  it('starts from the range’s state, applies a hold as one change, and after a dropped connection resumes from its cursor: no reset, nothing missed', async () => {
    const resource = await createResource(app, { name: 'Live cabin' });
    const dates = Array.from({ length: 5 }, (_, i) => dayFromToday(app, 60 + i));
    const booker = await app.token('calendar-booker');
    // The calendar reaches the app through a TCP pass-through the test can cut.
    const network = await startOutageProxy(app.url);
    const calendar = liveCalendar({
      api: { endpoint: `${network.url}/graphql`, token: await app.token('calendar-viewer') },
      resourceId: resource.id,
      from: dates[0],
      to: dates[4],
      retryWait: () => sleep(20),
    });
    const updates: CalendarUpdate[] = [];
    calendar.onChange((update) => updates.push(update));
    try {
      await calendar.start();
      expect(updates.map(datesOf)).toEqual([[true, dates]]);
      expect([...calendar.current().keys()]).toEqual(dates.map((date) => `${resource.id}:${date}`));
      expect(statuses(calendar)).toEqual(dates.map((date) => [date, 'AVAILABLE']));

      await holdThroughApi(app, booker, resource.id, dates.slice(1, 3));
      await until(() => updates.length === 2, 'the hold arrives');
      expect(datesOf(updates[1])).toEqual([false, dates.slice(1, 3)]);
      expect(calendar.cursor()).toBe(updates[1].cursor);

      // The connection drops; two transactions commit while the calendar cannot hear them.
      network.down();
      await holdThroughApi(app, booker, resource.id, [dates[3]]);
      const last = await holdThroughApi(app, booker, resource.id, [dates[4]]);
      network.up();
      // Subscribed again as first sent (no cursor), it would get a reset here instead.
      await until(() => updates.length >= 4, 'the missed holds arrive after the reconnection');
      expect(updates.slice(2).map(datesOf)).toEqual([
        [false, [dates[3]]],
        [false, [dates[4]]],
      ]);
      expect(statuses(calendar)).toEqual(dates.map((date, i) => [date, i === 0 ? 'AVAILABLE' : 'HELD']));

      // Still live after the resume, on the new connection.
      const released = await app.gql(booker, RELEASE_HOLD, { input: { holdId: last.data.holdDates.hold.id } });
      expect(released.data?.releaseHold.status).toBe('RELEASED');
      await until(() => updates.length === 5, 'the release arrives');
      expect(datesOf(updates[4])).toEqual([false, [dates[4]]]);
      expect(calendar.current().get(`${resource.id}:${dates[4]}`)?.status).toBe('AVAILABLE');
    } finally {
      await calendar.stop();
      await network.stop();
    }
  });

  it('started with `after` from a stopped calendar, gets what it missed without a reset; a refused range rejects start', async () => {
    const resource = await createResource(app, { name: 'Resumed cabin' });
    const dates = Array.from({ length: 3 }, (_, i) => dayFromToday(app, 70 + i));
    const viewer = { endpoint: `${app.url}/graphql`, token: await app.token('calendar-viewer') };
    const range = { api: viewer, resourceId: resource.id, from: dates[0], to: dates[2] };
    const first = liveCalendar(range);
    await first.start();
    await first.stop();
    await holdThroughApi(app, await app.token('calendar-booker'), resource.id, [dates[1]]);

    const resumed = liveCalendar({ ...range, after: first.cursor() });
    const updates: CalendarUpdate[] = [];
    resumed.onChange((update) => updates.push(update));
    try {
      await resumed.start();
      await until(() => updates.length === 1, 'the missed hold arrives');
      expect(updates.map(datesOf)).toEqual([[false, [dates[1]]]]);
      expect([...resumed.current().values()].map((d) => d.status)).toEqual(['HELD']);
    } finally {
      await resumed.stop();
    }

    const backwards = liveCalendar({ ...range, from: dates[2], to: dates[0] });
    await expect(backwards.start()).rejects.toThrow(/^BAD_USER_INPUT: /);
    await backwards.stop();
  });

  it('runs as a script (`npx tsx examples/liveCalendar.ts`): prints the range and each change, and on Ctrl-C the cursor to go on from', async () => {
    const resource = await createResource(app, { name: 'Script calendar' });
    const [from, to] = [dayFromToday(app, 80), dayFromToday(app, 82)];
    const script = fileURLToPath(new URL('../examples/liveCalendar.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: {
        ...process.env,
        API_URL: `${app.url}/graphql`,
        TOKEN: await app.token('script-viewer'),
        RESOURCE_ID: resource.id,
        FROM: from,
        TO: to,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // 'close', not 'exit': the last line is read once stdout has closed.
    const exited = once(child, 'close');
    try {
      // Output comes in chunks: wait for the block's last line, then read the whole block.
      const range = new RegExp(`3 dates from ${from} to ${to}:\\n(.*\\n){2}\\s+${to}\\s+AVAILABLE\\s+1 left\\n`);
      await until(() => range.test(stdout) || child.exitCode !== null, 'the script prints the range', 20_000);
      expect(stdout).toMatch(new RegExp(`${from}\\s+AVAILABLE\\s+1 left`));
      await holdThroughApi(app, await app.token('script-booker'), resource.id, [to]);
      const change = new RegExp(`changed:\\n\\s+${to}\\s+HELD\\s+0 left\\n`);
      await until(() => change.test(stdout) || child.exitCode !== null, 'the script prints the hold');
      expect(stdout).toMatch(change);
    } finally {
      child.kill('SIGINT');
    }
    const [code] = await exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/stopped; go on from here with AFTER=\S+/);
  });
});

describe('the transfer example', () => {
  const fast: RetryOptions = { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 100 };
  let from: string;
  let to: string;
  let client: ReturnType<typeof connect>;
  const retries: RetryNotice[] = [];
  const options = (more: Partial<RetryOptions> = {}): RetryOptions => ({ ...fast, onRetry: (r) => retries.push(r), ...more });

  beforeAll(async () => {
    from = await openAccount(app, await app.token('example-payer'));
    to = await openAccount(app, await app.token('example-payee'));
    await deposit(app, from, 100_000);
    client = connect(await api('example-payer'));
  });
  beforeEach(() => {
    proxy.reset();
    retries.length = 0;
  });

  const balance = async (id: string): Promise<number> =>
    (await app.gql(await app.token('auditor', 'admin'), ACCOUNT, { id })).data.account.balance;
  const transfersOf = (amount: number) => app.db.collection('transfers').countDocuments({ fromAccountId: new ObjectId(from), amount });
  const request = (amount: number): TransferRequest => ({ fromAccountId: from, toAccountId: to, amount, memo: 'example' });

  /** Runs a transfer (and `meanwhile`, while it runs) and checks that the money moved exactly once, whatever the attempts. */
  async function movesOnce(amount: number, run: () => ReturnType<typeof transferWithRetry>, meanwhile?: () => Promise<void>) {
    const [fromBefore, toBefore] = [await balance(from), await balance(to)];
    const pending = run();
    await meanwhile?.();
    const result = await pending;
    expect(result.outcome.__typename).toBe('TransferCompleted');
    expect(await balance(from)).toBe(fromBefore - amount);
    expect(await balance(to)).toBe(toBefore + amount);
    expect(await transfersOf(amount)).toBe(1);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
    // Every attempt carried the one key made for this transfer.
    expect(proxy.seen.map((r) => r.idempotencyKey)).toEqual(proxy.seen.map(() => result.idempotencyKey));
    expect(result.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    return result;
  }

  it('completes in one attempt when nothing goes wrong', async () => {
    const result = await movesOnce(1_001, () => transferWithRetry(client, request(1_001), options()));
    expect(result.attempts).toBe(1);
    expect(describeTransfer(result.outcome)).toMatch(/^moved 1001 EUR from /);
    expect(proxy.seen).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('after the answer is lost on the way back, retries with the same key and gets the stored result: the money moved once', async () => {
    proxy.inject('drop-answer');
    const result = await movesOnce(1_002, () => transferWithRetry(client, request(1_002), options()));
    expect(result.attempts).toBe(2);
    expect(proxy.seen).toHaveLength(2);
    // The server ran the first attempt and answered it; the client never got that answer.
    const [lost, retried] = proxy.seen;
    expect(lost).toMatchObject({ fault: 'drop-answer', clientGone: true, upstream: { status: 200 } });
    const firstAnswer = JSON.parse(lost.upstream!.body).data.transfer;
    expect(firstAnswer.__typename).toBe('TransferCompleted');
    // The retry is answered with the stored result: the same transfer, not a second one.
    expect(retried.fault).toBe('pass');
    if (result.outcome.__typename !== 'TransferCompleted') throw new Error('unreachable');
    expect(result.outcome.transfer.id).toBe(firstAnswer.transfer.id);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, idempotencyKey: result.idempotencyKey });
    expect(retries[0].reason).toMatch(/^network error/);
  });

  it('retries a 503 without a GraphQL body (a load balancer answering) with backoff', async () => {
    proxy.inject('503', '503');
    const result = await movesOnce(1_003, () => transferWithRetry(client, request(1_003), options()));
    expect(result.attempts).toBe(3);
    expect(proxy.seen.map((r) => r.fault)).toEqual(['503', '503', 'pass']);
    expect(proxy.seen.slice(0, 2).every((r) => r.upstream === undefined)).toBe(true);
    expect(retries.map((r) => r.reason)).toEqual(['HTTP 503 without a GraphQL body', 'HTTP 503 without a GraphQL body']);
    // Equal jitter: the n-th wait lies in the upper half of min(cap, base · 2^(n−1)).
    expect(retries[0].delayMs).toBeGreaterThanOrEqual(10);
    expect(retries[0].delayMs).toBeLessThanOrEqual(20);
    expect(retries[1].delayMs).toBeGreaterThanOrEqual(20);
    expect(retries[1].delayMs).toBeLessThanOrEqual(40);
  });

  it('on a slow server: times the attempt out and retries at once; the money moves once, whichever attempt ran it', async () => {
    const slow = armStall();
    const result = await movesOnce(
      1_004,
      () => transferWithRetry(client, request(1_004), options({ maxAttempts: 100, attemptTimeoutMs: 300 })),
      async () => {
        // A transfer's key is written with its effect: the retry runs while the first attempt still
        // waits, and the first, released, finds the key recorded and answers the same transfer.
        for (let i = 0; i < 200 && !proxy.seen.some((r) => r.upstream?.body.includes('TransferCompleted')); i += 1) await sleep(50);
        slow.release();
      },
    );
    expect(slow.claimed).toBe(true);
    expect(retries[0].reason).toMatch(/^network error/);
    expect(proxy.seen[0]).toMatchObject({ clientGone: true });
    expect(result.attempts).toBe(proxy.seen.length);
  });

  it('is told IDEMPOTENCY_KEY_IN_USE while its key is held in progress, retries, and gets its result once the key is free', async () => {
    // A key left in progress by a claim-first request (an older instance that died mid-request):
    // IN_USE until its lease ends, then the retry takes it over and moves the money.
    const idempotencyKey = randomUUID();
    const now = app.clock.now();
    const input = { amount: 1_006, fromAccountId: from, memo: 'example', toAccountId: to };
    await app.db.collection('idempotencyKeys').insertOne({
      scope: 'example-payer:transfer',
      key: idempotencyKey,
      requestHash: createHash('sha256').update(JSON.stringify(input)).digest('hex'),
      state: 'in_progress',
      owner: 'a-dead-instance',
      lockedUntil: new Date(now.getTime() + DEFAULT_LEASE_MS),
      createdAt: now,
      expiresAt: new Date(now.getTime() + 24 * 3600_000),
    });
    const result = await movesOnce(
      1_006,
      () => transferWithRetry(client, request(1_006), options({ maxAttempts: 100, idempotencyKey })),
      async () => {
        for (let i = 0; i < 200 && !proxy.seen.some((r) => r.upstream?.body.includes('IDEMPOTENCY_KEY_IN_USE')); i += 1) await sleep(50);
        app.clock.advance(DEFAULT_LEASE_MS);
      },
    );
    expect(retries.some((r) => r.reason.startsWith('IDEMPOTENCY_KEY_IN_USE'))).toBe(true);
    expect(result.attempts).toBe(proxy.seen.length);
  });

  it('returns InsufficientFunds at once and never retries it', async () => {
    const before = await balance(from);
    const result = await transferWithRetry(client, request(before + 1), options());
    expect(result.outcome).toEqual({ __typename: 'InsufficientFunds', accountId: from, requested: before + 1 });
    expect(result.attempts).toBe(1);
    expect(proxy.seen).toHaveLength(1);
    expect(retries).toEqual([]);
    expect(await balance(from)).toBe(before);
  });

  it('does not retry BAD_USER_INPUT (a transfer to the same account): it fails at once, outcome known', async () => {
    const error = await transferWithRetry(client, { fromAccountId: from, toAccountId: from, amount: 5 }, options()).catch(
      (e: unknown) => e,
    );
    if (!(error instanceof TransferError)) throw error;
    expect(error.details).toMatchObject({ code: 'BAD_USER_INPUT', attempts: 1, outcomeUnknown: false });
    expect(proxy.seen).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('gives up after maxAttempts with the outcome unknown; resuming with the same key replays it, the money moved once', async () => {
    const [fromBefore, toBefore] = [await balance(from), await balance(to)];
    proxy.inject('drop-answer', '503', '503');
    const error = await transferWithRetry(client, request(1_005), options({ maxAttempts: 3 })).catch((e: unknown) => e);
    if (!(error instanceof TransferError)) throw error;
    expect(error.details).toMatchObject({ attempts: 3, outcomeUnknown: true });
    expect(proxy.seen.map((r) => r.fault)).toEqual(['drop-answer', '503', '503']);
    // The first attempt did run: resuming with its key replays it instead of moving the money again.
    const resumed = await transferWithRetry(client, request(1_005), options({ idempotencyKey: error.details.idempotencyKey }));
    expect(resumed).toMatchObject({
      attempts: 1,
      idempotencyKey: error.details.idempotencyKey,
      outcome: { __typename: 'TransferCompleted' },
    });
    expect(proxy.seen.map((r) => r.idempotencyKey)).toEqual(Array(4).fill(error.details.idempotencyKey));
    expect(await balance(from)).toBe(fromBefore - 1_005);
    expect(await balance(to)).toBe(toBefore + 1_005);
    expect(await transfersOf(1_005)).toBe(1);
  });
});

describe('backoffDelay', () => {
  const limits = { baseDelayMs: 100, maxDelayMs: 1_000 };
  it('doubles from the base, stays in the upper half of each step, and is capped', () => {
    expect([1, 2, 3, 4, 5, 6, 60].map((n) => backoffDelay(n, limits, () => 0))).toEqual([50, 100, 200, 400, 500, 500, 500]);
    expect([1, 2, 3, 4, 5, 6, 60].map((n) => backoffDelay(n, limits, () => 0.999_999))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });
  it('waits at least what the server asks (retryAfterSeconds), up to the cap', () => {
    expect(backoffDelay(1, limits, () => 0, 700)).toBe(700);
    expect(backoffDelay(1, limits, () => 0, 60_000)).toBe(1_000);
  });
});
