import { jwtVerify, type JWTPayload } from 'jose';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import { DEFAULT_KEY_SET_TIMING, type KeySetTiming, remoteKeySet } from './keySet';
import { type Caller, isUserId, type Role } from './token';

/** Tokens from an identity provider (`AUTH_JWKS_URL`, `AUTH_ISSUER`, `AUTH_AUDIENCE`, `AUTH_ROLE_CLAIM`). */
export interface IdentityProviderConfig {
  /** The provider's JSON Web Key Set (http or https). */
  jwksUrl: string;
  /** The tokens' `iss`, exactly. */
  issuer: string;
  /** What the tokens' `aud` must hold (a string, or one entry of an array). */
  audience: string;
  /** The claim (a dot path) whose value `admin`, or an array holding it, makes a first-seen user an admin; none: nobody. */
  roleClaim?: string;
  /** Defaults in DEFAULT_KEY_SET_TIMING; tests shorten them. */
  keySetTiming?: Partial<KeySetTiming>;
}

/** Asymmetric only: a provider's public key can never serve as an HMAC secret, and `none` is never accepted. */
export const IDENTITY_PROVIDER_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/** The role a first-seen user gets from the token: nothing else reads it (G8: the stored user decides after). */
const ADMIN: Role = 'admin';

/**
 * Verifies a provider's token: signed by a key of its set with an allowed algorithm, the right
 * `iss` and `aud`, an `exp` not passed, a `sub` that is a user id. Resolves undefined for any other
 * token; throws SERVICE_UNAVAILABLE when the key set cannot be had (see keySet.ts).
 */
export function identityProviderVerifier(config: IdentityProviderConfig, logger?: Logger) {
  const getKey = remoteKeySet(new URL(config.jwksUrl), { ...DEFAULT_KEY_SET_TIMING, ...config.keySetTiming }, logger);
  const options = {
    algorithms: IDENTITY_PROVIDER_ALGORITHMS,
    issuer: config.issuer,
    audience: config.audience,
    requiredClaims: ['exp', 'sub'],
  };
  return async (token: string): Promise<Caller | undefined> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, options));
    } catch (error) {
      if (error instanceof DomainError) throw error;
      return undefined;
    }
    if (!isUserId(payload.sub)) return undefined;
    return { id: payload.sub, role: roleIn(payload, config.roleClaim) };
  };
}

function roleIn(payload: JWTPayload, roleClaim: string | undefined): Role {
  if (roleClaim === undefined) return 'user';
  const value = claimAt(payload, roleClaim.split('.'));
  return value === ADMIN || (Array.isArray(value) && value.includes(ADMIN)) ? ADMIN : 'user';
}

/**
 * The value at a dot path such as `realm_access.roles`. A claim's own name may hold dots (Auth0's
 * namespaced `https://example.com/roles`), so at each level the longest name present wins.
 */
export function claimAt(value: unknown, path: readonly string[]): unknown {
  if (path.length === 0) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  for (let taken = path.length; taken > 0; taken--) {
    const name = path.slice(0, taken).join('.');
    if (Object.hasOwn(value, name)) return claimAt((value as Record<string, unknown>)[name], path.slice(taken));
  }
  return undefined;
}
