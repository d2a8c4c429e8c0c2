// G3 (README › Guarantees), as a client sees it: an answer that replays the stored result of a
// keyed mutation says so (`Idempotent-Replayed: true` over HTTP, `extensions.idempotentReplayed`
// over both transports); a first execution says nothing.
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { DEPOSIT, openAccount, TRANSFER } from './support/ledger';
import { createResource, dayFromToday, HOLD_DATES, newKey } from './support/operations';
import { wsClient } from './support/subscriptions';

interface Answer {
  /** Over HTTP: the `Idempotent-Replayed` header (null when absent). */
  header?: string | null;
  data?: any;
  errors?: { extensions?: { code?: string } }[];
  extensions?: Record<string, unknown>;
}

let app: TestApp;
let resourceId: string;
beforeAll(async () => {
  app = await startTestApp();
  resourceId = (await createResource(app, { capacity: 1 })).id;
});
afterAll(() => app?.stop());

async function overHttp(token: string, query: string, variables: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { header: response.headers.get('idempotent-replayed'), ...((await response.json()) as object) };
}

/** The whole `next` payload (graphql-ws hands `extensions` on), not only data and errors. */
function overWs(client: Client, query: string, variables: Record<string, unknown>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answer: Answer = {};
    client.subscribe(
      { query, variables },
      { next: (result) => (answer = result as Answer), error: reject, complete: () => resolve(answer) },
    );
  });
}

/** What an answer says about replays. */
type Marks = Pick<Answer, 'header' | 'extensions'>;
const replayed = (answer: Answer): Marks => ({ header: answer.header, extensions: answer.extensions });
const FIRST: Marks = { header: null, extensions: undefined };
const REPLAY: Marks = { header: 'true', extensions: { idempotentReplayed: true } };

describe.each(['HTTP', 'WebSocket'] as const)('over %s', (transport) => {
  /** Over WebSocket, one connection per caller. */
  const clients = new Map<string, Client>();
  afterAll(() => Promise.all([...clients.values()].map((client) => client.dispose())));
  function send(token: string, query: string, variables: Record<string, unknown>): Promise<Answer> {
    if (transport === 'HTTP') return overHttp(token, query, variables);
    if (!clients.has(token)) clients.set(token, wsClient(app, token, { lazy: false }));
    return overWs(clients.get(token) as Client, query, variables);
  }
  const expected = (answer: Marks): Marks => (transport === 'HTTP' ? answer : { header: undefined, extensions: answer.extensions });

  it('marks the retry of a hold (key with its effect), not the first, and answers the same', async () => {
    const token = await app.token(`replay-hold-${transport}`);
    const input = { resourceId, dates: [dayFromToday(app, transport === 'HTTP' ? 30 : 31)], idempotencyKey: newKey() };
    const first = await send(token, HOLD_DATES, { input });
    const again = await send(token, HOLD_DATES, { input });
    expect(first.data.holdDates.__typename).toBe('DatesHeld');
    expect(again.data).toEqual(first.data);
    expect([replayed(first), replayed(again)]).toEqual([expected(FIRST), expected(REPLAY)]);
  });

  it('marks the retry of a transfer (group-committed) and of a deposit (key claimed first)', async () => {
    const token = await app.token(`replay-money-${transport}`);
    const admin = await app.token('replay-treasury', 'admin');
    const [from, to] = [await openAccount(app, token), await openAccount(app, token)];
    const depositInput = { accountId: from, amount: 5_000, idempotencyKey: newKey() };
    const transferInput = { fromAccountId: from, toAccountId: to, amount: 1_000, idempotencyKey: newKey() };
    const answers = [];
    for (const [who, query, input] of [
      [admin, DEPOSIT, depositInput],
      [admin, DEPOSIT, depositInput],
      [token, TRANSFER, transferInput],
      [token, TRANSFER, transferInput],
    ] as const) {
      answers.push(await send(who, query, { input }));
    }
    expect(answers.map((a) => a.data && Object.values(a.data as object)[0].__typename)).toEqual([
      'Deposited',
      'Deposited',
      'TransferCompleted',
      'TransferCompleted',
    ]);
    expect(answers.map(replayed)).toEqual([expected(FIRST), expected(REPLAY), expected(FIRST), expected(REPLAY)]);
  });

  it('marks a replayed outcome without an effect (DatesUnavailable), and nothing on a reused key or a query', async () => {
    const token = await app.token(`replay-other-${transport}`);
    const taken = dayFromToday(app, transport === 'HTTP' ? 30 : 31); // held by the first test
    const input = { resourceId, dates: [taken], idempotencyKey: newKey() };
    const first = await send(token, HOLD_DATES, { input });
    const again = await send(token, HOLD_DATES, { input });
    const reused = await send(token, HOLD_DATES, { input: { ...input, dates: [dayFromToday(app, 32)] } });
    const query = await send(token, '{ me { id } }', {});
    expect([first, again].map((a) => a.data.holdDates.__typename)).toEqual(['DatesUnavailable', 'DatesUnavailable']);
    expect(reused.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect([first, again, reused, query].map(replayed)).toEqual([expected(FIRST), expected(REPLAY), expected(FIRST), expected(FIRST)]);
  });
});

it('marks exactly the loser of two concurrent requests with one key (its key collided in the batch, the winner’s result replayed)', async () => {
  const token = await app.token('replay-race');
  const input = { resourceId, dates: [dayFromToday(app, 40)], idempotencyKey: newKey() };
  const answers = await Promise.all([overHttp(token, HOLD_DATES, { input }), overHttp(token, HOLD_DATES, { input })]);
  expect(answers[0].data).toEqual(answers[1].data);
  expect(answers.map((a) => a.header).sort()).toEqual([null, 'true'].sort());
});
