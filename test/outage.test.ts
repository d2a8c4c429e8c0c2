import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { signToken } from '../src/auth';
import { type EmbeddedReplSet, startEmbeddedReplSet } from '../src/dev';
import { startApiProcess } from './support/apiProcess';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates } from './support/operations';
import { subscribeAvailability, waitForSubscribers, wsClient, wsRequest } from './support/subscriptions';

/** A replica set of its own: this file freezes and restarts its mongod. */
let replSet: EmbeddedReplSet;
let app: TestApp;
beforeAll(async () => {
  replSet = await startEmbeddedReplSet();
  app = await startTestApp({ mongoUri: replSet.uri });
}, 60_000);
afterAll(async () => {
  replSet.members[0].signal('SIGCONT');
  await app?.stop();
  await replSet?.stop();
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await work();
  return { value, ms: Date.now() - start };
}

async function httpGet(path: string) {
  const response = await fetch(`${app.url}${path}`);
  return {
    status: response.status,
    body: (await response.json()) as { reasons: string[] },
    retryAfter: response.headers.get('retry-after'),
  };
}

/** Polls until the API answers `{ me }` again, returning how long that took. */
async function untilServing(token: string, timeoutMs = 30_000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const response = await app.gql(token, `{ myAccounts { edges { node { id } } } }`);
    if (response.data) return Date.now() - start;
    await sleep(200);
  }
  throw new Error(`not serving again within ${timeoutMs} ms`);
}

describe('when mongod stops answering (SIGSTOP) and comes back', () => {
  it('answers SERVICE_UNAVAILABLE, retryable, 503 with Retry-After, within 10 s on both transports; liveness stays up', async () => {
    const token = await app.token('frozen');
    const ws = wsClient(app, token, { lazy: false });
    expect((await wsRequest(ws, '{ me { id } }')).data).toEqual({ me: { id: 'frozen' } });
    replSet.members[0].signal('SIGSTOP');
    try {
      const [query, mutation, socket] = await Promise.all([
        timed(() => app.gql(token, `{ myAccounts { edges { node { id } } } }`)),
        timed(() => app.gql(token, `mutation { openAccount(input: { currency: "EUR" }) { id } }`)),
        timed(() => wsRequest(ws, `{ myAccounts { edges { node { id } } } }`)),
      ]);
      for (const { value, ms } of [query, mutation]) {
        expect(value.status).toBe(503);
        expect(value.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
        expect(ms).toBeLessThan(10_000);
      }
      expect(socket.value.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
      expect(socket.ms).toBeLessThan(10_000);
      const raw = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ myAccounts { edges { node { id } } } }' }),
      });
      expect(raw.status).toBe(503);
      expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);

      const liveness = await timed(() => httpGet('/healthz'));
      expect(liveness.value.status).toBe(200);
      expect(liveness.ms).toBeLessThan(1_000);
      const readiness = await timed(() => httpGet('/readyz'));
      expect(readiness.value.status).toBe(503);
      expect(readiness.value.body.reasons.join(' ')).toMatch(/primary/);
      expect(readiness.ms).toBeLessThan(5_000);
      console.log('frozen mongod:', { queryMs: query.ms, mutationMs: mutation.ms, webSocketMs: socket.ms, readyzMs: readiness.ms });
    } finally {
      replSet.members[0].signal('SIGCONT');
    }
    const recoveredMs = await untilServing(token);
    console.log('frozen mongod: serving again', recoveredMs, 'ms after SIGCONT');
    await ws.dispose();
  }, 60_000);
});

describe('when mongod is restarted under a running app', () => {
  it('serves again by itself, resumes the change stream, and is ready again', async () => {
    const resource = await createResource(app, { capacity: 2 });
    const token = await app.token('restarted');
    const client = wsClient(app, token);
    const subscribers = app.app.services.live.subscriberCount();
    const live = subscribeAvailability(client, { resourceId: resource.id, from: dayFromToday(app, 1), to: dayFromToday(app, 60) });
    // Registered before the hold: a subscription sends what commits after it is set up.
    await waitForSubscribers(app, subscribers + 1);
    await holdDates(app, token, resource.id, [dayFromToday(app, 3)]);
    await live.waitFor((e) => e.date === dayFromToday(app, 3));

    await replSet.members[0].restart();
    const recoveredMs = await untilServing(token);
    // A hold made after the restart reaches the subscriber opened before it: the stream resumed.
    expect((await holdDates(app, token, resource.id, [dayFromToday(app, 4)])).data.holdDates.__typename).toBe('DatesHeld');
    await live.waitFor((e) => e.date === dayFromToday(app, 4), 20_000);
    const deadline = Date.now() + 20_000;
    while ((await httpGet('/readyz')).status !== 200) {
      if (Date.now() > deadline) throw new Error('not ready again within 20 s');
      await sleep(200);
    }
    console.log('restarted mongod: serving again after', recoveredMs, 'ms');
    live.unsubscribe();
    await client.dispose();
  }, 60_000);
});

describe('when the process is told to stop while mongod is frozen', () => {
  it('exits within SHUTDOWN_TIMEOUT_MS, saying what it abandoned', async () => {
    const api = await startApiProcess({
      MONGODB_URI: replSet.uri,
      MONGODB_DB: 'shutdown_test',
      STRIPE_API_BASE: inject('stripeApiBase'),
      JWT_SECRET: 'shutdown-test-secret',
      SHUTDOWN_TIMEOUT_MS: '3000',
    });
    const token = await signToken(new TextEncoder().encode('shutdown-test-secret'), { id: 'leaver', role: 'user' });
    replSet.members[0].signal('SIGSTOP');
    try {
      // A request in flight against the frozen database, then SIGTERM.
      const inFlight = fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ myAccounts { edges { node { id } } } }' }),
      }).catch(() => undefined);
      await sleep(200);
      const signalledAt = Date.now();
      api.child.kill('SIGTERM');
      const { code, at } = await api.exited;
      await inFlight;
      const tookMs = at - signalledAt;
      console.log('shutdown with mongod frozen:', { tookMs, code });
      expect(tookMs).toBeLessThan(3_000 + 2_000);
      if (code !== 0) expect(api.lines.join('\n')).toMatch(/shutdown timed out/);
    } finally {
      replSet.members[0].signal('SIGCONT');
      api.child.kill('SIGKILL');
    }
  }, 60_000);
});
