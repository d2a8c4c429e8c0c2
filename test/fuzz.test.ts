import { randomBytes } from 'node:crypto';
import { type Client, createClient } from 'graphql-ws';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../src/auth';
import { MAX_DAYS_AHEAD } from '../src/capacity';
import { startTestApp, type TestApp } from './support/app';
import { contractSchema, type FuzzOperation, type FuzzPools, generateOperation, type IdKind, type OperationKind } from './support/fuzz';
import { deposit, openAccount, transfer } from './support/ledger';
import { createResource, dayFromToday, holdDates } from './support/operations';
import { checkoutEvent, deliver, holdAndCheckout } from './support/payments';
import { random, type Random, seedFrom } from './support/random';

const SEED = seedFrom('FUZZ_SEED');
/** Per transport, one at a time; FUZZ_OPERATIONS raises it for a longer local run. */
const SEQUENTIAL = Number(process.env.FUZZ_OPERATIONS ?? 250);
const CONCURRENT = 100;
const SUBSCRIPTION_WAIT_MS = 1000;

/** Codes a refused request may carry; anything else is counted and printed, INTERNAL_SERVER_ERROR fails. */
const EXPECTED_CODES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  'RATE_LIMITED',
  'PAYMENT_PROVIDER_ERROR',
  'BAD_REQUEST',
]);

type CallerName = 'user' | 'other' | 'admin' | 'anonymous' | 'forged';
type Transport = 'http' | 'ws';

interface GraphQLErrorLike {
  message: string;
  path?: unknown[];
  extensions?: { code?: unknown };
}

/** What one operation got back, whatever the transport. */
interface Answer {
  /** HTTP only. */
  status?: number;
  /** WebSocket only: the connection closed under the operation. */
  closeCode?: number;
  data?: unknown;
  errors: GraphQLErrorLike[];
  /** An answer that is not GraphQL at all (e.g. Express's 413 page), or no answer in time. */
  other?: string;
}

interface Violation {
  transport: Transport;
  cause: string;
  message: string;
  example: string;
}

let app: TestApp;
let pools: FuzzPools;
let tokens: Record<CallerName, string | undefined>;
const schema = contractSchema();

beforeAll(async () => {
  app = await startTestApp();
  const ids = { user: 'fuzz-user', other: 'fuzz-other', admin: 'fuzz-admin' };
  tokens = {
    user: await app.token(ids.user),
    other: await app.token(ids.other),
    admin: await app.token(ids.admin, 'admin'),
    anonymous: undefined,
    forged: await signToken(randomBytes(32), { id: 'mallory', role: 'admin' }),
  };
  pools = await seed(app, tokens, ids);
});

const tallies: Tally[] = [];

afterAll(async () => {
  if (tallies.length) console.log(combined(tallies));
  await app?.stop();
});

