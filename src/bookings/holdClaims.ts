import { type ClientSession, type Collection, type MongoClient, ObjectId } from 'mongodb';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { badInput, DomainError } from '../errors';
import type { Capacity, ClaimedSlot } from '../capacity';
import type { RecordResult } from '../idempotency';
import { isDuplicateKey, Rollback, type TransactionStats, withTransaction } from '../mongo';
import type { HoldDoc, HoldDocument } from './collections';

export interface DatesHeldResult {
  __typename: 'DatesHeld';
  hold: HoldDocument;
}

export interface DatesUnavailableResult {
  __typename: 'DatesUnavailable';
  dates: string[];
}

export type HoldDatesResult = DatesHeldResult | DatesUnavailableResult;

/** One holdDates request, validated, whose idempotency key is written by `record` inside the claim's transaction. */
export interface HoldRequest {
  caller: Caller;
  resourceId: ObjectId;
  /** Sorted and distinct. */
  dates: string[];
  /** Caller + idempotency key: two requests with one identity never share a transaction (their keys would collide). */
  identity: string;
  record: RecordResult<HoldDatesResult>;
}

interface Pending extends HoldRequest {
  resolve(result: HoldDatesResult): void;
  reject(error: unknown): void;
}

/** Some of the dates have no slot yet: they are created outside the transaction, which then runs again. */
class MissingSlots extends Error {
  constructor(readonly dates: string[]) {
    super('date slots missing');
  }
}

/** One member of a batch found its idempotency key already recorded: the others run again without it. */
class MemberFailed extends Error {
  constructor(
    readonly member: Pending,
    readonly error: unknown,
  ) {
    super('one request of a batch failed');
  }
}

export interface HoldClaimDeps {
  client: MongoClient;
  holds: Collection<HoldDoc>;
  capacity: Capacity;
  clock: Clock;
  holdTtlSeconds: number;
  /** Most requests one transaction answers (default 100). */
  maxBatch?: number;
}

/**
 * Claims a hold's dates and inserts the hold in ONE transaction, with the request's idempotency key.
 *
 * The happy path is one conditional update per date (which also returns the date's price, see
 * DateSlotDoc), the hold insert, the key insert and the commit: nothing is read first. The
 * resource is not read (the slot carries its price); the caller's suspension was read with the
 * caller for this request (see HoldService.holdDates); slots are not looked up: only a claim
 * that fails asks, in the same snapshot, whether the slot exists, and missing slots are created
 * outside the transaction (after checking that the resource exists), then the claim runs again.
 *
 * A hot date (many single-date holds on one resource and date) is the hot account's analogue
 * (see src/ledger/batcher.ts): each instance runs at most one claim transaction per slot at a
 * time, and the single-date holds that queued up behind it are answered together by the next one.
 * In it, the requests' claims run one after another until one fails; every later request is
 * answered `DatesUnavailable` from that failed claim, without a claim of its own. That is final:
 * every request of the batch started before the transaction did, so its snapshot already shows
 * any release or expiry that happened before the request; if an earlier claim of the batch took
 * the slot, the transaction has written the slot and a release racing it conflicts (and the
 * transaction runs again); otherwise the failed claim saw the slot full at the snapshot, a moment
 * inside every request's lifetime. A read never decides a win: only a claim's conditional update
 * does. Across instances, conflicts still resolve by withTransaction's retry.
 */
