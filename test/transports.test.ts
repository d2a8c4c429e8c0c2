// Proves G10 and G11 (README › Guarantees).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { assert } from '../src/assert';
import { CLOSE_TOO_MANY_CONNECTIONS } from '../src/graphql';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday } from './support/operations';
import { AVAILABILITY_CHANGED, type GraphQLWsError, wsClient, wsRequest } from './support/subscriptions';

interface Answer {
  data?: any;
  errors?: GraphQLWsError[];
}

type Transport = 'HTTP' | 'WebSocket';

/** Sends one operation over the named transport and answers with the response body either way. */
function sender(app: TestApp, token: string | undefined) {
  const ws = wsClient(app, token, { lazy: false });
  return {
    send(transport: Transport, query: string, variables?: Record<string, unknown>): Promise<Answer> {
      return transport === 'HTTP' ? app.gql(token, query, variables) : wsRequest(ws, query, variables);
    },
    close: () => ws.dispose(),
  };
}

const codes = (answer: Answer) => (answer.errors ?? []).map((e) => e.extensions?.code);
const OPEN_ACCOUNT = `mutation { openAccount(input: { currency: "EUR" }) { id } }`;
const transports: Transport[] = ['HTTP', 'WebSocket'];

let app: TestApp;
let resourceId: string;
beforeAll(async () => {
  app = await startTestApp({
    mutationsPerMinute: 2,
    webSocketLimits: { maxConnectionsPerUser: 3, maxSubscriptionsPerConnection: 2, maxMessageBytes: 4096 },
  });
  // The only mutation of the admin here: the rate limit is two a minute.
  resourceId = (await createResource(app, { capacity: 5 })).id;
});
afterAll(() => app.stop());

describe.each(transports)('when an abusive operation arrives over %s', (transport) => {
  it('refuses 40 aliases with GRAPHQL_VALIDATION_FAILED', async () => {
    const client = sender(app, await app.token(`aliases-${transport}`));
    const query = `{ ${Array.from({ length: 40 }, (_, i) => `m${i}: me { id }`).join(' ')} }`;
    const answer = await client.send(transport, query);
    expect(answer.data).toBeUndefined();
    expect(codes(answer)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(answer.errors![0].message).toMatch(/aliases/i);
    await client.close();
  });

  it('refuses three full pages of transfers over the cost limit', async () => {
    const client = sender(app, await app.token(`cost-${transport}`));
    const page = (alias: string) => `${alias}: transfers(accountId: "x", first: 100) { edges { node { id amount memo } } }`;
    const answer = await client.send(transport, `{ ${page('a')} ${page('b')} ${page('c')} }`);
    expect(codes(answer)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(answer.errors![0].message).toMatch(/cost limit/i);
    await client.close();
  });

  it('answers ok, ok, RATE_LIMITED, RATE_LIMITED to four mutations with a limit of two', async () => {
    const client = sender(app, await app.token(`rate-${transport}`));
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await client.send(transport, OPEN_ACCOUNT));
    expect(answers.map((a) => codes(a)[0] ?? 'ok')).toEqual(['ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(answers[2].errors![0].extensions).toMatchObject({ retryable: true, retryAfterSeconds: expect.any(Number) });
    expect(await app.db.collection('accounts').countDocuments({ ownerId: `rate-${transport}` })).toBe(2);
    await client.close();
  });

  it("answers someone else's hold exactly like a missing one", async () => {
    const owner = await app.token(`owner-${transport}`);
    const held = await app.gql(owner, `mutation($i: HoldDatesInput!) { holdDates(input: $i) { ... on DatesHeld { hold { id } } } }`, {
      i: { resourceId, dates: [dayFromToday(app, 20)], idempotencyKey: `k-${transport}` },
    });
    const holdId = held.data.holdDates.hold.id;
    const client = sender(app, await app.token(`prober-${transport}`));
    const release = `mutation($id: ID!) { releaseHold(input: { holdId: $id }) { id } }`;
    const foreign = await client.send(transport, release, { id: holdId });
    const missing = await client.send(transport, release, { id: '0123456789abcdef01234567' });
    expect(codes(foreign)).toEqual(['NOT_FOUND']);
    expect(foreign.errors![0].message).toBe(missing.errors![0].message);
    expect((await client.send(transport, `query($id: ID!) { hold(id: $id) { id } }`, { id: holdId })).data).toEqual({ hold: null });
    await client.close();
  });
});

describe('when HTTP and WebSocket are used by one user', () => {
  it('counts their mutations against one rate limit', async () => {
    const client = sender(app, await app.token('both-ways'));
    expect(codes(await client.send('HTTP', OPEN_ACCOUNT))).toEqual([]);
    expect(codes(await client.send('WebSocket', OPEN_ACCOUNT))).toEqual([]);
    expect(codes(await client.send('WebSocket', OPEN_ACCOUNT))).toEqual(['RATE_LIMITED']);
    expect(codes(await client.send('HTTP', OPEN_ACCOUNT))).toEqual(['RATE_LIMITED']);
    await client.close();
  });
});

describe('when WebSocket clients push past the connection limits', () => {
  it('closes a connection beyond the per-user limit with 4430', async () => {
    const token = await app.token('many-tabs');
    const clients = [];
    const answers = [];
    for (let i = 0; i < 4; i += 1) {
      clients.push(wsClient(app, token, { lazy: false }));
      answers.push(await wsRequest(clients[i], '{ me { id } }'));
    }
    expect(answers.slice(0, 3).map((a) => a.data)).toEqual([
      { me: { id: 'many-tabs' } },
      { me: { id: 'many-tabs' } },
      { me: { id: 'many-tabs' } },
    ]);
    expect((await clients[3].closed).code).toBe(CLOSE_TOO_MANY_CONNECTIONS);
    await clients[0].dispose();
    // A closed connection frees its place.
    const later = wsClient(app, token, { lazy: false });
    expect((await wsRequest(later, '{ me { id } }')).data).toEqual({ me: { id: 'many-tabs' } });
    await Promise.all([...clients, later].map((c) => c.dispose()));
  });

  it('refuses a third live subscription on one connection with TOO_MANY_SUBSCRIPTIONS', async () => {
    const token = await app.token('watcher');
    const client = wsClient(app, token);
    const variables = { resourceId, from: dayFromToday(app, 1), to: dayFromToday(app, 30) };
    const live = [0, 1].map(() =>
      client.subscribe({ query: AVAILABILITY_CHANGED, variables }, { next: () => {}, error: () => {}, complete: () => {} }),
    );
    const third = await wsRequest(client, AVAILABILITY_CHANGED, variables);
    expect(codes(third)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    live.forEach((unsubscribe) => unsubscribe());
    await client.dispose();
  });

  it('closes a connection that sends a message over the size limit with 1009', async () => {
    const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(10_000) } }));
    const code = await new Promise<number>((resolve) => socket.once('close', resolve));
    expect(code).toBe(1009);
  });
});