/** Real objects of two owners through the API, so valid ids, wrong-owner ids and cursors exist. */
async function seed(app: TestApp, t: typeof tokens, ids: Record<'user' | 'other' | 'admin', string>): Promise<FuzzPools> {
  // Every caller is seen once here, so later refused requests have no first-sight user to create.
  await Promise.all([t.user, t.other, t.admin].map((token) => app.gql(token, '{ me { id } }')));
  const cabin = await createResource(app, { capacity: 1 });
  const rooms = await createResource(app, { name: 'Rooms', capacity: 2, currency: 'USD', pricePerDate: 9_900 });
  const holds: string[] = [];
  for (const [token, resource, day] of [
    [t.user!, cabin.id, 3],
    [t.other!, rooms.id, 4],
  ] as const) {
    const held = await holdDates(app, token, resource, [dayFromToday(app, day)]);
    holds.push(held.data.holdDates.hold.id);
  }
  const bookings: string[] = [];
  for (const [token, resource, day] of [
    [t.user!, cabin.id, 6],
    [t.other!, rooms.id, 7],
  ] as const) {
    const checkout = await holdAndCheckout(app, token, resource, [dayFromToday(app, day)]);
    holds.push(checkout.holdId);
    await deliver(app, checkoutEvent('checkout.session.completed', checkout));
    const mine = await app.gql(token, '{ myBookings(first: 100) { edges { node { id holdId } } } }');
    const edges: { node: { id: string; holdId: string } }[] = mine.data.myBookings.edges;
    bookings.push(edges.find(({ node }) => node.holdId === checkout.holdId)!.node.id);
  }
  const accounts = [
    await openAccount(app, t.user!),
    await openAccount(app, t.other!),
    await openAccount(app, t.other!, 'USD'),
    await openAccount(app, t.admin!),
  ];
  for (const account of accounts) await deposit(app, account, 50_000);
  for (let i = 0; i < 3; i++) await transfer(app, t.user!, accounts[0], accounts[1], 100 + i);
  const page = await app.gql(t.user, `query($a: ID!) { ledgerEntries(accountId: $a, first: 2) { edges { cursor } } }`, { a: accounts[0] });
  const cursors = page.data.ledgerEntries.edges.map((edge: { cursor: string }) => edge.cursor);
  for (const id of [...holds, ...bookings, ...accounts, cabin.id, rooms.id, ...cursors]) expect(id).toMatch(/^[0-9a-f]{24}$/);

  const usedKeys: string[] = [];
  return {
    // Users the admin may re-role or suspend: never the fuzzing admin itself or the main user.
    ids: {
      resource: [cabin.id, rooms.id],
      hold: holds,
      account: accounts,
      booking: bookings,
      user: [ids.other, 'fuzz-victim', 'nobody-yet'],
    },
    dates: Array.from({ length: 30 }, (_, i) => dayFromToday(app, 1 + i)),
    edgeDates: [-1, -400, MAX_DAYS_AHEAD, MAX_DAYS_AHEAD + 1, 5_000, 3_000_000].map((days) => dayFromToday(app, days)),
    cursors,
    idempotencyKey(rng) {
      if (usedKeys.length > 0 && rng.chance(0.15)) return rng.pick(usedKeys);
      const key = `fuzz-key-${usedKeys.length}`;
      usedKeys.push(key);
      return key;
    },
  };
}

function pickCaller(rng: Random): CallerName {
  const roll = rng.next();
  return roll < 0.4 ? 'user' : roll < 0.5 ? 'other' : roll < 0.78 ? 'admin' : roll < 0.95 ? 'anonymous' : 'forged';
}

function pickKind(rng: Random, transport: Transport): OperationKind {
  const roll = rng.next();
  // A subscription over HTTP is itself a hostile request.
  if (roll < (transport === 'ws' ? 0.1 : 0.02)) return 'subscription';
  return roll < 0.45 ? 'query' : 'mutation';
}

async function overHttp(token: string | undefined, op: FuzzOperation): Promise<Answer> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: op.query, variables: op.variables }),
  });
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { data?: unknown; errors?: GraphQLErrorLike[] };
    return { status: response.status, data: body.data, errors: body.errors ?? [] };
  } catch {
    return { status: response.status, errors: [], other: `HTTP ${response.status} ${text.slice(0, 80)}` };
  }
}

