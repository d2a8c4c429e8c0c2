import { type ClientSession, type Collection, type MongoClient, ObjectId } from 'mongodb';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { badInput, DomainError } from '../errors';
import type { Capacity, ClaimedSlot, ClaimReport } from '../capacity';
import { type RecordResult, recordAll } from '../idempotency';
import {
  type GroupCommitObserver,
  type GroupCommitOptions,
  groupCommit,
  OrderFailed,
  type Outcome,
  PlanRefused,
  Rollback,
  type TransactionStats,
} from '../mongo';
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

/** One holdDates request, validated, whose idempotency key is written by `record` inside the claims' transaction. */
export interface HoldRequest {
  caller: Caller;
  resourceId: ObjectId;
  /** Sorted and distinct. */
  dates: string[];
  /** Caller + idempotency key: two requests with one identity never share a transaction (their keys would collide). */
  identity: string;
  record: RecordResult<HoldDatesResult>;
}

/** Some of the dates have no slot yet: they are created outside the transaction, and the hold runs again. */
class MissingSlots extends Error {
  constructor(readonly dates: string[]) {
    super('date slots missing');
  }
}

export interface HoldCommitDeps {
  client: MongoClient;
  holds: Collection<HoldDoc>;
  capacity: Capacity;
  clock: Clock;
  holdTtlSeconds: number;
  observer?: GroupCommitObserver;
  /** How holds are group-committed (default `HOLD_BATCHING`). */
  batching?: GroupCommitOptions;
}

export const HOLD_BATCHING: GroupCommitOptions = { maxConcurrent: 1, maxBatch: 100, maxWaiting: 10_000 };

type HoldOutcome = Outcome<HoldDatesResult>;

const slotKeysOf = (request: HoldRequest) => request.dates.map((date) => `${request.resourceId.toHexString()}:${date}`);
const tooExpensive = () => badInput('dates', 'the total price is too large');

/**
 * Holds, group-committed (src/mongo/groupCommit): every date a hold claims is a lock key, so holds on
 * different dates and resources share one transaction, and a hot date's crowd is answered by few.
 *
 * A batch of several is set-oriented: ONE ordered `bulkWrite` of every hold's conditional claims
 * (capacity `claimAll`; each filter the precondition, so each claim is decided by its own write, in
 * arrival order), one read of the claimed slots (prices; which claims applied), ONE `insertMany` of
 * the holds and ONE of their idempotency keys, then the commit. A hold whose claims all failed is
 * answered `DatesUnavailable` from those failed writes, which is final: every request of the batch
 * started before the transaction did, so the snapshot its claims saw is a moment inside its lifetime.
 * A hold that got some dates but not all cannot commit without undoing its claims, so the batch
 * commits nothing (`PlanRefused`) and its holds run again alone: every answer is exactly what it
 * would be alone. A hold alone claims its dates one `findOneAndUpdate` each (`holdAlone`).
 *
 * Nothing is read before the claims: not the resource (the slot carries its price), not the
 * caller's suspension (read with the caller for this request, see HoldService.holdDates), not the
 * slots (only a claim that fails asks whether its slot exists; missing slots are created outside
 * the transaction, after checking that the resource exists, and the hold runs again).
 */
