import { type ClientSession, ObjectId } from 'mongodb';
import type { RecordResult } from './batchedKeys';
import type { KeyDocument } from './collection';
import { type IdempotentRequest, type IdempotentWork, isKeyTaken, KEY_LIFETIME_MS, type KeyContext, type KeyUse } from './keyContext';
import { runKeyFirst } from './keyFirst';

/**
 * Key with effect: nothing is written before the work. `record` inserts the key, completed, in
 * the effect's transaction; a duplicate there aborts that transaction (no effect), and the key
 * is then handled as found, by the key-first path below.
 */
export async function runWithEffect<T>(
  context: KeyContext,
  request: IdempotentRequest,
  requestHash: string,
  work: IdempotentWork<T>,
): Promise<T> {
  const { keys, clock, hooks, onOutcome, insertStandalone } = context;
  const { scope, key } = request;
  const now = clock.now();
  const use: KeyUse = { id: new ObjectId(), takenAt: now };
  const completed = (result: T): KeyDocument => ({
    _id: use.id,
    scope,
    key,
    requestHash,
    state: 'completed',
    owner: 'with-effect',
    lockedUntil: now,
    result,
    createdAt: now,
    expiresAt: new Date(now.getTime() + KEY_LIFETIME_MS),
  });
  let recordedWithEffect: T | undefined;
  let result: T;
  try {
    await hooks?.afterKeyTaken?.(scope, key);
    const recorded = (value: T) => {
      recordedWithEffect = value;
    };
    const record: RecordResult<T> = Object.assign(
      async (session: ClientSession, value: T) => {
        await keys.insertOne(completed(value), { session });
        recorded(value);
      },
      { batched: { keys, document: completed, recorded } },
    );
    result = await work(record, use);
    // An outcome without an effect (dates unavailable): recorded now, outside any transaction.
    if (result !== recordedWithEffect) await insertStandalone(completed(result));
  } catch (error) {
    if (!isKeyTaken(error)) throw error;
    return runKeyFirst(context, request, requestHash, work);
  }
  onOutcome?.('new');
  return result;
}
