// Trusted documents (README › Deployment › Trusted documents): with TRUSTED_DOCUMENTS only the
// manifest's documents run, over HTTP and WebSocket, through the one pipeline.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdDates, listMyBookings, listResources } from '../examples/booking';
import { type CalendarUpdate, liveCalendar } from '../examples/liveCalendar';
import * as examples from '../examples/gql/graphql';
import { createServer } from 'node:http';
import { buildSchema, createApolloServer, loadTrustedManifest, operationPipeline, type TrustedManifest } from '../src/graphql';
import { createLogger } from '../src/logger';
import type { Services } from '../src/services';
import { StartupError } from '../src/startupErrors';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday } from './support/operations';
import { waitForSubscribers, wsClient } from './support/subscriptions';
import { byHash, MANIFEST_PATH, postGraphQL, repoManifest } from './support/trusted';

type Operation = { hash: string; query: string };
const PAGE: Record<string, Operation> = await import(new URL('../web/operations.js', import.meta.url).href);
const MANIFEST = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Record<string, string>;
const ARBITRARY = '{ me { id } }';
const UNKNOWN_HASH = 'f'.repeat(64);

/** One operation over graphql-ws with any payload (`query` must be a string there: '' when naming by hash only). */
function wsSend(client: Client, payload: { query?: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> }) {
  return new Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }>((resolve) => {
    let answer = {};
    client.subscribe(
      { query: '', ...payload },
      {
        next: (result) => (answer = result),
        error: (error) => resolve({ errors: Array.isArray(error) ? error : [{ message: String(error) }] }),
        complete: () => resolve(answer),
      },
    );
  });
}

/** A pipeline on no database, as test/pipeline.test.ts builds one. */
const bareOptions = (trustedDocuments: TrustedManifest) => ({
  schema: buildSchema(),
  services: {} as Services,
  jwtSecret: randomBytes(32),
  logger: createLogger('silent'),
  production: false,
  mutationsPerMinute: 1,
  trustedDocuments,
});

const code = (answer: { errors?: { extensions?: Record<string, unknown> }[] }) => answer.errors?.[0]?.extensions?.code;

