import { SignJWT, jwtVerify } from 'jose';
import { assert } from '../assert';
import { fileBackedSecret } from '../secretFile';

export type Role = 'user' | 'admin';

/** Who is calling, as a verified token names them. */
export interface Caller {
  id: string;
  role: Role;
}

const ALGORITHM = 'HS256';

/** A user id (a token's `sub`, an admin's `userId` input) is stored as `users._id`: kept short. */
export const MAX_USER_ID_LENGTH = 200;
/** Control, invisible-format, surrogate, private-use and line-separator characters. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]/u;

/** 1 to MAX_USER_ID_LENGTH printable characters: nothing that hides in logs or spoofs another id. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_USER_ID_LENGTH && !UNPRINTABLE.test(value);
}

export function isRole(value: unknown): value is Role {
  return value === 'user' || value === 'admin';
}

export async function signToken(secret: Uint8Array, caller: Caller, expiresIn = '30d'): Promise<string> {
  return new SignJWT({ role: caller.role })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(caller.id)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(secret);
}

/**
 * Returns the caller, or undefined for a token that is forged, expired or malformed, or whose `sub`
 * is not a user id: a validly signed token still must not make us store 10,000 characters as an id.
 */
export async function verifyToken(secret: Uint8Array, token: string): Promise<Caller | undefined> {
  const cache = verifiedTokens(secret);
  const known = cache.get(token);
  if (known && Date.now() < known.expiresAtMs) return { ...known.caller };
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: [ALGORITHM] });
    if (!isUserId(payload.sub) || !isRole(payload.role)) return undefined;
    const caller: Caller = { id: payload.sub, role: payload.role };
    // Only what the signature and the expiry alone decide: a token with a not-before is checked every time.
    if (typeof payload.exp === 'number' && payload.nbf === undefined) {
      if (cache.size >= MAX_VERIFIED_TOKENS) {
        const oldest = cache.keys().next();
        assert(!oldest.done, 'a full cache has an oldest token');
        cache.delete(oldest.value);
      }
      cache.set(token, { caller, expiresAtMs: payload.exp * 1000 });
    }
    return { ...caller };
  } catch {
    return undefined;
  }
}

/**
 * Tokens whose signature was verified, per secret, until they expire: checking an HS256 signature
 * through WebCrypto was the largest cost of a request after its database round trips. A token's
 * payload cannot change (its bytes are signed), so a verified token stays valid to its `exp`;
 * forged or malformed tokens are never kept. Bounded; the oldest entry makes room.
 */
const MAX_VERIFIED_TOKENS = 10_000;
const verifiedBySecret = new WeakMap<Uint8Array, Map<string, { caller: Caller; expiresAtMs: number }>>();

function verifiedTokens(secret: Uint8Array): Map<string, { caller: Caller; expiresAtMs: number }> {
  let cache = verifiedBySecret.get(secret);
  if (!cache) verifiedBySecret.set(secret, (cache = new Map()));
  return cache;
}

/**
 * `JWT_SECRET` when set; otherwise a random secret kept in the data folder, so tokens minted with
 * `npm run token` keep working across restarts of the zero-config server.
 */
export function loadJwtSecret(configured: string | undefined, dataDir: string): Uint8Array {
  return new TextEncoder().encode(configured ?? fileBackedSecret(dataDir, 'jwt-secret'));
}
