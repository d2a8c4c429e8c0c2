import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../src/auth';
import { errorCode, startTestApp, type TestApp } from './support/app';

let app: TestApp;
let production: TestApp;
beforeAll(async () => {
  [app, production] = await Promise.all([startTestApp(), startTestApp({ production: true })]);
});
afterAll(() => Promise.all([app?.stop(), production?.stop()]));

const JSON_TYPE = { 'content-type': 'application/json' };
/** Apollo's CSRF prevention lets a GET through only with a header a simple cross-site request cannot set. */
const PREFLIGHT = { 'apollo-require-preflight': 'yes' };

/** Sends a raw request and checks it was answered as a GraphQL API answers: JSON errors, no stack. */
async function send(target: TestApp, path: string, init: RequestInit = {}) {
  const response = await fetch(`${target.url}${path}`, init);
  const text = await response.text();
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(text).not.toMatch(/<html|node_modules|\n\s+at |stacktrace/i);
  expect(text).not.toContain(process.cwd());
  const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, message: body.errors?.[0]?.message };
}

const post = (body: string | Uint8Array, headers: Record<string, string> = JSON_TYPE): RequestInit => ({ method: 'POST', headers, body });

describe.each([
  ['development', () => app],
  ['production', () => production],
])('in %s mode, when a request goes wrong before GraphQL sees it', (_, target) => {
  it.each([
    ['malformed JSON', 400, 'BAD_REQUEST', '/graphql', post('{"query": ')],
    ['a JSON null body', 400, 'BAD_REQUEST', '/graphql', post('null')],
    ['a JSON string body', 400, 'BAD_REQUEST', '/graphql', post('"{ __typename }"')],
    ['a JSON number body', 400, 'BAD_REQUEST', '/graphql', post('42')],
    ['a body over 100 kB', 413, 'BAD_REQUEST', '/graphql', post(JSON.stringify({ query: `{ __typename } # ${'x'.repeat(120_000)}` }))],
    ['an unknown charset', 415, 'BAD_REQUEST', '/graphql', post('{}', { 'content-type': 'application/json; charset=klingon' })],
    ['an unknown content encoding', 415, 'BAD_REQUEST', '/graphql', post('{}', { ...JSON_TYPE, 'content-encoding': 'zip-zap' })],
    ['a body that is not the gzip it claims', 400, 'BAD_REQUEST', '/graphql', post('{}', { ...JSON_TYPE, 'content-encoding': 'gzip' })],
    ['an unknown path', 404, 'NOT_FOUND', '/nowhere', {}],
    ['a POST to an unknown path', 404, 'NOT_FOUND', '/nowhere', post('{')],
    ['a GET of the webhook', 404, 'NOT_FOUND', '/webhooks/stripe', {}],
    ['a missing vendored file', 404, 'NOT_FOUND', '/vendor/graphql-ws/missing.js', {}],
    ['a webhook body over 1 MB', 413, 'BAD_REQUEST', '/webhooks/stripe', post('x'.repeat(1_100_000))],
  ])('answers %s with JSON %i %s', async (_, status, code, path, init) => {
    expect(await send(target(), path, init)).toMatchObject({ status, code });
  });

  it('says what to fix, without parser internals', async () => {
    expect((await send(target(), '/graphql', post('{"query": '))).message).toBe('The request body must be a JSON object');
    const oversize = post(JSON.stringify({ query: `{ __typename } # ${'x'.repeat(120_000)}` }));
    expect((await send(target(), '/graphql', oversize)).message).toBe('The request body is larger than 102400 bytes');
  });
});