/** One graphql-ws client per caller, reconnecting lazily after a close; every close code is kept. */
function wsClients() {
  const closeCodes: number[] = [];
  const clients = new Map<CallerName, Client>();
  return {
    closeCodes,
    get(caller: CallerName): Client {
      let client = clients.get(caller);
      if (!client) {
        client = createClient({
          url: `${app.url.replace(/^http/, 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          connectionParams: tokens[caller] ? { authorization: `Bearer ${tokens[caller]}` } : {},
          retryAttempts: 0,
          lazy: true,
          lazyCloseTimeout: 60_000,
          on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
        });
        clients.set(caller, client);
      }
      return client;
    },
    async dispose() {
      await Promise.all([...clients.values()].map((client) => client.dispose()));
    },
  };
}

/** Queries and mutations until their result; subscriptions until the first result or error, at most a second. */
function overWs(client: Client, op: FuzzOperation): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      resolve(answer);
    };
    const wait = op.kind === 'subscription' ? SUBSCRIPTION_WAIT_MS : 15_000;
    const timer = setTimeout(() => finish(op.kind === 'subscription' ? { errors: [] } : { errors: [], other: 'no answer in 15 s' }), wait);
    const unsubscribe = client.subscribe(
      { query: op.query, variables: op.variables },
      {
        next: (result) => finish({ data: result.data, errors: (result.errors ?? []) as GraphQLErrorLike[] }),
        error: (error) => {
          if (Array.isArray(error)) finish({ errors: error as GraphQLErrorLike[] });
          else if (error && typeof (error as { code?: unknown }).code === 'number') {
            const { code, reason } = error as { code: number; reason?: string };
            finish({ closeCode: code, errors: [], other: `closed ${code} ${reason ?? ''}`.trim() });
          } else finish({ errors: [{ message: `client error: ${String((error as Error)?.message ?? error)}` }] });
        },
        complete: () => finish({ errors: [] }),
      },
    );
  });
}

/**
 * MongoDB's own hash of every collection's documents (`dbHash`): any insert, update or delete
 * changes it. Nothing needs ignoring: `users.recognise` writes only on a user's first sight (every
 * caller here was seen while seeding) and no write stamps a last-seen time.
 */
async function snapshot(db: Db): Promise<Record<string, string>> {
  const { collections } = (await db.command({ dbHash: 1 })) as { collections: Record<string, string> };
  return collections;
}

function changedCollections(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => before[name] !== after[name]);
}

const POOL_OF_TYPE: Record<string, IdKind> = { Resource: 'resource', Hold: 'hold', Account: 'account', Booking: 'booking' };

/** Objects an operation created or revealed join the pools, so later operations can act on them. */
function learnIds(data: unknown) {
  if (Array.isArray(data)) return data.forEach(learnIds);
  if (!data || typeof data !== 'object') return;
  const { __typename, id } = data as { __typename?: string; id?: unknown };
  const kind = __typename ? POOL_OF_TYPE[__typename] : undefined;
  if (kind && typeof id === 'string' && !pools.ids[kind].includes(id)) pools.ids[kind].push(id);
  Object.values(data).forEach(learnIds);
}

/** Refused: errors and no data at all (or no GraphQL answer). Such a request must have written nothing. */
function refused(answer: Answer): boolean {
  const noData = answer.data === undefined || answer.data === null;
  return noData && (answer.errors.length > 0 || answer.other !== undefined);
}

/**
 * Whether the operation got past parsing and validation: it has data, an error from execution
 * (those carry a `path`) or a code only execution gives, or was accepted silently (a subscription).
 */
function executed(answer: Answer): boolean {
  const beforeExecution = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', undefined]);
  if (answer.data !== undefined && answer.data !== null) return true;
  if (answer.errors.some((e) => e.path !== undefined || !beforeExecution.has(e.extensions?.code as string | undefined))) return true;
  return answer.errors.length === 0 && answer.closeCode === undefined && answer.other === undefined;
}

/** graphql-js's parse, validation and variable-coercion messages by kind; anything else (domain messages) as itself. */
function messageKind(message = ''): string {
  if (message.startsWith('Syntax Error')) return 'syntax error';
  if (/^Variable "\$\w+" got invalid value|^Variable "\$\w+" of (non-null|required) type/.test(message)) return 'variable coercion';
  if (
    /^(Cannot query field|Unknown argument|Unknown type|Field "[^"]+" argument|Field "[^"]+" of type|The directive|Subscription "[^"]+" must|Validation aborted|Variable "\$\w+" of type "[^"]+" used)/.test(
      message,
    )
  ) {
    return 'validation';
  }
  if (message.startsWith('closed')) return messageKind(message.replace(/^closed \d+ /, ''));
  return message
    .replace(/"[^"]*"/g, '"…"')
    .replace(/[0-9a-f]{24}/g, '<id>')
    .replace(/\d+/g, 'N')
    .slice(0, 120);
}

function example(caller: CallerName, op: FuzzOperation): string {
  return `${caller} ${op.query.slice(0, 300)} ${JSON.stringify(op.variables).slice(0, 300)} hostile: ${op.hostile.join(', ') || 'none'}`;
}

class Tally {
  readonly codes: Record<string, number> = {};
  readonly unexpected: Record<string, number> = {};
  readonly violations: Violation[] = [];
  operations = { http: 0, ws: 0 };

  check(transport: Transport, caller: CallerName, op: FuzzOperation, answer: Answer) {
    this.operations[transport] += 1;
    learnIds(answer.data);
    const violate = (cause: string, message = '') => this.violations.push({ transport, cause, message, example: example(caller, op) });
    if (answer.status !== undefined && answer.status >= 500) violate(`HTTP ${answer.status}`, answer.other ?? answer.errors[0]?.message);
    if (answer.closeCode === 4500 || answer.closeCode === 1011) violate(`WebSocket closed ${answer.closeCode}`, answer.other);
    if (answer.other?.startsWith('no answer')) violate('no answer', answer.other);
    if (answer.other) this.count(`(${answer.other.split(' ').slice(0, 2).join(' ')})`);
    for (const error of answer.errors) {
      const code = error.extensions?.code;
      if (typeof code !== 'string') {
        this.count('(no code)');
        violate('error without extensions.code', error.message);
        continue;
      }
      this.count(code);
      if (code === 'INTERNAL_SERVER_ERROR') violate('INTERNAL_SERVER_ERROR', `${op.field}: ${error.message}`);
      else if (!EXPECTED_CODES.has(code)) this.unexpected[code] = (this.unexpected[code] ?? 0) + 1;
    }
    if (answer.errors.length === 0 && !answer.other && answer.data !== undefined) this.count('(data)');
    if (op.brokenDocument && caller !== 'forged' && executed(answer)) violate('a broken document was executed', op.hostile.at(-1));
  }

  wrote(transport: Transport, caller: CallerName, op: FuzzOperation, collections: string[]) {
    this.violations.push({
      transport,
      cause: 'refused but wrote',
      message: `${op.field} changed ${collections.join(', ')}`,
      example: example(caller, op),
    });
  }

  private count(code: string) {
    this.codes[code] = (this.codes[code] ?? 0) + 1;
  }

  /** Violations grouped by cause: graphql-js's own messages by kind, domain messages with their specifics blanked. */
  report(): string {
    const groups = new Map<string, Violation[]>();
    for (const v of this.violations) {
      const key = `${v.transport} | ${v.cause} | ${messageKind(v.message)}`;
      groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    return [...groups]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([key, vs]) => `${vs.length}× ${key}\n    e.g. ${vs[0].message.slice(0, 160)}\n    in ${vs[0].example}`)
      .join('\n');
  }

  summary(label: string): string {
    const ops = `${this.operations.http + this.operations.ws} operations (${this.operations.http} http, ${this.operations.ws} ws)`;
    const unexpected = Object.keys(this.unexpected).length ? `, unexpected codes ${JSON.stringify(this.unexpected)}` : '';
    return `fuzz seed ${SEED} ${label}: ${ops}, codes ${JSON.stringify(this.codes)}${unexpected}, ${this.violations.length} violations`;
  }
}

/**
 * One at a time, so the database hash taken after each operation is the "before" of the next: a
 * refused operation must leave it exactly as it was.
 */
async function runSequential(transport: Transport, rng: Random, tally: Tally) {
  const ws = wsClients();
  const subscriptions: Promise<void>[] = [];
  try {
    let before = await snapshot(app.db);
    for (let i = 0; i < SEQUENTIAL; i++) {
      const caller = pickCaller(rng);
      const op = generateOperation(schema, pickKind(rng, transport), rng, pools);
      if (transport === 'ws' && op.kind === 'subscription') {
        // Subscriptions only read; they run alongside, each waiting up to a second for its first answer.
        subscriptions.push(overWs(ws.get(caller), op).then((answer) => tally.check(transport, caller, op, answer)));
        continue;
      }
      const answer = transport === 'http' ? await overHttp(tokens[caller], op) : await overWs(ws.get(caller), op);
      tally.check(transport, caller, op, answer);
      const after = await snapshot(app.db);
      if (refused(answer)) {
        const changed = changedCollections(before, after);
        if (changed.length) tally.wrote(transport, caller, op, changed);
      }
      before = after;
    }
    await Promise.all(subscriptions);
  } finally {
    await ws.dispose();
  }
  // A close no operation was waiting on (so no operation reported it) still counts.
  const internalCloses = ws.closeCodes.filter((code) => code === 4500 || code === 1011).length;
  const reported = tally.violations.filter((v) => v.transport === transport && v.cause.startsWith('WebSocket closed')).length;
  if (internalCloses > reported) {
    tally.violations.push({
      transport,
      cause: 'WebSocket closed 4500/1011 while idle',
      message: `${internalCloses - reported} times`,
      example: '',
    });
  }
}

/** One line for the whole run: the seed to replay it with, operations per transport, codes seen. */
function combined(all: Tally[]): string {
  const total = new Tally();
  for (const tally of all) {
    total.operations.http += tally.operations.http;
    total.operations.ws += tally.operations.ws;
    for (const [code, n] of Object.entries(tally.codes)) total.codes[code] = (total.codes[code] ?? 0) + n;
    for (const [code, n] of Object.entries(tally.unexpected)) total.unexpected[code] = (total.unexpected[code] ?? 0) + n;
    total.violations.push(...tally.violations);
  }
  return total.summary('in all');
}

function finish(tally: Tally, label: string) {
  tallies.push(tally);
  console.log(tally.summary(label));
  expect(tally.violations.length, `seed ${SEED}: replay with FUZZ_SEED=${SEED}\n${tally.report()}`).toBe(0);
}

describe(`fuzzed operations from the schema (seed ${SEED})`, () => {
  it('over HTTP: every refusal has an expected code, nothing is a 5xx, and a refused request writes nothing', async () => {
    const tally = new Tally();
    await runSequential('http', random(SEED), tally);
    finish(tally, 'http');
  });

  it('over WebSocket: every refusal has an expected code, no internal-error close, and a refused request writes nothing', async () => {
    const tally = new Tally();
    await runSequential('ws', random(SEED + 1), tally);
    finish(tally, 'ws');
  });

  it('all at once over both transports: no internal errors, no error without a code, no 5xx', async () => {
    const tally = new Tally();
    const rng = random(SEED + 2);
    const ws = wsClients();
    try {
      await Promise.all(
        Array.from({ length: CONCURRENT }, async () => {
          const transport: Transport = rng.chance(0.5) ? 'http' : 'ws';
          const caller = pickCaller(rng);
          const op = generateOperation(schema, pickKind(rng, transport), rng, pools);
          const answer = transport === 'http' ? await overHttp(tokens[caller], op) : await overWs(ws.get(caller), op);
          tally.check(transport, caller, op, answer);
        }),
      );
    } finally {
      await ws.dispose();
    }
    finish(tally, 'concurrent');
  });
});

describe('what fuzzing found', () => {
  it('answers a malformed document, or one over the token limit, with 400 GRAPHQL_PARSE_FAILED rather than 500', async () => {
    for (const query of [
      'query { me { id ',
      '{ me { id } } }',
      `{ me { ${Array.from({ length: 700 }, (_, i) => `t${i}: id`).join(' ')} } }`,
    ]) {
      const answer = await overHttp(tokens.user, { kind: 'query', field: 'me', query, variables: {}, hostile: [], brokenDocument: true });
      expect(answer.status, query.slice(0, 40)).toBe(400);
      expect(answer.errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
    }
  });

  it('refuses a subscription over HTTP with 400 BAD_REQUEST rather than an internal error', async () => {
    const query = `subscription($r: ID!) { availabilityChanged(resourceId: $r, from: "2030-01-01", to: "2030-01-02") { date } }`;
    const response = await app.gql(tokens.user, query, { r: pools.ids.resource[0] });
    expect(response.status).toBe(400);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
  });

  it("writes nothing for a suspended user's hold on a resource nobody has held yet", async () => {
    const fresh = await createResource(app, { name: 'Never held' });
    const suspended = await app.gql(tokens.admin, `mutation($i: SuspendUserInput!) { suspendUser(input: $i) { suspended } }`, {
      i: { userId: 'fuzz-suspended' },
    });
    expect(suspended.data.suspendUser.suspended).toBe(true);
    const token = await app.token('fuzz-suspended');
    await app.gql(token, '{ me { id } }');
    const before = await snapshot(app.db);
    const held = await holdDates(app, token, fresh.id, [dayFromToday(app, 2)]);
    expect(held.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(changedCollections(before, await snapshot(app.db))).toEqual([]);
  });
});