/** A logger that keeps its error lines, to check what was logged. */
function errorLines() {
  const lines: string[] = [];
  const logger = pino(
    { level: 'error' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { lines, logger };
}

describe('when something unexpected breaks under an operation', () => {
  it('answers INTERNAL_SERVER_ERROR with no detail on both transports, and logs it', async () => {
    const { lines, logger } = errorLines();
    const broken = await startTestApp({ logger });
    const token = await broken.token('unlucky');
    const client = sender(broken, token);
    // Connected and recognised first: afterwards the database client is gone under the resolvers.
    expect((await client.send('WebSocket', '{ me { id } }')).data).toEqual({ me: { id: 'unlucky' } });
    await broken.client.close();
    for (const transport of transports) {
      const answer = await client.send(transport, `{ myAccounts { edges { node { id } } } }`);
      expect(codes(answer), transport).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(answer.errors![0].message).toBe('Internal server error');
    }
    expect(lines.filter((line) => line.includes('unexpected error in a GraphQL operation'))).toHaveLength(2);
    await client.close();
    await broken.app.stop().catch(() => {});
  });

  it('answers a failed assertion as INTERNAL_SERVER_ERROR with no detail on both transports, and logs it as a bug', async () => {
    const { lines, logger } = errorLines();
    const asserting = await startTestApp({ logger });
    const client = sender(asserting, await asserting.token('asserted'));
    const invariant = 'an owner has at most one page of accounts (a made-up invariant)';
    asserting.app.services.accounts.listOwned = async () => {
      assert(false, invariant);
    };
    for (const transport of transports) {
      const answer = await client.send(transport, `{ myAccounts { edges { node { id } } } }`);
      expect(codes(answer), transport).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(answer.errors![0].message).toBe('Internal server error');
      expect(JSON.stringify(answer), transport).not.toContain('invariant');
    }
    const logged = lines.filter((line) => line.includes('unexpected error in a GraphQL operation'));
    expect(logged).toHaveLength(2);
    for (const line of logged) expect(JSON.parse(line).err).toMatchObject({ type: 'AssertionFailed', message: invariant });
    await client.close();
    await asserting.stop();
  });
});
