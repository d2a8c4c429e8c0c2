import { createServer } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';

/** A Keycloak-shaped realm: the `iss` and `aud` the test app is configured with. */
export const ISSUER = 'https://idp.test/realms/main';
export const AUDIENCE = 'race-free-api';
const CERTS_PATH = '/realms/main/protocol/openid-connect/certs';

/** The JWKS URL of a server on `port` (a provider may come back on the port it was refused on). */
export const keySetUrlOn = (port: number) => `http://127.0.0.1:${port}${CERTS_PATH}`;

export type Algorithm = 'RS256' | 'ES256' | 'EdDSA';

export interface SigningKey {
  kid: string;
  alg: Algorithm;
  privateKey: CryptoKey;
  /** As the provider publishes it (ES256 keys without `alg`, as some providers do). */
  publicJwk: JWK;
  /** The public key as PEM text: what an "HS256 with the public key" forgery signs with. */
  publicPem: string;
}

export async function signingKey(alg: Algorithm, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const jwk = await exportJWK(publicKey);
  const publicJwk = { ...jwk, kid, use: 'sig', ...(alg === 'ES256' ? {} : { alg }) };
  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

export interface TokenOptions {
  issuer?: string;
  audience?: string;
  /** A duration ('5m'), the absolute `exp` in seconds, or null for none. */
  expiresAt?: string | number | null;
  kid?: string;
}

/** A token as the provider would sign it: `iss`, `aud`, `iat`, `exp`, and the given claims (`sub` among them). */
export function idpToken(key: SigningKey, claims: JWTPayload, options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt();
  const expiresAt = options.expiresAt === undefined ? '5m' : options.expiresAt;
  return (expiresAt === null ? jwt : jwt.setExpirationTime(expiresAt)).sign(key.privateKey);
}

/** The classic confusion attack: HS256 with the provider's public key (which anyone can fetch) as the secret. */
export function hs256WithPublicKey(key: SigningKey, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(key.publicPem));
}

/** `alg: none`: no signature at all. */
export function unsignedToken(claims: JWTPayload): string {
  return new UnsecuredJWT(claims).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode();
}

/** A provider's JWKS endpoint on 127.0.0.1 (node:http): serves the keys it is given, counts the requests for them. */
export async function startKeySetServer(keys: SigningKey[], port = 0) {
  let served = keys;
  let requests = 0;
  const server = createServer((request, response) => {
    if (request.url !== CERTS_PATH) return response.writeHead(404).end();
    requests++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: served.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: keySetUrlOn((server.address() as AddressInfo).port),
    requests: () => requests,
    /** A rotation: the provider publishes these keys from now on. */
    serve(next: SigningKey[]) {
      served = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (connections are refused). */
export async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Accepts connections, reads requests and never answers: a provider that hangs. */
export async function startHangingServer() {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    // Requests, not connections: undici opens a spare connection after an aborted request.
    socket.on('data', (chunk) => (requests += String(chunk).match(/^GET /gm)?.length ?? 0));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: keySetUrlOn((server.address() as AddressInfo).port),
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