describe('when a request reaches Apollo but is not a GraphQL request', () => {
  it.each([
    ['a text/plain POST (CSRF prevention)', 400, '/graphql', post('{"query":"{ __typename }"}', { 'content-type': 'text/plain' })],
    ['a POST without a content type', 400, '/graphql', post('{"query":"{ __typename }"}', { ...PREFLIGHT })],
    ['an empty body', 400, '/graphql', post('')],
    ['an empty object', 400, '/graphql', post('{}')],
    ['an empty batch', 400, '/graphql', post('[]')],
    ['a query that is not a string', 400, '/graphql', post('{"query": 42}')],
    ['variables that are not an object', 400, '/graphql', post('{"query": "{ __typename }", "variables": 7}')],
    ['a GET without a query', 400, '/graphql', { headers: PREFLIGHT }],
    ['a GET with variables that are not JSON', 400, '/graphql?query=%7B__typename%7D&variables=%7B', { headers: PREFLIGHT }],
    ['a GET of a mutation', 405, '/graphql?query=mutation%7B__typename%7D', { headers: PREFLIGHT }],
    ['a PUT', 405, '/graphql', { ...post('{"query":"{ __typename }"}'), method: 'PUT' }],
  ])('answers %s with JSON %i BAD_REQUEST', async (_, status, path, init) => {
    expect(await send(app, path, init)).toMatchObject({ status, code: 'BAD_REQUEST' });
  });

  it.each([
    ['a GET', '/graphql?query=%7B', { headers: PREFLIGHT }],
    ['a POST', '/graphql', post('{"query": "{"}')],
    ['a POST over the token limit', '/graphql', post(JSON.stringify({ query: `{ ${'__typename '.repeat(2001)}}` }))],
  ])('answers a GraphQL syntax error in %s with 400 GRAPHQL_PARSE_FAILED', async (_, path, init) => {
    expect(await send(app, path, init)).toMatchObject({ status: 400, code: 'GRAPHQL_PARSE_FAILED' });
  });
});

describe('when a validly signed token carries a subject that is not a user id', () => {
  const ME = '{ me { id } }';

  it.each([
    ['201 characters', 'u'.repeat(201)],
    ['10,000 characters', 'u'.repeat(10_000)],
    ['a NUL character', 'alice\u0000'],
    ['a line break', 'alice\nadmin'],
    ['a right-to-left override', 'alice\u202Eknab'],
    ['a zero-width space', 'ali\u200Bce'],
    ['a lone surrogate', 'alice\uD800'],
  ])('refuses a subject with %s: UNAUTHENTICATED, 401, no user stored', async (_, sub) => {
    const users = app.db.collection('users');
    const before = await users.countDocuments();
    const response = await app.gql(await signToken(app.jwtSecret, { id: sub, role: 'user' }), ME);
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(await users.countDocuments()).toBe(before);
    expect(await users.countDocuments({ _id: sub as never })).toBe(0);
  });

  it('accepts 200 printable characters, including non-ASCII ones', async () => {
    for (const sub of ['u'.repeat(200), 'José Ñúñez 東京']) {
      const response = await app.gql(await app.token(sub), ME);
      expect(response.data?.me.id).toBe(sub);
    }
  });

  it('refuses the same ids as an admin userId input, with BAD_USER_INPUT', async () => {
    const admin = await app.token('http-edges-admin', 'admin');
    const setRole = `mutation($i: SetUserRoleInput!) { setUserRole(input: $i) { id } }`;
    for (const userId of ['u'.repeat(201), 'bob\u0007']) {
      const response = await app.gql(admin, setRole, { i: { userId, role: 'ADMIN' } });
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(await app.db.collection('users').countDocuments({ _id: userId as never })).toBe(0);
    }
  });
});

describe('when a verified token is used again (verified tokens are kept until they expire)', () => {
  const ME = '{ me { id } }';

  it('refuses it once it has expired, though it was accepted (and kept) before', async () => {
    const token = await signToken(app.jwtSecret, { id: 'short-lived', role: 'user' }, '2s');
    expect((await app.gql(token, ME)).data?.me.id).toBe('short-lived');
    expect((await app.gql(token, ME)).data?.me.id).toBe('short-lived');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const expired = await app.gql(token, ME);
    expect(expired.status).toBe(401);
    expect(errorCode(expired)).toBe('UNAUTHENTICATED');
  });

  it('accepts it only under the secret that verified it: another instance with another secret refuses it', async () => {
    const token = await app.token('one-secret');
    expect((await app.gql(token, ME)).data?.me.id).toBe('one-secret');
    const elsewhere = await production.gql(token, ME);
    expect(elsewhere.status).toBe(401);
    expect(errorCode(elsewhere)).toBe('UNAUTHENTICATED');
  });
});