export function holdClaimer(deps: HoldClaimDeps) {
  const { client, holds, capacity, clock } = deps;
  const maxBatch = deps.maxBatch ?? 100;
  /** Claim transactions run and attempts made (attempts - runs = write-conflict retries). */
  const stats: TransactionStats = { runs: 0, attempts: 0 };

  function newHold(request: HoldRequest, now: Date): HoldDocument {
    return {
      _id: new ObjectId(),
      resourceId: request.resourceId,
      userId: request.caller.id,
      dates: request.dates,
      amount: 0,
      currency: '',
      state: 'held',
      expiresAt: new Date(now.getTime() + deps.holdTtlSeconds * 1000),
      createdAt: now,
      updatedAt: now,
    };
  }

  const claimOf = (hold: HoldDocument) => ({ holdId: hold._id, userId: hold.userId, state: 'held' as const, expiresAt: hold.expiresAt });

  /** A claimed slot's price, from the slot or (slots older than the price on slots) from the resource, in the same snapshot. */
  async function priceOf(session: ClientSession, resourceId: ObjectId, slot: ClaimedSlot) {
    if (slot.pricePerDate !== undefined && slot.currency !== undefined) return { pricePerDate: slot.pricePerDate, currency: slot.currency };
    const resource = await capacity.resources.pricing(session, resourceId);
    if (!resource) throw badInput('resourceId', 'no resource has this id');
    return resource;
  }

  /** After failed claims: throws MissingSlots for the dates that have no slot (then the claims decided nothing). */
  async function requireSlots(session: ClientSession, resourceId: ObjectId, dates: string[]): Promise<void> {
    const existing = await capacity.claims.existing(session, resourceId, dates);
    const missing = dates.filter((date) => !existing.has(date));
    if (missing.length > 0) throw new MissingSlots(missing);
  }

  /** One request, any number of dates: each claimed by one conditional update, all or none (a failure rolls back). */
  async function holdOne(session: ClientSession, request: HoldRequest): Promise<HoldDatesResult[]> {
    const now = clock.now();
    const hold = newHold(request, now);
    const claim = claimOf(hold);
    const taken: string[] = [];
    for (const date of request.dates) {
      const slot = await capacity.claims.claim(session, request.resourceId, date, claim, now);
      if (!slot) {
        taken.push(date);
        continue;
      }
      const price = await priceOf(session, request.resourceId, slot);
      hold.amount += price.pricePerDate;
      hold.currency = price.currency;
    }
    if (taken.length > 0) {
      await requireSlots(session, request.resourceId, taken);
      throw new Rollback<HoldDatesResult[]>([{ __typename: 'DatesUnavailable', dates: taken }]);
    }
    if (!Number.isSafeInteger(hold.amount)) throw badInput('dates', 'the total price is too large');
    await holds.insertOne(hold, { session });
    const result: HoldDatesResult = { __typename: 'DatesHeld', hold };
    await request.record(session, result);
    return [result];
  }

  /** Single-date requests on one slot, in one transaction (see above). */
  async function holdBatch(session: ClientSession, batch: Pending[]): Promise<HoldDatesResult[]> {
    const now = clock.now();
    const { resourceId } = batch[0];
    const date = batch[0].dates[0];
    const outcomes: HoldDatesResult[] = [];
    const winners: { member: Pending; result: DatesHeldResult }[] = [];
    let full = false;
    for (const member of batch) {
      if (!full) {
        const hold = newHold(member, now);
        const slot = await capacity.claims.claim(session, resourceId, date, claimOf(hold), now);
        if (slot) {
          const price = await priceOf(session, resourceId, slot);
          hold.amount = price.pricePerDate;
          hold.currency = price.currency;
          const result: DatesHeldResult = { __typename: 'DatesHeld', hold };
          winners.push({ member, result });
          outcomes.push(result);
          continue;
        }
        full = true;
        if (winners.length === 0) await requireSlots(session, resourceId, [date]);
      }
      // Final, see holdClaimer: recorded under the member's key by its runner, after the commit.
      outcomes.push({ __typename: 'DatesUnavailable', dates: [date] });
    }
    if (winners.length > 0) {
      await holds.insertMany(
        winners.map((w) => w.result.hold),
        { session },
      );
    }
    for (const { member, result } of winners) {
      try {
        await member.record(session, result);
      } catch (error) {
        // A retry of a request whose key is recorded: it replays that instead (transient errors retry the batch).
        throw isDuplicateKey(error) ? new MemberFailed(member, error) : error;
      }
    }
    return outcomes;
  }

  /**
   * Before slots are created (a write): the resource must exist and a multi-date total must fit.
   * Answers the requests that may go on.
   */
  async function createSlots(requests: Pending[], dates: string[]): Promise<Pending[]> {
    const resource = await capacity.resources.find(requests[0].resourceId.toHexString());
    if (!resource) {
      requests.forEach((r) => r.reject(badInput('resourceId', 'no resource has this id')));
      return [];
    }
    const rest = requests.filter((r) => {
      if (Number.isSafeInteger(resource.pricePerDate * r.dates.length)) return true;
      r.reject(badInput('dates', 'the total price is too large'));
      return false;
    });
    if (rest.length > 0) await capacity.ensureSlots(resource._id, dates);
    return rest;
  }

  /** Runs requests (one of any dates, or a batch on one slot) to an answer each; never throws. */
  async function settle(requests: Pending[]): Promise<void> {
    for (let creations = 0; requests.length > 0;) {
      let outcomes: HoldDatesResult[];
      try {
        const run = requests;
        outcomes = await withTransaction<HoldDatesResult[]>(
          client,
          (session) => (run.length === 1 ? holdOne(session, run[0]) : holdBatch(session, run)),
          stats,
        );
      } catch (error) {
        if (error instanceof MemberFailed) {
          error.member.reject(error.error);
          requests = requests.filter((r) => r !== error.member);
          continue;
        }
        if (error instanceof MissingSlots) {
          if (creations === 2) {
            const gone = new DomainError('SERVICE_UNAVAILABLE', 'The dates could not be prepared; retry shortly', { retryable: true });
            requests.forEach((r) => r.reject(gone));
            return;
          }
          creations += 1;
          try {
            requests = await createSlots(requests, error.dates);
          } catch (creationError) {
            requests.forEach((r) => r.reject(creationError));
            return;
          }
          continue;
        }
        requests.forEach((r) => r.reject(error));
        return;
      }
      requests.forEach((r, i) => r.resolve(outcomes[i]));
      return;
    }
  }

  const queues = new Map<string, Pending[]>();

  async function drain(key: string, queue: Pending[]): Promise<void> {
    while (queue.length > 0) {
      const batch: Pending[] = [];
      const later: Pending[] = [];
      const identities = new Set<string>();
      for (const pending of queue) {
        if (batch.length < maxBatch && !identities.has(pending.identity)) {
          identities.add(pending.identity);
          batch.push(pending);
        } else later.push(pending);
      }
      queue.splice(0, queue.length, ...later);
      await settle(batch).catch((error) => batch.forEach((pending) => pending.reject(error)));
    }
    // No await between the emptiness check and this delete, so no request can slip in unseen.
    queues.delete(key);
  }

  function claimHold(request: HoldRequest): Promise<HoldDatesResult> {
    return new Promise<HoldDatesResult>((resolve, reject) => {
      const pending: Pending = { ...request, resolve, reject };
      if (request.dates.length > 1) {
        void settle([pending]).catch(reject);
        return;
      }
      const key = `${request.resourceId.toHexString()}:${request.dates[0]}`;
      const queue = queues.get(key);
      if (queue) {
        queue.push(pending);
        return;
      }
      const fresh = [pending];
      queues.set(key, fresh);
      void drain(key, fresh);
    });
  }

  return { claimHold, stats };
}

export type HoldClaimer = ReturnType<typeof holdClaimer>;
