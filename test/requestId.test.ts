import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../src/logger';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, HOLD_DATES, newKey } from './support/operations';
import { checkoutEvent, deliver, holdAndCheckout } from './support/payments';
import { wsClient, wsRequest } from './support/subscriptions';

/** Every line the app logged, parsed. */
const lines: Record<string, unknown>[] = [];
const linesOf = (requestId: string) => lines.filter((line) => line.requestId === requestId);

let app: TestApp;
let resourceId: string;
beforeAll(async () => {
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  app = await startTestApp({ logger: createLogger('debug', destination) });
  resourceId = (await createResource(app)).id;
});
afterAll(() => app?.stop());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { requestId: response.headers.get('x-request-id'), status: response.status, body: (await response.json()) as any };
}

/** Log lines are written when the response is; give the last one a moment. */
async function eventually(check: () => void) {
  for (let i = 0; ; i += 1) {
    try {
      check();
      return;
    } catch (error) {
      if (i >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('over HTTP, every request has an id', () => {
  it('answers a new one in x-request-id, names it in each GraphQL error and in the request’s log lines', async () => {
    const token = await app.token('rid-alice');
    const answer = await post(
      { query: HOLD_DATES, variables: { input: { resourceId: 'not-an-id', dates: [dayFromToday(app, 3)], idempotencyKey: newKey() } } },
      { authorization: `Bearer ${token}` },
    );
    expect(answer.requestId).toMatch(UUID);
    expect(answer.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: answer.requestId });
    await eventually(() =>
      expect(linesOf(answer.requestId!)).toContainEqual(
        expect.objectContaining({
          msg: 'request',
          method: 'POST',
          path: '/graphql',
          status: 200,
          operation: 'holdDates',
          outcome: 'BAD_USER_INPUT',
        }),
      ),
    );
  });

  it('keeps a sane incoming x-request-id and replaces anything else', async () => {
    expect((await post({ query: '{ __typename }' }, { 'x-request-id': 'lb-7f3a.42:retry=1' })).requestId).toBe('lb-7f3a.42:retry=1');
    for (const insane of ['has spaces', 'x'.repeat(129), '<script>', 'new\\nline', 'ünïcode']) {
      expect((await post({ query: '{ __typename }' }, { 'x-request-id': insane })).requestId).toMatch(UUID);
    }
  });

  it('names it in errors raised before GraphQL runs: a bad token, a malformed body, an unknown route', async () => {
    const refused = await post({ query: '{ me { id } }' }, { authorization: 'Bearer not.a.token', 'x-request-id': 'bad-token-1' });
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', requestId: 'bad-token-1' });

    const malformed = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'malformed-1' },
      body: '{"query": ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as any).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', requestId: 'malformed-1' });

    const missing = await fetch(`${app.url}/nowhere`, { headers: { 'x-request-id': 'missing-1' } });
    expect(missing.headers.get('x-request-id')).toBe('missing-1');
    expect(((await missing.json()) as any).errors[0].extensions).toEqual({ code: 'NOT_FOUND', requestId: 'missing-1' });
    await eventually(() => expect(linesOf('missing-1')).toContainEqual(expect.objectContaining({ msg: 'request', status: 404 })));
  });

  it('carries it on lines logged deep in the domain code, after the body was read (a Stripe webhook)', async () => {
    const token = await app.token('rid-payer');
    const checkout = await holdAndCheckout(app, token, resourceId, [dayFromToday(app, 5)]);
    const event = checkoutEvent('checkout.session.completed', checkout);
    const payload = JSON.stringify(event);
    const response = await fetch(`${app.url}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'stripe-delivery-1',
        'stripe-signature': app.stripe.webhooks.generateTestHeaderString({ payload, secret: app.webhookSecret }),
      },
      body: payload,
    });
    expect(response.status).toBe(200);
    await eventually(() => {
      const logged = linesOf('stripe-delivery-1');
      expect(logged).toContainEqual(expect.objectContaining({ msg: 'Stripe event applied', eventId: event.id }));
      expect(logged).toContainEqual(expect.objectContaining({ msg: 'request', path: '/webhooks/stripe', status: 200 }));
    });
    // A forged delivery's refusal is logged under its id too.
    expect((await deliver(app, event, { secret: 'whsec_forged' })).status).toBe(400);
  });

  it('logs probes at debug level, everything else at info', async () => {
    const probe = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'probe-1' } });
    expect(probe.status).toBe(200);
    await eventually(() => expect(linesOf('probe-1')).toContainEqual(expect.objectContaining({ msg: 'request', level: 20 })));
    await post({ query: '{ __typename }' }, { 'x-request-id': 'info-1' });
    await eventually(() => expect(linesOf('info-1')).toContainEqual(expect.objectContaining({ msg: 'request', level: 30 })));
  });
});

/** The graphql-ws client over `ws`, sending `x-request-id` on the upgrade request. */
function withUpgradeHeader(id: string): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { 'x-request-id': id } });
    }
  } as typeof WebSocket;
}

describe('over WebSocket, every operation has an id: <connection id>:<operation id>', () => {
  it('names it in the operation’s errors and log line; the connection id is answered on the upgrade', async () => {
    let upgradeId: string | undefined;
    const upgraded = new Promise<void>((resolve) => {
      const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      socket.on('upgrade', (response) => (upgradeId = response.headers['x-request-id'] as string));
      socket.on('open', () => socket.close());
      socket.on('close', () => resolve());
    });
    await upgraded;
    expect(upgradeId).toMatch(UUID);

    const client = wsClient(app, await app.token('rid-ws'), { lazy: false });
    // `to` before `from`.
    const answer = await wsRequest(client, `{ availability(resourceId: "${resourceId}", from: "2030-01-02", to: "2030-01-01") { date } }`);
    const requestId = (answer.errors?.[0].extensions as { requestId?: string }).requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}:[0-9a-f-]{36}$/);
    await eventually(() =>
      expect(linesOf(requestId!)).toContainEqual(
        expect.objectContaining({ msg: 'graphql operation', transport: 'ws', operation: 'availability', outcome: 'BAD_USER_INPUT' }),
      ),
    );
    await client.dispose();
  });

  it('uses a sane x-request-id of the upgrade as the connection id, and the client’s operation id', async () => {
    const { createClient } = await import('graphql-ws');
    let next = 0;
    const client = createClient({
      url: `${app.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: withUpgradeHeader('calendar-tab-9'),
      connectionParams: { authorization: `Bearer ${await app.token('rid-ws-2')}` },
      generateID: () => `op-${(next += 1)}`,
      retryAttempts: 0,
    });
    const refused = await wsRequest(client, 'mutation { holdDates }');
    expect((refused.errors?.[0].extensions as { requestId?: string }).requestId).toBe('calendar-tab-9:op-1');
    const ok = await wsRequest(client, '{ me { id } }');
    expect(ok.data).toEqual({ me: { id: 'rid-ws-2' } });
    await eventually(() =>
      expect(linesOf('calendar-tab-9:op-2')).toContainEqual(expect.objectContaining({ msg: 'graphql operation', outcome: 'ok' })),
    );
    await client.dispose();
  });
});
