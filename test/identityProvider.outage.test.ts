// Tokens from an identity provider whose key set cannot be fetched (README › Deployment › Tokens from
// an identity provider): SERVICE_UNAVAILABLE within seconds on both transports, never a hang, no user
// created; and the AUTH_* environment checked at start.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityProviderConfig } from '../src/auth';
import { claimAt, identityProviderVerifier } from '../src/auth/testing';
import { loadConfig } from '../src/config';
import { StartupError } from '../src/startupErrors';
import { errorCode, type GraphQLResponse, startTestApp } from './support/app';
import {
  AUDIENCE,
  closedPort,
  idpToken,
  ISSUER,
  keySetUrlOn,
  type SigningKey,
  signingKey,
  startHangingServer,
  startKeySetServer,
  unsignedToken,
} from './support/identityProvider';
import { wsClient } from './support/subscriptions';

const ME = `{ me { id } }`;
const CLOSE_TRY_AGAIN_LATER = 1013;

let key: SigningKey;
beforeAll(async () => {
  key = await signingKey('RS256', 'rsa-1');
});

const provider = (jwksUrl: string, keySetTiming?: IdentityProviderConfig['keySetTiming']): IdentityProviderConfig => ({
  jwksUrl,
  issuer: ISSUER,
  audience: AUDIENCE,
  keySetTiming,
});

function expectUnavailable(response: GraphQLResponse): void {
  expect(response.status).toBe(503);
  expect(errorCode(response)).toBe('SERVICE_UNAVAILABLE');
  expect(response.errors?.[0]?.extensions).toMatchObject({ retryable: true });
}

/** The close code of a graphql-ws connection opened with `token`. */
async function connectionClose(app: { url: string }, token: string): Promise<number> {
  const client = wsClient(app, token, { lazy: false });
  const { code } = await client.closed;
  await client.dispose();
  return code;
}

describe('when nothing listens at AUTH_JWKS_URL', () => {
  let port: number;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  beforeAll(async () => {
    port = await closedPort();
    app = await startTestApp({
      identityProvider: provider(keySetUrlOn(port), { retryIntervalMs: 500, refetchIntervalMs: 500, maxAgeMs: 500 }),
    });
  });
  afterAll(() => app.stop());

  it('answers SERVICE_UNAVAILABLE (retryable) at once over HTTP, closes the connection with 1013, creates no user', async () => {
    const token = await idpToken(key, { sub: 'while-down' });
    const started = Date.now();
    expectUnavailable(await app.gql(token, ME));
    expect(await connectionClose(app, token)).toBe(CLOSE_TRY_AGAIN_LATER);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await app.db.collection('users').countDocuments()).toBe(0);
  });

  it('still answers UNAUTHENTICATED for a token no key could make valid (alg none, HS256)', async () => {
    expect(errorCode(await app.gql(unsignedToken({ sub: 'none' }), ME))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(await app.token('local'), ME))).toBe('UNAUTHENTICATED');
  });

  it('accepts tokens once the provider is back, and keeps its keys when the provider goes away again', async () => {
    const back = await startKeySetServer([key], port);
    await sleep(600);
    const token = await idpToken(key, { sub: 'after-recovery' });
    expect((await app.gql(token, ME)).data.me.id).toBe('after-recovery');
    await back.stop();
    // Past maxAgeMs: the set is refetched in the background, which fails; the keys it has keep serving.
    await sleep(600);
    expect((await app.gql(token, ME)).data.me.id).toBe('after-recovery');
    const other = await idpToken(key, { sub: 'with-stale-keys' });
    expect((await app.gql(other, ME)).data.me.id).toBe('with-stale-keys');
    expect(back.requests()).toBe(1);
    // An unknown kid cannot be told from a rotation while the latest fetch failed: SERVICE_UNAVAILABLE, not UNAUTHENTICATED.
    await sleep(100);
    expectUnavailable(await app.gql(await idpToken(key, { sub: 'rotated-while-down' }, { kid: 'rsa-2' }), ME));
  });
});

