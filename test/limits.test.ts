// Proves G10 (README › Guarantees).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, startTestApp, type TestApp } from './support/app';

let app: TestApp;
let production: TestApp;
let user: string;
beforeAll(async () => {
  app = await startTestApp({ mutationsPerMinute: 5 });
  production = await startTestApp({ production: true });
  user = await app.token('limited');
});
afterAll(async () => {
  await app.stop();
  await production.stop();
});

function messages(response: { errors?: { message: string }[] }): string {
  return (response.errors ?? []).map((e) => e.message).join('\n');
}

describe('when a request is abusive', () => {
  it('refuses a query nested deeper than the limit', async () => {
    const response = await app.gql(user, `{ me { ${'a { '.repeat(9)}id${' }'.repeat(9)} } }`);
    expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(messages(response)).toMatch(/depth limit/i);
  });

  it('refuses a query whose cost is over the limit', async () => {
    // Cost grows with page size and nesting: two full pages of transfers are over the budget, one is not.
    const page = (alias: string) =>
      `${alias}: transfers(accountId: "x", first: 100) { edges { cursor node { id fromAccountId toAccountId amount currency memo } } }`;
    const one = await app.gql(user, `{ ${page('a')} }`);
    expect(messages(one)).not.toMatch(/cost limit/i);
    const response = await app.gql(user, `{ ${page('a')} ${page('b')} }`);
    expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(messages(response)).toMatch(/cost limit/i);
  });

  it('refuses more aliases than the limit', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `m${i}: me { id }`).join(' ');
    const response = await app.gql(user, `{ ${aliases} }`);
    expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(messages(response)).toMatch(/aliases/i);
  });

  it('refuses batched operations', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user}` },
      body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]),
    });
    expect(response.status).toBe(400);
  });

  it('refuses a request body over 100 kB', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user}` },
      body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(120_000)}` }),
    });
    expect(response.status).toBe(413);
  });

  it('refuses a simple cross-site POST (CSRF prevention)', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it('turns introspection off in production', async () => {
    const token = await production.token('visitor');
    const response = await production.gql(token, `{ __schema { types { name } } }`);
    expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(messages(response)).toMatch(/introspection/i);
    expect((await app.gql(user, `{ __schema { queryType { name } } }`)).data.__schema.queryType.name).toBe('Query');
  });

  it('limits mutations per user per minute with RATE_LIMITED and 429, but not queries or other users', async () => {
    const open = () => app.gql(user, `mutation($i: OpenAccountInput!) { openAccount(input: $i) { id } }`, { i: { currency: 'EUR' } });
    const responses = await Promise.all(Array.from({ length: 8 }, open));
    expect(responses.filter((r) => r.data?.openAccount)).toHaveLength(5);
    const limited = responses.filter((r) => errorCode(r) === 'RATE_LIMITED');
    expect(limited).toHaveLength(3);
    expect(limited[0].status).toBe(429);
    expect(await app.db.collection('accounts').countDocuments({ ownerId: 'limited' })).toBe(5);
    expect((await app.gql(user, `{ me { id } }`)).data.me.id).toBe('limited');
    const other = await app.token('unlimited');
    const another = await app.gql(other, `mutation($i: OpenAccountInput!) { openAccount(input: $i) { id } }`, { i: { currency: 'EUR' } });
    expect(another.data.openAccount.id).toBeTruthy();
  });

  it('lets a normal query through', async () => {
    const response = await app.gql(user, `{ me { id role } myAccounts { edges { node { id balance } } } }`);
    expect(response.errors).toBeUndefined();
    expect(response.data.me).toEqual({ id: 'limited', role: 'USER' });
  });
});
