import { createHash, randomUUID } from 'node:crypto';
import { type ClientSession, type Collection, ObjectId } from 'mongodb';
import type { Clock } from '../clock';
import { DomainError, badInput } from '../errors';
import type { Logger } from '../logger';
import { isDuplicateKey } from '../mongo';
import { noteIdempotentReplay } from '../requestContext';
import { KeyAlreadyRecorded, type RecordResult, standaloneInserter } from './batchedKeys';
import type { IdempotencyKeyDoc, KeyDocument } from './collection';

const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** How long a claim is honoured; comfortably longer than the longest request (bounded by driver timeouts). */
export const DEFAULT_LEASE_MS = 30_000;
const MAX_KEY_LENGTH = 255;

export interface IdempotentRequest {
  /** Caller + mutation: the same key from another caller or for another mutation is a different key. */
  scope: string;
  key: string;
  input: unknown;
  /**
   * The whole effect is ONE MongoDB transaction that calls `record` (nothing is written outside it,
   * no Stripe call). The key is then not claimed before the work: `record` inserts it, completed
   * with the result, inside that transaction, and an outcome without an effect is inserted right
   * after. A request that dies leaves no key behind; of concurrent requests with one key, the
   * first to commit wins and the others' insert fails, which aborts their transactions, and they
   * answer the stored result. A key found already there is handled as any claim finds it (stored
   * result, in use, reused, taken over).
   */
  keyWithEffect?: boolean;
}

/**
 * This use of the key, the same for the first request and any that take it over: `id` is the key
 * document's id and `claimedAt` when the first request claimed it. Records, Stripe parameters and
 * Stripe idempotency keys derived from them are found again by a retry instead of made twice.
 */
export interface KeyUse {
  id: ObjectId;
  claimedAt: Date;
}

export type IdempotentWork<T> = (record: RecordResult<T>, key: KeyUse) => Promise<T>;

export type RunIdempotent = <T>(request: IdempotentRequest, work: IdempotentWork<T>) => Promise<T>;

export interface IdempotencyHooks {
  /**
   * Tests only: runs once a request owns its key, before its work, so a test can stall it there as a
   * crash would. A key-with-effect request owns nothing yet there: it runs just before its work.
   */
  afterClaim?: (scope: string, key: string) => Promise<void>;
}

export interface IdempotencyRunnerOptions {
  keys: Collection<IdempotencyKeyDoc>;
  clock: Clock;
  logger: Logger;
  /** How long an `in_progress` key stays its owner's without completing (default `DEFAULT_LEASE_MS`). */
  leaseMs: number;
  hooks?: IdempotencyHooks;
  /** Told what each request's key said (metrics): a new key, a replay, in use, reused with another input, taken over. */
  onOutcome?: (outcome: 'new' | 'replayed' | 'in_use' | 'reused' | 'taken_over') => void;
}

/** JSON with object keys sorted, so the same input always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A duplicate on the key index: the key is already there (a key-with-effect insert lost to another request). */
function isKeyTaken(error: unknown): boolean {
  if (error instanceof KeyAlreadyRecorded) return true;
  if (!isDuplicateKey(error)) return false;
  const pattern = error.keyPattern;
  return pattern ? 'scope' in pattern && 'key' in pattern : /idempotencyKeys/.test(error.message);
}

function keyInUse(message = 'A request with this idempotency key is still running; retry shortly'): DomainError {
  return new DomainError('IDEMPOTENCY_KEY_IN_USE', message, { retryable: true });
}

interface Claim extends KeyUse {
  owner: string;
}

/**
 * Stripe-style idempotency keys. The key is inserted first (`in_progress`, with a hash of the
 * input and a lease) under a unique index, so of many concurrent requests with one key exactly one
 * does the work; the others get the stored result, `IDEMPOTENCY_KEY_IN_USE` while it runs, or
 * `IDEMPOTENCY_KEY_REUSED` if their input differs. A request that throws gives its key back.
 *
 * A request that dies (process killed) leaves its key `in_progress`; once the lease has passed, a
 * retry takes the key over and does the work itself. Completion is fenced by owner: a request that
 * was taken over and wakes up finds its owner gone, so its transaction aborts and it answers
 * `IDEMPOTENCY_KEY_IN_USE` (retryable), whose retry gets the result the new owner stored.
 *
 * A request whose whole effect is one transaction (`keyWithEffect`, e.g. holdDates) skips the
 * claim: its key is inserted once, completed, in the effect's own transaction, which saves the
 * claim's insert and the completion's update (two round trips) and leaves no lease to wait out.
 */
