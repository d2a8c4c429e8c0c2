import type { Caller } from './token';
import { apiError } from '../graphql/errors';

export function requireCaller(caller: Caller | undefined): Caller {
  if (!caller) throw apiError('UNAUTHENTICATED', 'A valid bearer token is required');
  return caller;
}

export function requireAdmin(caller: Caller | undefined): Caller {
  const known = requireCaller(caller);
  if (known.role !== 'admin') throw apiError('FORBIDDEN', 'This operation needs the admin role');
  return known;
}

/** Owners act on their own things; admins on anyone's. */
export function requireOwnerOrAdmin(caller: Caller | undefined, ownerId: string): Caller {
  const known = requireCaller(caller);
  if (known.role !== 'admin' && known.id !== ownerId) throw apiError('FORBIDDEN', 'This belongs to another user');
  return known;
}
