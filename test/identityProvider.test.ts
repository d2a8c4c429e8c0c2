// Tokens from an identity provider (README › Deployment › Tokens from an identity provider): G8 and G11
// with AUTH_JWKS_URL set, over HTTP and graphql-ws alike (G10), against a JWKS server on 127.0.0.1.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEY_SET_TIMING } from '../src/auth';
import { errorCode, type GraphQLResponse, startTestApp, type TestApp } from './support/app';
import {
  type Algorithm,
  AUDIENCE,
  hs256WithPublicKey,
  idpToken,
  ISSUER,
  type SigningKey,
  signingKey,
  startKeySetServer,
  unsignedToken,
} from './support/identityProvider';
import { type GraphQLWsError, wsClient, wsRequest } from './support/subscriptions';

const ME = `{ me { id role } }`;
/** The test app's refetch interval (30 s in production, DEFAULT_KEY_SET_TIMING), short so a rotation test waits it out. */
const REFETCH_MS = 2_000;

let keys: Record<Algorithm, SigningKey>;
let idp: Awaited<ReturnType<typeof startKeySetServer>>;
let app: TestApp;
beforeAll(async () => {
  keys = { RS256: await signingKey('RS256', 'rsa-1'), ES256: await signingKey('ES256', 'ec-1'), EdDSA: await signingKey('EdDSA', 'ed-1') };
  idp = await startKeySetServer(Object.values(keys));
  app = await startTestApp({
    identityProvider: {
      jwksUrl: idp.url,
      issuer: ISSUER,
      audience: AUDIENCE,
      roleClaim: 'realm_access.roles',
      keySetTiming: { refetchIntervalMs: REFETCH_MS },
    },
  });
});
afterAll(async () => {
  await app.stop();
  await idp.stop();
});

const users = () => app.db.collection<{ _id: string; role: string }>('users');

/** `me` over HTTP, then over a fresh graphql-ws connection; `closeCode` when the connection was refused. */
async function overBoth(token: string) {
  const http: GraphQLResponse = await app.gql(token, ME);
  const client = wsClient(app, token, { lazy: false });
  const ws: { data?: any; errors?: GraphQLWsError[] } = await wsRequest(client, ME);
  const closeCode = ws.data ? undefined : (await client.closed).code;
  await client.dispose();
  return { http, ws, closeCode };
}

/** UNAUTHENTICATED (HTTP 401) over HTTP, the connection refused at connection_init (4403) over WebSocket. */
async function expectRefused(token: string): Promise<void> {
  const { http, closeCode } = await overBoth(token);
  expect(http.status).toBe(401);
  expect(errorCode(http)).toBe('UNAUTHENTICATED');
  expect(closeCode).toBe(4403);
}

describe('a token the identity provider signed', () => {
  it.each(['RS256', 'ES256', 'EdDSA'] as const)('is accepted signed %s, over HTTP and WebSocket', async (alg) => {
    const { http, ws } = await overBoth(await idpToken(keys[alg], { sub: `kc-${alg}` }));
    expect(http.data.me).toEqual({ id: `kc-${alg}`, role: 'USER' });
    expect(ws.data.me).toEqual({ id: `kc-${alg}`, role: 'USER' });
  });

  it('needed one fetch of the key set for all of them', () => {
    expect(idp.requests()).toBe(1);
  });
});

describe('any other token is UNAUTHENTICATED on both transports, creates no user and fetches nothing', () => {
  const claims = (sub: string) => ({ sub, realm_access: { roles: ['admin'] } });
  const refusals: [string, () => Promise<string>][] = [
    ['a wrong iss', () => idpToken(keys.RS256, claims('wrong-iss'), { issuer: 'https://idp.test/realms/other' })],
    ['a wrong aud', () => idpToken(keys.ES256, claims('wrong-aud'), { audience: 'another-api' })],
    ['an expired one', () => idpToken(keys.EdDSA, claims('expired'), { expiresAt: Math.floor(Date.now() / 1000) - 60 })],
    ['one without exp', () => idpToken(keys.RS256, claims('no-exp'), { expiresAt: null })],
    ['alg none', async () => unsignedToken(claims('alg-none'))],
    ['HS256 signed with the public key', () => hs256WithPublicKey(keys.RS256, claims('hs256-public-key'))],
    ['HS256 signed with JWT_SECRET (a local token)', () => app.token('local-token', 'admin')],
    ['a known kid signed by another key', async () => idpToken(await signingKey('RS256', 'rsa-1'), claims('other-key'))],
    ['a sub over 200 characters', () => idpToken(keys.RS256, claims('x'.repeat(201)))],
    ['a sub with a control character', () => idpToken(keys.RS256, claims('evil\u0007'))],
    ['no sub', () => idpToken(keys.RS256, { realm_access: { roles: ['admin'] } })],
  ];

  it.each(refusals)('%s', async (_, make) => {
    const token = await make();
    const [fetches, known] = [idp.requests(), await users().countDocuments()];
    await expectRefused(token);
    expect(await users().countDocuments()).toBe(known);
    expect(idp.requests()).toBe(fetches);
  });
});

