import type { Caller } from './token';

/**
 * Who may see or act on something a user owns. Reads are owner-or-admin; money-moving actions
 * on an account are owner-only (`ownerOnly`). Everything that fails this check is answered exactly
 * as a missing id is (null, `NOT_FOUND` or the `…NotFound` union member), so nobody can learn that
 * someone else's hold, booking or account exists.
 */
export function visibleTo<T>(caller: Caller, doc: T | null, ownerOf: (doc: T) => string, ownerOnly = false): T | null {
  if (!doc) return null;
  if (ownerOf(doc) === caller.id) return doc;
  return !ownerOnly && caller.role === 'admin' ? doc : null;
}
