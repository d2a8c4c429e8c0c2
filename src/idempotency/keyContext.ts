import type { Collection, ObjectId } from 'mongodb';
import type { Clock } from '../clock';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import { isDuplicateKey } from '../mongo';
import { KeyAlreadyRecorded, type RecordResult } from './batchedKeys';
import type { IdempotencyKeyDoc, KeyDocument } from './collection';

export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** How long a taken key stays its request's; comfortably longer than the longest request (bounded by driver timeouts). */
export const DEFAULT_LEASE_MS = 30_000;

export interface IdempotentRequest {
  /** Caller + mutation: the same key from another caller or for another mutation is a different key. */
  scope: string;
  key: string;
  input: unknown;
  /**
   * The whole effect is ONE MongoDB transaction that calls `record` (nothing is written outside it,
   * no Stripe call). The key is then not taken before the work: `record` inserts it, completed
   * with the result, inside that transaction, and an outcome without an effect is inserted right
   * after. A request that dies leaves no key behind; of concurrent requests with one key, the
   * first to commit wins and the others' insert fails, which aborts their transactions, and they
   * answer the stored result. A key found already there is handled as taking it finds it (stored
   * result, in use, reused, taken over).
   */
  keyWithEffect?: boolean;
}

/**
 * This use of the key, the same for the first request and any that take it over: `id` is the key
 * document's id and `takenAt` when the first request took it. Records, Stripe parameters and
 * Stripe idempotency keys derived from them are found again by a retry instead of made twice.
 */
export interface KeyUse {
  id: ObjectId;
  takenAt: Date;
}

export type IdempotentWork<T> = (record: RecordResult<T>, key: KeyUse) => Promise<T>;

export type RunIdempotent = <T>(request: IdempotentRequest, work: IdempotentWork<T>) => Promise<T>;

export interface IdempotencyHooks {
  /**
   * Tests only: runs once a request owns its key, before its work, so a test can stall it there as a
   * crash would. A key-with-effect request owns nothing yet there: it runs just before its work.
   */
  afterKeyTaken?: (scope: string, key: string) => Promise<void>;
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

/** What both ways of running a keyed request share: the key store and what to tell. */
export interface KeyContext extends IdempotencyRunnerOptions {
  /** Outcomes without an effect, inserted outside any transaction, batched per turn of the event loop. */
  insertStandalone(doc: KeyDocument): Promise<void>;
}

export /** A duplicate on the key index: the key is already there (a key-with-effect insert lost to another request). */
function isKeyTaken(error: unknown): boolean {
  if (error instanceof KeyAlreadyRecorded) return true;
  if (!isDuplicateKey(error)) return false;
  const pattern = error.keyPattern;
  return pattern ? 'scope' in pattern && 'key' in pattern : /idempotencyKeys/.test(error.message);
}

export function keyInUse(message = 'A request with this idempotency key is still running; retry shortly'): DomainError {
  return new DomainError('IDEMPOTENCY_KEY_IN_USE', message, { retryable: true });
}

export interface TakenKey extends KeyUse {
  owner: string;
}