describe('AUTH_ROLE_CLAIM (realm_access.roles here)', () => {
  const roleOf = async (sub: string) => (await users().findOne({ _id: sub }))?.role;

  it('makes a first-seen user whose roles hold admin an admin; a later token without it does not demote them', async () => {
    const first = await overBoth(await idpToken(keys.RS256, { sub: 'kc-admin', realm_access: { roles: ['offline_access', 'admin'] } }));
    expect(first.http.data.me.role).toBe('ADMIN');
    expect(await roleOf('kc-admin')).toBe('admin');
    const later = await overBoth(await idpToken(keys.ES256, { sub: 'kc-admin', realm_access: { roles: ['offline_access'] } }));
    expect([later.http.data.me.role, later.ws.data.me.role]).toEqual(['ADMIN', 'ADMIN']);
  });

  it('takes a single string as well as an array', async () => {
    const { http } = await overBoth(await idpToken(keys.RS256, { sub: 'kc-admin-string', realm_access: { roles: 'admin' } }));
    expect(http.data.me.role).toBe('ADMIN');
  });

  it('leaves everyone else a user, and the stored user decides after: a later admin claim does not promote', async () => {
    const plain = await overBoth(await idpToken(keys.RS256, { sub: 'kc-user', realm_access: { roles: ['user'] } }));
    expect(plain.ws.data.me.role).toBe('USER');
    const later = await overBoth(await idpToken(keys.RS256, { sub: 'kc-user', realm_access: { roles: ['admin'] } }));
    expect([later.http.data.me.role, later.ws.data.me.role]).toEqual(['USER', 'USER']);
  });

  it('reads no other claim: a top-level role (as local tokens carry) or another role list is not the role claim', async () => {
    const claims = { sub: 'kc-role', role: 'admin', roles: ['admin'], resource_access: { 'race-free-api': { roles: ['admin'] } } };
    const { http, ws } = await overBoth(await idpToken(keys.RS256, claims));
    expect([http.data.me.role, ws.data.me.role]).toEqual(['USER', 'USER']);
  });
});

describe('keys the set does not have', () => {
  it('an unknown kid refetches the set once, then stays UNAUTHENTICATED, and refetches at most once per interval', async () => {
    await sleep(REFETCH_MS);
    const fetches = idp.requests();
    const tokens = await Promise.all([0, 1, 2, 3, 4].map((i) => idpToken(keys.RS256, { sub: `unknown-kid-${i}` }, { kid: `gone-${i}` })));
    const answers = await Promise.all(tokens.map((token) => app.gql(token, ME)));
    expect(answers.map(errorCode)).toEqual(tokens.map(() => 'UNAUTHENTICATED'));
    expect(idp.requests()).toBe(fetches + 1);
    for (const token of tokens) await expectRefused(token);
    expect(idp.requests()).toBe(fetches + 1);
    expect(await users().countDocuments({ _id: /^unknown-kid-/ })).toBe(0);
  });

  it('a rotation is accepted without a restart, once the interval since the last fetch has passed', async () => {
    const rotated = await signingKey('RS256', 'rsa-2');
    await sleep(REFETCH_MS);
    idp.serve([rotated, keys.ES256]);
    const fetches = idp.requests();
    const { http, ws } = await overBoth(await idpToken(rotated, { sub: 'after-rotation' }));
    expect([http.data.me.id, ws.data.me.id]).toEqual(['after-rotation', 'after-rotation']);
    expect(idp.requests()).toBe(fetches + 1);
    // The withdrawn key is gone with the old set; its kid is now unknown, and no refetch is due.
    await expectRefused(await idpToken(keys.RS256, { sub: 'withdrawn-key' }));
    // A second rotation right after a fetch: refused until the interval has passed, then accepted.
    const next = await signingKey('EdDSA', 'ed-2');
    idp.serve([rotated, next]);
    const token = await idpToken(next, { sub: 'second-rotation' });
    expect(errorCode(await app.gql(token, ME))).toBe('UNAUTHENTICATED');
    expect(idp.requests()).toBe(fetches + 1);
    await sleep(REFETCH_MS);
    expect((await app.gql(token, ME)).data.me.id).toBe('second-rotation');
    expect(idp.requests()).toBe(fetches + 2);
  });

  it('waits 30 s between refetches in production', () => {
    expect(DEFAULT_KEY_SET_TIMING.refetchIntervalMs).toBe(30_000);
  });
});
