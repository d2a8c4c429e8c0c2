import type { MongoClient } from 'mongodb';
import { badInput, DomainError } from '../errors';
import { type GroupCommitObserver, type GroupCommitOptions, groupCommit, type TransactionStats } from '../mongo';
import {
  type HoldBodyDeps,
  type HoldDatesResult,
  holdAlone,
  type HoldRequest,
  holdTogether,
  MissingSlots,
  tooExpensive,
} from './holdBatch';

export interface HoldCommitDeps extends HoldBodyDeps {
  client: MongoClient;
  observer?: GroupCommitObserver;
  /** How holds are group-committed (default `HOLD_BATCHING`). */
  batching?: GroupCommitOptions;
}

export const HOLD_BATCHING: GroupCommitOptions = { maxConcurrent: 1, maxBatch: 100, maxWaiting: 10_000 };

/** Its slots, and the account its money comes from. */
const lockKeysOf = (request: HoldRequest) => [
  ...request.dates.map((date) => `${request.resourceId.toHexString()}:${date}`),
  ...(request.reserve ? [`account:${request.reserve.account._id.toHexString()}`] : []),
];

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
  const { client, capacity } = deps;
  /** Hold transactions run and attempts made (attempts - runs = write-conflict retries). */
  const stats: TransactionStats = { runs: 0, attempts: 0 };

  const engine = groupCommit<HoldRequest, HoldDatesResult>(
    {
      name: 'holds',
      client,
      run: (session, requests) => (requests.length === 1 ? holdAlone(deps, session, requests[0]) : holdTogether(deps, session, requests)),
      keysOf: lockKeysOf,
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

export type HoldCommitter = ReturnType<typeof holdCommitter>;
