import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { DEPOSIT, deposit, openAccount } from './support/ledger';
import { delta, scrape } from './support/metrics';
import { createResource, dayFromToday, holdDates, newKey } from './support/operations';
import { checkoutEvent, deliver, holdAndCheckout } from './support/payments';
import { subscribeAvailability, until, waitForSubscribers, wsClient, wsRequest } from './support/subscriptions';

/** Failpoints name this app's connections only, so other files on the shared mongod are never hit. */
const APP_NAME = `metrics-${randomUUID().slice(0, 8)}`;
/** A request with this idempotency key stalls right after claiming it until `release()`. */
const STALLED_KEY = `stalled-${randomUUID()}`;
let release: () => void = () => {};
const stalled = new Promise<void>((resolve) => (release = resolve));

let app: TestApp;
let admin: MongoClient;
let resourceId: string;
beforeAll(async () => {
  app = await startTestApp({
    appName: APP_NAME,
    idempotencyHooks: { afterKeyTaken: (_scope, key) => (key === STALLED_KEY ? stalled : Promise.resolve()) },
  });
  admin = await new MongoClient(inject('mongoUri')).connect();
  resourceId = (await createResource(app, { capacity: 1 })).id;
});
afterAll(async () => {
  await admin?.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
  await admin?.close();
  await app?.stop();
});

const OPERATION = 'graphql_operation_duration_seconds_count';
const http = (type: string, operation: string, outcome: string) => ({ transport: 'http', type, operation, outcome });

