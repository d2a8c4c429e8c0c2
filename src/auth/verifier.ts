import type { Logger } from '../logger';
import { type IdentityProviderConfig, identityProviderVerifier } from './identityProvider';
import { type Caller, verifyToken } from './token';

/** A bearer token's caller, or undefined for a token to refuse; throws when it cannot be judged now (SERVICE_UNAVAILABLE). */
export type TokenVerifier = (token: string) => Promise<Caller | undefined>;

/** Which bearer tokens an instance accepts. */
export interface TokenSettings {
  /** HS256 tokens' secret, used when there is no identity provider. */
  jwtSecret: Uint8Array;
  /** Accept only this identity provider's tokens (`AUTH_JWKS_URL`…): HS256 ones are refused then. */
  identityProvider?: IdentityProviderConfig;
}

/**
 * The one way this instance checks tokens: with `identityProvider`, only that provider's tokens;
 * without it, HS256 with `jwtSecret`, as before.
 */
export function tokenVerifier(options: TokenSettings & { logger?: Logger }): TokenVerifier {
  if (options.identityProvider) return identityProviderVerifier(options.identityProvider, options.logger);
  const { jwtSecret } = options;
  return (token) => verifyToken(jwtSecret, token);
}