describe('when the provider accepts connections and never answers', () => {
  it('answers SERVICE_UNAVAILABLE within seconds (one 3 s fetch shared by the requests waiting), never hangs', async () => {
    const hanging = await startHangingServer();
    const app = await startTestApp({ identityProvider: provider(hanging.url) });
    try {
      const tokens = await Promise.all(['a', 'b', 'c'].map((sub) => idpToken(key, { sub })));
      const started = Date.now();
      const answers = await Promise.all(tokens.map((token) => app.gql(token, ME)));
      answers.forEach(expectUnavailable);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(hanging.requests()).toBe(1);
      // Within the retry interval (5 s) it does not ask again: answered at once, on both transports.
      const again = Date.now();
      expectUnavailable(await app.gql(tokens[0], ME));
      expect(await connectionClose(app, tokens[1])).toBe(CLOSE_TRY_AGAIN_LATER);
      expect(Date.now() - again).toBeLessThan(1_000);
      expect(hanging.requests()).toBe(1);
      expect(await app.db.collection('users').countDocuments()).toBe(0);
    } finally {
      await app.stop();
      await hanging.stop();
    }
  });
});

describe('a role claim named with dots', () => {
  it("finds Auth0's namespaced claim (https://…/roles) as well as a nested path", async () => {
    expect(claimAt({ 'https://race-free.example/roles': ['admin'] }, 'https://race-free.example/roles'.split('.'))).toEqual(['admin']);
    expect(
      claimAt({ resource_access: { 'race-free-api': { roles: ['admin'] } } }, 'resource_access.race-free-api.roles'.split('.')),
    ).toEqual(['admin']);
    expect(claimAt({ realm_access: { roles: 'admin' } }, ['realm_access', 'roles', 'deeper'])).toBeUndefined();
    expect(claimAt({ realm_access: ['admin'] }, ['realm_access', '0'])).toBeUndefined();
  });

  it('makes a first-seen user an admin through an Auth0-style claim', async () => {
    const idp = await startKeySetServer([key]);
    try {
      const verify = identityProviderVerifier({ ...provider(idp.url), roleClaim: 'https://race-free.example/roles' });
      const admin = await idpToken(key, { sub: 'auth0|admin', 'https://race-free.example/roles': ['admin'] });
      expect(await verify(admin)).toEqual({ id: 'auth0|admin', role: 'admin' });
      const user = await idpToken(key, { sub: 'auth0|user', 'https://race-free.example/roles': ['editor'] });
      expect(await verify(user)).toEqual({ id: 'auth0|user', role: 'user' });
    } finally {
      await idp.stop();
    }
  });
});

describe('the AUTH_* environment, checked at start', () => {
  const valid = {
    AUTH_JWKS_URL: 'https://idp.example/realms/main/protocol/openid-connect/certs',
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  };

  it('is read into the identity provider settings; unset, tokens stay local HS256 ones', () => {
    expect(loadConfig({ ...valid, AUTH_ROLE_CLAIM: 'realm_access.roles' }).identityProvider).toEqual({
      jwksUrl: valid.AUTH_JWKS_URL,
      issuer: ISSUER,
      audience: AUDIENCE,
      roleClaim: 'realm_access.roles',
    });
    expect(loadConfig({}).identityProvider).toBeUndefined();
  });

  it.each([
    [{ ...valid, AUTH_JWKS_URL: 'idp.example/certs' }, /^AUTH_JWKS_URL must be an http\(s\) URL, got "idp.example\/certs"/],
    [{ ...valid, AUTH_JWKS_URL: 'ftp://idp.example/certs' }, /^AUTH_JWKS_URL must be an http\(s\) URL/],
    [{ ...valid, AUTH_ISSUER: '' }, /^AUTH_ISSUER must be set when AUTH_JWKS_URL is/],
    [{ ...valid, AUTH_AUDIENCE: undefined }, /^AUTH_AUDIENCE must be set when AUTH_JWKS_URL is/],
    [{ ...valid, AUTH_ROLE_CLAIM: 'realm_access..roles' }, /^AUTH_ROLE_CLAIM must be a claim name or a dot path/],
    [{ AUTH_ISSUER: ISSUER }, /^AUTH_ISSUER is set but AUTH_JWKS_URL is not/],
    [{ AUTH_ROLE_CLAIM: 'roles' }, /^AUTH_ROLE_CLAIM is set but AUTH_JWKS_URL is not/],
  ])('refuses %o with one line', (env, line) => {
    expect(() => loadConfig(env)).toThrow(StartupError);
    expect(() => loadConfig(env)).toThrow(line);
    expect(() => loadConfig(env)).not.toThrow(/\n/);
  });
});