describe('GET /metrics', () => {
  it('answers in the Prometheus text format, with process metrics alongside the app’s', async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const name of [
      'graphql_operation_duration_seconds',
      'http_request_duration_seconds',
      'mongodb_transactions_total',
      'mongodb_transaction_attempts_total',
      'mongodb_transaction_retries_total',
      'idempotency_requests_total',
      'stripe_webhook_events_total',
      'availability_change_lag_seconds',
      'websocket_connections',
      'graphql_subscriptions',
      'background_job_runs_total',
      'background_job_items_total',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('keeps apps apart: another app in the same process has its own counts', async () => {
    const other = await startTestApp();
    try {
      await other.gql(await other.token('someone-else'), '{ me { id } }');
      expect((await scrape(other)).value(OPERATION, http('query', 'me', 'ok'))).toBe(1);
      // This app's count is whatever this file did, never the other app's.
      const before = await scrape(app);
      await other.gql(await other.token('someone-else'), '{ me { id } }');
      expect(delta(before, await scrape(app))(OPERATION, http('query', 'me', 'ok'))).toBe(0);
    } finally {
      await other.stop();
    }
  });
});

describe('operation metrics', () => {
  it('times holds by outcome type: DatesHeld, DatesUnavailable, and the error code when one fails', async () => {
    const date = dayFromToday(app, 40);
    const before = await scrape(app);
    expect((await holdDates(app, await app.token('m-alice'), resourceId, [date])).data.holdDates.__typename).toBe('DatesHeld');
    expect((await holdDates(app, await app.token('m-bob'), resourceId, [date])).data.holdDates.__typename).toBe('DatesUnavailable');
    // Without __typename in the selection: the outcome is the result's type all the same.
    await app.gql(
      await app.token('m-carol'),
      `mutation($i: HoldDatesInput!) { holdDates(input: $i) { ... on DatesHeld { hold { id } } } }`,
      {
        i: { resourceId, dates: [date], idempotencyKey: newKey() },
      },
    );
    await holdDates(app, await app.token('m-dave'), resourceId, ['not-a-date']);
    await app.gql('forged.token.here', '{ me { id } }');
    const after = await scrape(app);
    const moved = delta(before, after);
    expect(moved(OPERATION, http('mutation', 'holdDates', 'DatesHeld'))).toBe(1);
    expect(moved(OPERATION, http('mutation', 'holdDates', 'DatesUnavailable'))).toBe(2);
    expect(moved(OPERATION, http('mutation', 'holdDates', 'BAD_USER_INPUT'))).toBe(1);
    // The token is refused before any operation runs: the operation is not known.
    expect(moved(OPERATION, http('unknown', 'other', 'UNAUTHENTICATED'))).toBe(1);
    expect(moved('http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status: '200' })).toBe(3);
    // A variable that does not coerce fails the request as a whole.
    expect(moved('http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status: '400' })).toBe(1);
    expect(moved('http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status: '401' })).toBe(1);
    // Every one of those ran at least one transaction, and each transaction at least one attempt.
    expect(moved('mongodb_transactions_total', { outcome: 'committed' })).toBeGreaterThanOrEqual(1);
    expect(moved('mongodb_transactions_total', { outcome: 'rolled_back' })).toBeGreaterThanOrEqual(2);
    expect(moved('mongodb_transaction_attempts_total')).toBeGreaterThanOrEqual(3);
  });

  it('labels only operations the schema has: several root fields, a syntax error or any operation name are "other"', async () => {
    const token = await app.token('user-with-a-secret-name');
    const before = await scrape(app);
    await app.gql(token, 'query SomeClientsOwnName { me { id } }');
    await app.gql(token, '{ me { id } resources { edges { cursor } } }');
    await app.gql(token, '{ me { id ');
    await app.gql(token, '{ noSuchField }');
    const after = await scrape(app);
    const moved = delta(before, after);
    expect(moved(OPERATION, http('query', 'me', 'ok'))).toBe(1);
    expect(moved(OPERATION, http('query', 'other', 'ok'))).toBe(1);
    expect(moved(OPERATION, http('unknown', 'other', 'GRAPHQL_PARSE_FAILED'))).toBe(1);
    expect(moved(OPERATION, http('unknown', 'other', 'GRAPHQL_VALIDATION_FAILED'))).toBe(1);
    expect(after.text).not.toContain('SomeClientsOwnName');
    expect(after.text).not.toContain('user-with-a-secret-name');
    expect(after.text).not.toContain('noSuchField');
    const known = new Set(['other', ...rootFields()]);
    for (const labels of after.series(OPERATION)) expect(known).toContain(labels.operation);
  });

  it('counts idempotency outcomes: new, replayed, reused, in use', async () => {
    const token = await app.token('m-idem');
    const key = newKey();
    const dates = [dayFromToday(app, 50)];
    // A deposit's key is claimed before its work (a hold's or a transfer's is written with its effect): set up outside the count.
    const treasurer = await app.token('m-treasurer', 'admin');
    const account = await openAccount(app, token);
    await deposit(app, account, 1_000);
    const depositWith = (idempotencyKey: string) =>
      app.gql(treasurer, DEPOSIT, { input: { accountId: account, amount: 100, idempotencyKey } });
    const before = await scrape(app);
    await holdDates(app, token, resourceId, dates, key);
    const replay = await holdDates(app, token, resourceId, dates, key);
    expect(replay.data.holdDates.__typename).toBe('DatesHeld');
    const reused = await holdDates(app, token, resourceId, [dayFromToday(app, 51)], key);
    expect(reused.errors?.[0].extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Another request with a key whose first request is still running.
    const first = depositWith(STALLED_KEY);
    const keys = app.db.collection('idempotencyKeys');
    for (let i = 0; i < 500 && !(await keys.findOne({ key: STALLED_KEY })); i += 1) await sleep(10);
    const inUse = await depositWith(STALLED_KEY);
    expect(inUse.errors?.[0].extensions?.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    release();
    expect((await first).data.deposit.__typename).toBe('Deposited');
    const moved = delta(before, await scrape(app));
    expect(moved('idempotency_requests_total', { outcome: 'new' })).toBe(2);
    expect(moved('idempotency_requests_total', { outcome: 'replayed' })).toBe(1);
    expect(moved('idempotency_requests_total', { outcome: 'reused' })).toBe(1);
    expect(moved('idempotency_requests_total', { outcome: 'in_use' })).toBeGreaterThanOrEqual(1);
    expect(moved(OPERATION, http('mutation', 'holdDates', 'IDEMPOTENCY_KEY_REUSED'))).toBe(1);
    expect(moved(OPERATION, http('mutation', 'deposit', 'IDEMPOTENCY_KEY_IN_USE'))).toBe(
      moved('idempotency_requests_total', { outcome: 'in_use' }),
    );
  });

  it('counts a transaction retry when a write conflicts', async () => {
    const before = await scrape(app);
    await admin.db('admin').command({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['insert'], namespace: `${app.db.databaseName}.holds`, errorCode: 112, appName: APP_NAME },
    });
    const held = await holdDates(app, await app.token('m-conflict'), resourceId, [dayFromToday(app, 60)]);
    await admin.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    expect(held.data.holdDates.__typename).toBe('DatesHeld');
    const moved = delta(before, await scrape(app));
    expect(moved('mongodb_transaction_retries_total')).toBe(1);
    expect(moved('mongodb_transaction_attempts_total') - moved('mongodb_transactions_total', { outcome: 'committed' })).toBe(1);
  });
});

describe('Stripe webhook metrics', () => {
  it('counts deliveries by type and result: applied, duplicate, ignored, invalid', async () => {
    const token = await app.token('m-payer');
    const checkout = await holdAndCheckout(app, token, resourceId, [dayFromToday(app, 70)]);
    const event = checkoutEvent('checkout.session.completed', checkout);
    const before = await scrape(app);
    expect((await deliver(app, event)).status).toBe(200);
    expect((await deliver(app, event)).body).toMatchObject({ handled: false, reason: 'duplicate' });
    expect((await deliver(app, { ...event, id: `evt_${randomUUID()}`, type: 'customer.created' })).status).toBe(200);
    expect((await deliver(app, event, { secret: 'whsec_not_ours' })).status).toBe(400);
    const moved = delta(before, await scrape(app));
    const completed = 'checkout.session.completed';
    expect(moved('stripe_webhook_events_total', { type: completed, result: 'applied' })).toBe(1);
    expect(moved('stripe_webhook_events_total', { type: completed, result: 'duplicate' })).toBe(1);
    expect(moved('stripe_webhook_events_total', { type: 'other', result: 'ignored' })).toBe(1);
    expect(moved('stripe_webhook_events_total', { type: 'unknown', result: 'invalid' })).toBe(1);
    expect(moved('http_request_duration_seconds_count', { method: 'POST', route: '/webhooks/stripe', status: '400' })).toBe(1);
  });
});

describe('WebSocket and live availability metrics', () => {
  it('counts open connections and subscriptions, times operations over WebSocket and measures commit → fan-out lag', async () => {
    const token = await app.token('m-watcher');
    const date = dayFromToday(app, 80);
    const before = await scrape(app);
    const client = wsClient(app, token, { lazy: false });
    const subscription = subscribeAvailability(client, { resourceId, from: date, to: date });
    await waitForSubscribers(app, 1);
    const open = await scrape(app);
    expect(open.value('websocket_connections')).toBe(1);
    expect(open.value('graphql_subscriptions')).toBe(1);
    const ws = (type: string, operation: string, outcome: string) => ({ transport: 'ws', type, operation, outcome });
    expect(delta(before, open)(OPERATION, ws('subscription', 'availabilityChanged', 'ok'))).toBe(1);

    await holdDates(app, await app.token('m-holder'), resourceId, [date]);
    await subscription.waitFor((event) => event.date === date && event.remaining === 0);
    expect((await wsRequest(client, '{ me { id } }')).data).toEqual({ me: { id: 'm-watcher' } });
    const during = await scrape(app);
    const moved = delta(open, during);
    expect(moved('availability_change_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(during.value('availability_change_lag_seconds_sum')).toBeLessThan(during.value('availability_change_lag_seconds_count') * 5);
    expect(moved(OPERATION, ws('query', 'me', 'ok'))).toBe(1);

    subscription.unsubscribe();
    await client.dispose();
    await until(() => app.app.services.live.subscriberCount() === 0, 'the subscription is gone');
    await client.closed;
    let closed = await scrape(app);
    for (let i = 0; i < 100 && closed.value('websocket_connections') !== 0; i += 1) closed = await scrape(app);
    expect(closed.value('websocket_connections')).toBe(0);
    expect(closed.value('graphql_subscriptions')).toBe(0);
  });
});

describe('background job metrics', () => {
  it('counts sweeper, refund-retrier and slot-horizon runs, and what they did', async () => {
    const date = dayFromToday(app, 90);
    await holdDates(app, await app.token('m-lapsed'), resourceId, [date]);
    const before = await scrape(app);
    app.clock.advance(2 * 3600 * 1000);
    expect(await app.app.services.sweeper.sweepOnce()).toBeGreaterThanOrEqual(1);
    await app.app.services.refundRetrier.retryOnce();
    app.clock.advance(24 * 3600 * 1000); // a new date for every resource's horizon
    expect(await app.app.services.slotHorizon.extendOnce()).toBeGreaterThanOrEqual(1);
    const moved = delta(before, await scrape(app));
    expect(moved('background_job_runs_total', { job: 'hold-sweeper', result: 'worked' })).toBe(1);
    expect(moved('background_job_items_total', { job: 'hold-sweeper' })).toBeGreaterThanOrEqual(1);
    expect(moved('background_job_runs_total', { job: 'refund-retrier', result: 'worked' })).toBe(1);
    expect(moved('background_job_runs_total', { job: 'slot-horizon', result: 'worked' })).toBe(1);
    expect(moved('background_job_items_total', { job: 'slot-horizon' })).toBeGreaterThanOrEqual(1);
  });
});

/** The schema's root fields, the only operation names a label may take besides "other". */
function rootFields(): string[] {
  const schema = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
  return [...schema.matchAll(/type (?:Query|Mutation|Subscription) \{([^}]*)\}/g)].flatMap((type) =>
    [...type[1].matchAll(/^ {2}(\w+)[(:]/gm)].map((field) => field[1]),
  );
}
