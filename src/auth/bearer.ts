import { DomainError } from '../errors';
import type { Caller } from './token';
import type { TokenVerifier } from './verifier';

/**
 * Reads `Bearer <jwt>`. No header means an anonymous caller (resolvers decide what needs one);
 * a header with a bad token is refused outright rather than silently treated as anonymous.
 */
export async function callerFromAuthorization(verify: TokenVerifier, header: unknown): Promise<Caller | undefined> {
  if (header === undefined || header === null || header === '') return undefined;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  const caller = match ? await verify(match[1]) : undefined;
  if (!caller) throw new DomainError('UNAUTHENTICATED', 'The bearer token is invalid or expired');
  return caller;
}
