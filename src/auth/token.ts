import { SignJWT, jwtVerify } from 'jose';
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
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: [ALGORITHM] });
    if (!isUserId(payload.sub) || !isRole(payload.role)) return undefined;
    return { id: payload.sub, role: payload.role };
  } catch {
    return undefined;
  }
}

/**
 * `JWT_SECRET` when set; otherwise a random secret kept in the data folder, so tokens minted with
 * `npm run token` keep working across restarts of the zero-config server.
 */
export function loadJwtSecret(configured: string | undefined, dataDir: string): Uint8Array {
  return new TextEncoder().encode(configured ?? fileBackedSecret(dataDir, 'jwt-secret'));
}
