import type { Collection, Document, Filter, WithId } from 'mongodb';
import { badInput } from '../errors';
import { parseObjectId } from '../mongo/ids';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A connection's `first`/`after` arguments as the schema passes them. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** ObjectIds grow with time, so `_id` order is creation order. */
export type IdOrder = 'newestFirst' | 'oldestFirst';

/**
 * One page of `filter`'s documents in `_id` order; the cursor is the last `_id` seen. Because `_id`
 * is unique and never changes, a document inserted or deleted between pages never shifts or repeats
 * another one.
 */
export async function pageById<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  { first, after }: PageArgs,
  order: IdOrder = 'newestFirst',
): Promise<Page<WithId<T>>> {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw badInput('first', `must be 1 to ${MAX_PAGE_SIZE}`);
  const afterId = after ? parseObjectId(after) : undefined;
  if (after && !afterId) throw badInput('after', 'is not a cursor this API gave out');
  const direction = order === 'newestFirst' ? -1 : 1;
  const beyond = direction === -1 ? { $lt: afterId } : { $gt: afterId };
  const query = (afterId ? { $and: [filter, { _id: beyond }] } : filter) as Filter<T>;
  const docs = await collection
    .find(query)
    .sort({ _id: direction })
    .limit(size + 1)
    .toArray();
  const edges = docs.slice(0, size).map((node) => ({ cursor: String(node._id), node }));
  return { edges, pageInfo: { hasNextPage: docs.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
}
