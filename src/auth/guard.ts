import type { Caller } from './token';
import { DomainError } from '../errors';

export function requireCaller<C extends Caller>(caller: C | undefined): C {
  if (!caller) throw new DomainError('UNAUTHENTICATED', 'A valid bearer token is required');
  return caller;
}

/** A fast first check with the role read for this request; admin actions check again in their transaction. */
export function requireAdmin<C extends Caller>(caller: C | undefined): C {
  const known = requireCaller(caller);
  if (known.role !== 'admin') throw new DomainError('FORBIDDEN', 'This operation needs the admin role');
  return known;
}
