import type { Caller } from './token';
import { apiError } from '../graphql/errors';

export function requireCaller<C extends Caller>(caller: C | undefined): C {
  if (!caller) throw apiError('UNAUTHENTICATED', 'A valid bearer token is required');
  return caller;
}

/** A fast first check with the role read for this request; admin actions check again in their transaction. */
export function requireAdmin<C extends Caller>(caller: C | undefined): C {
  const known = requireCaller(caller);
  if (known.role !== 'admin') throw apiError('FORBIDDEN', 'This operation needs the admin role');
  return known;
}