describe('the manifest npm run codegen writes', () => {
  it('holds every operation of the page, with the very text and hash the page sends', () => {
    const operations = Object.entries(PAGE);
    expect(operations.length).toBeGreaterThanOrEqual(13);
    for (const [name, { hash, query }] of operations) expect({ name, text: MANIFEST[hash] }).toEqual({ name, text: query });
  });

  it("holds every example's operation under the hash its typed document carries", () => {
    const hashes = Object.values(examples).flatMap((value) => {
      const hash = (value as { __meta__?: { hash?: string } }).__meta__?.hash;
      return hash ? [hash] : [];
    });
    expect(hashes.length).toBeGreaterThanOrEqual(5);
    for (const hash of hashes) expect(MANIFEST[hash]).toEqual(expect.any(String));
  });

  it('is the only place the page takes GraphQL documents from', () => {
    const scripts = readdirSync(new URL('../web/', import.meta.url)).filter((file) => file.endsWith('.js') && file !== 'operations.js');
    for (const file of scripts) {
      const source = readFileSync(new URL(`../web/${file}`, import.meta.url), 'utf8');
      expect({ file, documents: source.match(/`\s*(query|mutation|subscription)\s*(\w+\s*)?[({]/g) }).toEqual({ file, documents: null });
    }
  });
});

describe('with TRUSTED_DOCUMENTS set', () => {
  /** An instance without TRUSTED_DOCUMENTS on the same database, for what no trusted document does (createResource). */
  let operator: TestApp;
  let app: TestApp;
  beforeAll(async () => {
    operator = await startTestApp();
    app = await startTestApp({ sharing: operator, trustedDocuments: repoManifest() });
  });
  afterAll(async () => {
    await app?.stop();
    await operator?.stop();
  });

  /** One caller's way to send a body over each transport, answered as `{ status, data, errors }`. */
  function sender(token: string) {
    const ws = wsClient(app, token, { lazy: false });
    return {
      HTTP: async (body: Record<string, unknown>) => {
        const { status, body: answer } = await postGraphQL(app, body, token);
        return { status, ...answer };
      },
      WebSocket: async (body: Record<string, unknown>) => ({ status: 200, ...(await wsSend(ws, body)) }),
      close: () => ws.dispose(),
    };
  }

  describe.each(['HTTP', 'WebSocket'] as const)('over %s', (transport) => {
    let send: ReturnType<typeof sender>;
    beforeAll(async () => {
      send = sender(await app.token(`trusting-${transport}`));
    });
    afterAll(() => send.close());

    it('runs a trusted document named by its hash alone, by its hash with its text, or by its exact text', async () => {
      const { hash, query } = PAGE.PageMyAccounts;
      for (const body of [byHash(hash), byHash(hash, query), { query }]) {
        const answer = await send[transport](body);
        expect(answer).toMatchObject({ status: 200, data: { myAccounts: { edges: [] } } });
        expect(answer.errors).toBeUndefined();
      }
    });

    it('runs a trusted mutation by hash, as the caller', async () => {
      const answer = await send[transport]({ ...byHash(PAGE.PageOpenAccount.hash), variables: { input: { currency: 'EUR' } } });
      expect(answer.data?.openAccount).toMatchObject({ currency: 'EUR', balance: 0 });
      expect(await app.db.collection('accounts').countDocuments({ ownerId: `trusting-${transport}` })).toBe(1);
    });

    it('answers an unknown hash PERSISTED_QUERY_NOT_FOUND (HTTP 404)', async () => {
      const answer = await send[transport](byHash(UNKNOWN_HASH));
      expect({ status: answer.status, code: code(answer) }).toEqual({
        status: transport === 'HTTP' ? 404 : 200,
        code: 'PERSISTED_QUERY_NOT_FOUND',
      });
      expect(answer.errors?.[0]?.extensions?.requestId).toEqual(expect.any(String));
    });

    it('refuses any other document FORBIDDEN (HTTP 403) before parsing it: valid, invalid, or sent with a trusted hash', async () => {
      const bodies = [{ query: ARBITRARY }, { query: '{ nowhere' }, byHash(PAGE.PageMyAccounts.hash, ARBITRARY)];
      for (const body of bodies) {
        const answer = await send[transport](body);
        expect({ status: answer.status, code: code(answer), data: answer.data }).toEqual({
          status: transport === 'HTTP' ? 403 : 200,
          code: 'FORBIDDEN',
          data: undefined,
        });
      }
    });

    it('answers a malformed persistedQuery BAD_REQUEST (HTTP 400)', async () => {
      for (const persistedQuery of [{ version: 1 }, { version: 2, sha256Hash: PAGE.PageMyAccounts.hash }]) {
        const answer = await send[transport]({ extensions: { persistedQuery } });
        expect({ status: answer.status, code: code(answer) }).toEqual({ status: transport === 'HTTP' ? 400 : 200, code: 'BAD_REQUEST' });
      }
    });

    it("accepts every one of the page's operations (each gets past the trust check)", async () => {
      for (const [name, { hash }] of Object.entries(PAGE)) {
        // No variables: an operation that needs some fails after the check, as BAD_USER_INPUT (or,
        // a subscription over HTTP, BAD_REQUEST); one that needs none runs.
        const answer = await send[transport](byHash(hash));
        expect({ name, code: code(answer) ?? 'ran' }).not.toMatchObject({
          code: expect.stringMatching(/^(FORBIDDEN|PERSISTED_QUERY_NOT_FOUND)$/),
        });
      }
    });
  });

  it('serves a GET by hash (a query), and refuses an arbitrary one', async () => {
    const token = await app.token('trusting-get');
    const get = (params: Record<string, string>) =>
      fetch(`${app.url}/graphql?${new URLSearchParams(params)}`, {
        headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
      });
    const trusted = await get({ extensions: JSON.stringify(byHash(PAGE.PageMyHolds.hash).extensions) });
    expect({ status: trusted.status, body: await trusted.json() }).toEqual({ status: 200, body: { data: { myHolds: { edges: [] } } } });
    const refused = await get({ query: ARBITRARY });
    expect({ status: refused.status, code: code((await refused.json()) as any) }).toEqual({ status: 403, code: 'FORBIDDEN' });
  });

  it('runs the examples (their client sends each operation as the manifest holds it)', async () => {
    const api = { endpoint: `${app.url}/graphql`, token: await app.token('trusting-example') };
    const resource = await createResource(operator, { name: 'Example cabin' });
    expect((await listResources(api)).map((r) => r.id)).toContain(resource.id);
    expect(await holdDates(api, { resourceId: resource.id, dates: [dayFromToday(app, 50)] })).toMatchObject({ kind: 'held' });
    expect(await listMyBookings(api)).toEqual([]);
  });

  it('runs the live calendar example (its subscription goes over WebSocket as the manifest holds it)', async () => {
    const resource = await createResource(operator, { capacity: 1 });
    const date = dayFromToday(app, 51);
    const api = { endpoint: `${app.url}/graphql`, token: await app.token('trusting-calendar') };
    const calendar = liveCalendar({ api, resourceId: resource.id, from: date, to: date });
    const updates: CalendarUpdate[] = [];
    calendar.onChange((update) => updates.push(update));
    try {
      await calendar.start();
      expect(await holdDates(api, { resourceId: resource.id, dates: [date] })).toMatchObject({ kind: 'held' });
      await expect
        .poll(() => updates.map((u) => [u.reset, u.dates.map((d) => d.status)]), { timeout: 10_000 })
        .toEqual([
          [true, ['AVAILABLE']],
          [false, ['HELD']],
        ]);
    } finally {
      await calendar.stop();
    }
  });

  it("delivers a trusted subscription's events (by hash over WebSocket) for a hold made by hash over HTTP", async () => {
    const send = sender(await app.token('trusting-live'));
    const ws = wsClient(app, await app.token('trusting-watcher'), { lazy: false });
    const resource = await createResource(operator, { capacity: 1 });
    const date = dayFromToday(app, 12);
    const variables = { resourceId: resource.id, from: date, to: date };
    const statuses: string[] = [];
    const stop = ws.subscribe<{ availabilityUpdates: { dates: { status: string }[] } }>(
      { query: '', variables, extensions: byHash(PAGE.PageAvailabilityUpdates.hash).extensions },
      {
        next: ({ data }) => data && statuses.push(...data.availabilityUpdates.dates.map((date) => date.status)),
        error: () => {},
        complete: () => {},
      },
    );
    await waitForSubscribers(app, 1);
    const held = await send.HTTP({
      ...byHash(PAGE.PageHoldDates.hash),
      variables: { input: { resourceId: resource.id, dates: [date], idempotencyKey: 'trusted-hold' } },
    });
    expect(held.data?.holdDates.__typename).toBe('DatesHeld');
    await expect.poll(() => statuses, { timeout: 10_000 }).toEqual(['AVAILABLE', 'HELD']);
    stop();
    await ws.dispose();
    await send.close();
  });
});

it('never lets Apollo run a document the manifest lacks, even a request that skipped the context check', async () => {
  const pipeline = operationPipeline(bareOptions(repoManifest()));
  const apollo = createApolloServer({ httpServer: createServer(), pipeline, disposeSubscriptions: async () => {} });
  await apollo.start();
  // executeOperation creates no context, where HTTP requests are refused: this one gets to Apollo.
  const response = await apollo.executeOperation({ query: '{ __typename }' }, { contextValue: { services: {} as Services } });
  await apollo.stop();
  expect(response.body).toMatchObject({
    kind: 'single',
    singleResult: { errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } }] },
  });
  expect(response.body.kind === 'single' && response.body.singleResult.data).toBeFalsy();
});

describe('without TRUSTED_DOCUMENTS', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.stop());

  it('runs any document, and the page’s hash with its text, over both transports', async () => {
    const token = await app.token('anyone');
    const ws = wsClient(app, token, { lazy: false });
    const { hash, query } = PAGE.PageMyHolds;
    for (const body of [{ query: ARBITRARY }, byHash(hash, query)]) {
      expect((await postGraphQL(app, body, token)).body.errors).toBeUndefined();
      expect((await wsSend(ws, body)).errors).toBeUndefined();
    }
    await ws.dispose();
  });
});

describe('a manifest that cannot be trusted stops the start, with one line naming it and the fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'race-free-api-manifest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  /** loadTrustedManifest's StartupError message for a file holding `content`. */
  function refusal(content: string | undefined): string {
    const path = join(dir, `${randomBytes(4).toString('hex')}.json`);
    if (content !== undefined) writeFileSync(path, content);
    try {
      loadTrustedManifest(path);
    } catch (error) {
      expect(error).toBeInstanceOf(StartupError);
      return (error as Error).message.replace(path, '<path>');
    }
    throw new Error('the manifest was accepted');
  }

  it('refuses a missing file, one that is not a JSON object, a key that is no sha256, a document under the wrong hash, and none at all', () => {
    const fix = 'point TRUSTED_DOCUMENTS at the manifest `npm run codegen` writes (examples/gql/persisted-documents.json), or unset it';
    expect(refusal(undefined)).toBe(`TRUSTED_DOCUMENTS names no readable file (ENOENT: <path>): ${fix}`);
    expect(refusal('[1, 2]')).toBe(`TRUSTED_DOCUMENTS (<path>) is not a JSON object of sha256 → document: ${fix}`);
    expect(refusal('{"abc": "{ me { id } }"}')).toBe(
      'TRUSTED_DOCUMENTS (<path>): "abc" is not a sha256 in hex naming a document: regenerate it with `npm run codegen`',
    );
    const wrong = sha256('{ other }');
    expect(refusal(JSON.stringify({ [wrong]: '{ me { id } }' }))).toBe(
      `TRUSTED_DOCUMENTS (<path>): the document under ${wrong} does not hash to it: regenerate it with \`npm run codegen\``,
    );
    expect(refusal('{}')).toBe(`TRUSTED_DOCUMENTS (<path>) holds no documents, so every operation would be refused: ${fix}`);
  });

  it('takes the sha256: prefix the preset writes by default', () => {
    const text = '{ me { id } }';
    const path = join(dir, 'prefixed.json');
    writeFileSync(path, JSON.stringify({ [`sha256:${sha256(text)}`]: text }));
    expect([...loadTrustedManifest(path).documents]).toEqual([[sha256(text), text]]);
  });

  it('refuses a document that is not valid against the schema when the pipeline is built', () => {
    const text = '{ nowhere }';
    const build = () => operationPipeline(bareOptions({ source: 'old.json', documents: new Map([[sha256(text), text]]) }));
    expect(build).toThrow(StartupError);
    expect(build).toThrow(
      `TRUSTED_DOCUMENTS (old.json): the document ${sha256(text)} does not validate against this schema (Cannot query field "nowhere" on type "Query".): regenerate it with \`npm run codegen\``,
    );
  });
});
