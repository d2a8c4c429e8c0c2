import type { Collection, Document, Filter, WithId } from 'mongodb';
import { badInput } from '../errors';
import { parseObjectId } from '../mongo/ids';

export const MAX_PAGE_SIZE = 100;

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Newest first by `_id` (ObjectIds grow with time); the cursor is the last `_id` seen. */
export async function pageByIdDescending<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  first: number,
  after: string | null | undefined,
): Promise<Page<WithId<T>>> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badInput('first', `must be 1 to ${MAX_PAGE_SIZE}`);
  const afterId = after ? parseObjectId(after) : undefined;
  if (after && !afterId) throw badInput('after', 'is not a cursor this API gave out');
  const query = (afterId ? { $and: [filter, { _id: { $lt: afterId } }] } : filter) as Filter<T>;
  const docs = await collection
    .find(query)
    .sort({ _id: -1 })
    .limit(first + 1)
    .toArray();
  const edges = docs.slice(0, first).map((node) => ({ cursor: String(node._id), node }));
  return { edges, pageInfo: { hasNextPage: docs.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