export function idempotencyRunner({ keys, clock, logger, leaseMs, hooks, onOutcome }: IdempotencyRunnerOptions): RunIdempotent {
  async function claim(scope: string, key: string, requestHash: string): Promise<Claim | { stored: unknown }> {
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
      return { id: insertedId, owner, claimedAt: now };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const existing = await keys.findOne({ scope, key });
    // Given back meanwhile, or removed by the TTL monitor.
    if (!existing) return claim(scope, key, requestHash);
    if (existing.expiresAt <= now) {
      // Past its lifetime the key is free again, whether or not the TTL monitor has removed it yet.
      // Deleting it rather than reusing the document gives the new use a new id, so nothing
      // derived from the old use's id (a top-up, a Stripe key) is mistaken for the new one's.
      await keys.deleteOne({ _id: existing._id, expiresAt: { $lte: now } });
      return claim(scope, key, requestHash);
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
    return { id: existing._id, owner, claimedAt: existing.createdAt };
  }

  const insertStandalone = standaloneInserter(keys);

  /**
   * Key with effect: nothing is written before the work. `record` inserts the key, completed, in
   * the effect's transaction; a duplicate there aborts that transaction (no effect), and the key
   * is then handled as found, by the claiming path below.
   */
  async function runWithEffect<T>(request: IdempotentRequest, requestHash: string, work: IdempotentWork<T>): Promise<T> {
    const { scope, key } = request;
    const now = clock.now();
    const use: KeyUse = { id: new ObjectId(), claimedAt: now };
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
      await hooks?.afterClaim?.(scope, key);
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
      return runClaimed(request, requestHash, work);
    }
    onOutcome?.('new');
    return result;
  }

  return async function runIdempotent<T>(request: IdempotentRequest, work: IdempotentWork<T>): Promise<T> {
    const { key } = request;
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw badInput('idempotencyKey', `must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    const requestHash = createHash('sha256').update(canonical(request.input)).digest('hex');
    return request.keyWithEffect ? runWithEffect(request, requestHash, work) : runClaimed(request, requestHash, work);
  };

  /** The key is claimed (inserted `in_progress`, or taken over) before the work, and completed with its effect. */
  async function runClaimed<T>(request: IdempotentRequest, requestHash: string, work: IdempotentWork<T>): Promise<T> {
    const { scope, key } = request;
    const claimed = await claim(scope, key, requestHash);
    if ('stored' in claimed) return claimed.stored as T;
    /** Completes the key only while this request still owns it; otherwise throws, aborting the transaction it runs in. */
    const complete = async (result: T, session?: ClientSession) => {
      const { matchedCount } = await keys.updateOne(
        { _id: claimed.id, owner: claimed.owner, state: 'in_progress' },
        { $set: { state: 'completed', result } },
        { session },
      );
      if (matchedCount === 0) {
        logger.warn({ scope, key, owner: claimed.owner }, 'a request lost its idempotency key to a takeover; its result is discarded');
        throw keyInUse('A retry with this idempotency key took over this request; retry to get its result');
      }
    };
    let result: T;
    let recordedWithEffect: T | undefined;
    try {
      await hooks?.afterClaim?.(scope, key);
      result = await work(
        async (session, value) => {
          await complete(value, session);
          recordedWithEffect = value;
        },
        { id: claimed.id, claimedAt: claimed.claimedAt },
      );
    } catch (error) {
      // By owner: a request that was taken over must not free the key its successor now holds.
      // Best effort: if the database is what failed, the lease frees the key instead.
      await keys.deleteOne({ _id: claimed.id, owner: claimed.owner, state: 'in_progress' }).catch(() => undefined);
      throw error;
    }
    // Outcomes without an effect (dates unavailable, insufficient funds) were not recorded inside a
    // transaction. Each transaction attempt builds a new result object, so identity tells whether
    // the answer we return is the one that committed with the effect. If this request was taken
    // over meanwhile, its answer may not be the stored one, so it answers "retry" instead.
    if (result !== recordedWithEffect) await complete(result);
    return result;
  }
}
