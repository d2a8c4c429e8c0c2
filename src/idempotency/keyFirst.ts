import { randomUUID } from 'node:crypto';
import type { ClientSession } from 'mongodb';
import { DomainError } from '../errors';
import { isDuplicateKey } from '../mongo';
import { noteIdempotentReplay } from '../requestContext';
import { type IdempotentRequest, type IdempotentWork, KEY_LIFETIME_MS, type KeyContext, keyInUse, type TakenKey } from './keyContext';

/**
 * Takes the key before the work: inserts it `in_progress` with a lease, or finds it (stored result,
 * in use, reused with another input), or takes it over from a request that outlived its lease.
 */
export async function takeKey(
  context: KeyContext,
  scope: string,
  key: string,
  requestHash: string,
): Promise<TakenKey | { stored: unknown }> {
  const { keys, clock, logger, leaseMs, onOutcome } = context;
  const now = clock.now();
  const owner = randomUUID();
  const lockedUntil = new Date(now.getTime() + leaseMs);
  try {
    const { insertedId } = await keys.insertOne({
      scope,
      key,
      requestHash,
      state: 'in_progress',
      owner,
      lockedUntil,
      createdAt: now,
      expiresAt: new Date(now.getTime() + KEY_LIFETIME_MS),
    });
    onOutcome?.('new');
    return { id: insertedId, owner, takenAt: now };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  const existing = await keys.findOne({ scope, key });
  // Given back meanwhile, or removed by the TTL monitor.
  if (!existing) return takeKey(context, scope, key, requestHash);
  if (existing.expiresAt <= now) {
    // Past its lifetime the key is free again, whether or not the TTL monitor has removed it yet.
    // Deleting it rather than reusing the document gives the new use a new id, so nothing
    // derived from the old use's id (a top-up, a Stripe key) is mistaken for the new one's.
    await keys.deleteOne({ _id: existing._id, expiresAt: { $lte: now } });
    return takeKey(context, scope, key, requestHash);
  }
  if (existing.requestHash !== requestHash) {
    onOutcome?.('reused');
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with a different input');
  }
  if (existing.state === 'completed') {
    onOutcome?.('replayed');
    // The request's transport tells the client its answer is a replay (knowing nothing of keys).
    noteIdempotentReplay();
    return { stored: existing.result };
  }
  if (!(existing.lockedUntil <= now)) {
    onOutcome?.('in_use');
    throw keyInUse();
  }
  // The owner outlived its lease: presumed dead. One conditional update on the owner we saw
  // decides among concurrent retries; the losers see the new owner's fresh lease.
  const takeover = await keys.updateOne(
    { _id: existing._id, state: 'in_progress', owner: existing.owner, lockedUntil: { $lte: now } },
    { $set: { owner, lockedUntil } },
  );
  if (takeover.modifiedCount === 0) {
    onOutcome?.('in_use');
    throw keyInUse();
  }
  onOutcome?.('taken_over');
  logger.warn(
    { scope, key, previousOwner: existing.owner, owner, lockedUntil: existing.lockedUntil },
    'took over an idempotency key whose request outlived its lease',
  );
  return { id: existing._id, owner, takenAt: existing.createdAt };
}

/** The key is taken (inserted `in_progress`, or taken over) before the work, and completed with its effect. */
export async function runKeyFirst<T>(
  context: KeyContext,
  request: IdempotentRequest,
  requestHash: string,
  work: IdempotentWork<T>,
): Promise<T> {
  const { keys, logger, hooks } = context;
  const { scope, key } = request;
  const taken = await takeKey(context, scope, key, requestHash);
  if ('stored' in taken) return taken.stored as T;
  /** Completes the key only while this request still owns it; otherwise throws, aborting the transaction it runs in. */
  const complete = async (result: T, session?: ClientSession) => {
    const { matchedCount } = await keys.updateOne(
      { _id: taken.id, owner: taken.owner, state: 'in_progress' },
      { $set: { state: 'completed', result } },
      { session },
    );
    if (matchedCount === 0) {
      logger.warn({ scope, key, owner: taken.owner }, 'a request lost its idempotency key to a takeover; its result is discarded');
      throw keyInUse('A retry with this idempotency key took over this request; retry to get its result');
    }
  };
  let result: T;
  let recordedWithEffect: T | undefined;
  try {
    await hooks?.afterKeyTaken?.(scope, key);
    result = await work(
      async (session, value) => {
        await complete(value, session);
        recordedWithEffect = value;
      },
      { id: taken.id, takenAt: taken.takenAt },
    );
  } catch (error) {
    // By owner: a request that was taken over must not free the key its successor now holds.
    // Best effort: if the database is what failed, the lease frees the key instead.
    await keys.deleteOne({ _id: taken.id, owner: taken.owner, state: 'in_progress' }).catch(() => undefined);
    throw error;
  }
  // Outcomes without an effect (dates unavailable, insufficient funds) were not recorded inside a
  // transaction. Each transaction attempt builds a new result object, so identity tells whether
  // the answer we return is the one that committed with the effect. If this request was taken
  // over meanwhile, its answer may not be the stored one, so it answers "retry" instead.
  if (result !== recordedWithEffect) await complete(result);
  return result;
}