export function holdCommitter(deps: HoldCommitDeps) {
  const { client, holds, capacity, clock } = deps;
  /** Hold transactions run and attempts made (attempts - runs = write-conflict retries). */
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

  /** Sets the hold's total from its claimed slots (slots older than the price on slots: from the resource, same snapshot); false if too large. */
  async function price(session: ClientSession, hold: HoldDocument, slots: ClaimedSlot[]): Promise<boolean> {
    for (const slot of slots) {
      const pricing =
        slot.pricePerDate !== undefined && slot.currency !== undefined
          ? { pricePerDate: slot.pricePerDate, currency: slot.currency }
          : await capacity.resources.pricing(session, hold.resourceId);
      if (!pricing) throw badInput('resourceId', 'no resource has this id');
      hold.amount += pricing.pricePerDate;
      hold.currency = pricing.currency;
    }
    return Number.isSafeInteger(hold.amount);
  }

  /** After failed claims: the dates of these that have no slot (then the claims decided nothing). */
  async function missingSlots(session: ClientSession, resourceId: ObjectId, dates: string[]): Promise<string[]> {
    const existing = await capacity.claims.existing(session, resourceId, dates);
    return dates.filter((date) => !existing.has(date));
  }

  /** One hold, any number of dates: each claimed by one conditional update, all or none (a failure rolls back). */
  async function holdAlone(session: ClientSession, request: HoldRequest): Promise<HoldOutcome[]> {
    const now = clock.now();
    const hold = newHold(request, now);
    const claimed: ClaimedSlot[] = [];
    const taken: string[] = [];
    for (const date of request.dates) {
      const slot = await capacity.claims.claim(session, request.resourceId, date, claimOf(hold), now);
      if (slot) claimed.push(slot);
      else taken.push(date);
    }
    if (taken.length > 0) {
      const missing = await missingSlots(session, request.resourceId, taken);
      if (missing.length > 0) throw new OrderFailed(0, new MissingSlots(missing));
      throw new Rollback<HoldOutcome[]>([{ ok: true, value: { __typename: 'DatesUnavailable', dates: taken } }]);
    }
    if (!(await price(session, hold, claimed))) throw new OrderFailed(0, tooExpensive());
    await holds.insertOne(hold, { session });
    const result: HoldDatesResult = { __typename: 'DatesHeld', hold };
    await recordAll(session, [{ record: request.record, result }]);
    return [{ ok: true, value: result }];
  }

  /** Several holds in one transaction, set-oriented (see above). */
  async function holdTogether(session: ClientSession, requests: HoldRequest[]): Promise<HoldOutcome[]> {
    const now = clock.now();
    const batch = requests.map((request) => newHold(request, now));
    const reports = await capacity.claims.claimAll(
      session,
      batch.flatMap((hold) => hold.dates.map((date) => ({ resourceId: hold.resourceId, date, claim: claimOf(hold) }))),
      now,
    );
    let next = 0;
    const results: HoldDatesResult[] = [];
    for (const [index, hold] of batch.entries()) {
      const own: ClaimReport[] = reports.slice(next, (next += hold.dates.length));
      const missing = hold.dates.filter((_, i) => own[i].slot === null);
      if (missing.length > 0) throw new OrderFailed(index, new MissingSlots(missing));
      const applied = own.filter((report) => report.applied).length;
      if (applied === 0) {
        results.push({ __typename: 'DatesUnavailable', dates: hold.dates });
        continue;
      }
      if (applied < hold.dates.length) throw new PlanRefused('a hold of the batch got some of its dates but not all');
      if (
        !(await price(
          session,
          hold,
          own.flatMap((report) => (report.slot ? [report.slot] : [])),
        ))
      ) {
        throw new OrderFailed(index, tooExpensive());
      }
      results.push({ __typename: 'DatesHeld', hold });
    }
    const held = results.flatMap((result) => (result.__typename === 'DatesHeld' ? [result.hold] : []));
    if (held.length > 0) await holds.insertMany(held, { session });
    await recordAll(
      session,
      results.map((result, index) => ({ record: requests[index].record, result })),
    );
    return results.map((value) => ({ ok: true, value }));
  }

  const engine = groupCommit<HoldRequest, HoldDatesResult>(
    {
      name: 'holds',
      client,
      run: (session, requests) => (requests.length === 1 ? holdAlone(session, requests[0]) : holdTogether(session, requests)),
      keysOf: slotKeysOf,
      distinctOf: (request) => request.identity,
      transactionStats: stats,
      observer: deps.observer,
    },
    deps.batching ?? HOLD_BATCHING,
  );

  /** Before slots are created (a write): the resource must exist and the hold's total must fit. */
  async function createSlots(request: HoldRequest, dates: string[]): Promise<void> {
    const resource = await capacity.resources.find(request.resourceId.toHexString());
    if (!resource) throw badInput('resourceId', 'no resource has this id');
    if (!Number.isSafeInteger(resource.pricePerDate * request.dates.length)) throw tooExpensive();
    await capacity.ensureSlots(resource._id, dates);
  }

  /** Claims the hold's dates and inserts it, with its key, in one transaction (alone or in a batch). */
  async function hold(request: HoldRequest): Promise<HoldDatesResult> {
    for (let creations = 0; ; creations += 1) {
      try {
        return await engine.submit(request);
      } catch (error) {
        if (!(error instanceof MissingSlots)) throw error;
        if (creations === 2)
          throw new DomainError('SERVICE_UNAVAILABLE', 'The dates could not be prepared; retry shortly', { retryable: true });
        await createSlots(request, error.dates);
      }
    }
  }

  return { hold, stats, waiting: engine.waiting };
}
