import { type ClientSession, type Collection, ObjectId } from 'mongodb';
import { assert } from '../assert';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { badInput } from '../errors';
import type { Capacity, ClaimedSlot, ClaimReport } from '../capacity';
import { type RecordResult, recordAll } from '../idempotency';
import { OrderFailed, type Outcome, PlanRefused, Rollback } from '../mongo';
import type { HoldDoc, HoldDocument } from './collections';
import { type MoneySteps, type Reserve, type ReserveRefusal, reserveMoney } from './heldMoney';

export interface DatesHeldResult {
  __typename: 'DatesHeld';
  hold: HoldDocument;
}

export interface DatesUnavailableResult {
  __typename: 'DatesUnavailable';
  dates: string[];
}

export type HoldDatesResult = DatesHeldResult | DatesUnavailableResult | ReserveRefusal;

/** One holdDates request, validated, whose idempotency key is written by `record` inside the claims' transaction. */
export interface HoldRequest {
  caller: Caller;
  resourceId: ObjectId;
  /** Sorted and distinct. */
  dates: string[];
  /** Caller + idempotency key: two requests with one identity never share a transaction (their keys would collide). */
  identity: string;
  record: RecordResult<HoldDatesResult>;
  /** The account the hold's money is held from, with the dates (`reserveFrom`), or null. */
  reserve: Reserve | null;
}

/** Some of the dates have no slot yet: they are created outside the transaction, and the hold runs again. */
export class MissingSlots extends Error {
  constructor(readonly dates: string[]) {
    super('date slots missing');
  }
}

export interface HoldBodyDeps {
  holds: Collection<HoldDoc>;
  capacity: Capacity;
  clock: Clock;
  holdTtlSeconds: number;
  /** The ledger's money steps, run inside the hold's transaction. */
  money: MoneySteps;
}

type HoldOutcome = Outcome<HoldDatesResult>;

export const tooExpensive = () => badInput('dates', 'the total price is too large');

function newHold(deps: HoldBodyDeps, request: HoldRequest, now: Date): HoldDocument {
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
async function price(deps: HoldBodyDeps, session: ClientSession, hold: HoldDocument, slots: ClaimedSlot[]): Promise<boolean> {
  for (const slot of slots) {
    const pricing =
      slot.pricePerDate !== undefined && slot.currency !== undefined
        ? { pricePerDate: slot.pricePerDate, currency: slot.currency }
        : await deps.capacity.resources.pricing(session, hold.resourceId);
    if (!pricing) throw badInput('resourceId', 'no resource has this id');
    hold.amount += pricing.pricePerDate;
    hold.currency = pricing.currency;
  }
  return Number.isSafeInteger(hold.amount);
}

/** After failed claims: the dates of these that have no slot (then the claims decided nothing). */
async function missingSlots(deps: HoldBodyDeps, session: ClientSession, resourceId: ObjectId, dates: string[]): Promise<string[]> {
  const existing = await deps.capacity.claims.existing(session, resourceId, dates);
  return dates.filter((date) => !existing.has(date));
}

/** One hold, any number of dates: each claimed by one conditional update, all or none (a failure rolls back). */
export async function holdAlone(deps: HoldBodyDeps, session: ClientSession, request: HoldRequest): Promise<HoldOutcome[]> {
  const now = deps.clock.now();
  const hold = newHold(deps, request, now);
  const claimed: ClaimedSlot[] = [];
  const taken: string[] = [];
  for (const date of request.dates) {
    const slot = await deps.capacity.claims.claim(session, request.resourceId, date, claimOf(hold), now);
    if (slot) claimed.push(slot);
    else taken.push(date);
  }
  if (taken.length > 0) {
    const missing = await missingSlots(deps, session, request.resourceId, taken);
    if (missing.length > 0) throw new OrderFailed(0, new MissingSlots(missing));
    throw new Rollback<HoldOutcome[]>([{ ok: true, value: { __typename: 'DatesUnavailable', dates: taken } }]);
  }
  if (!(await price(deps, session, hold, claimed))) throw new OrderFailed(0, tooExpensive());
  const [refusal] = await reserveMoney(deps.money, session, [{ hold, reserve: request.reserve }]);
  // Dates and money together or neither: the claims made above roll back with the transaction.
  if (refusal) throw new Rollback<HoldOutcome[]>([{ ok: true, value: refusal }]);
  await deps.holds.insertOne(hold, { session });
  const result: HoldDatesResult = { __typename: 'DatesHeld', hold };
  await recordAll(session, [{ record: request.record, result }]);
  return [{ ok: true, value: result }];
}

/** Several holds in one transaction, set-oriented (see holdCommitter in holdCommit.ts: why each answer is final). */
export async function holdTogether(deps: HoldBodyDeps, session: ClientSession, requests: HoldRequest[]): Promise<HoldOutcome[]> {
  const now = deps.clock.now();
  const batch = requests.map((request) => newHold(deps, request, now));
  const claims = batch.flatMap((hold) => hold.dates.map((date) => ({ resourceId: hold.resourceId, date, claim: claimOf(hold) })));
  const reports = await deps.capacity.claims.claimAll(session, claims, now);
  // Each hold reads its dates' reports by position, so one report per claim is what makes them its own.
  assert(reports.length === claims.length, `claimAll answered ${reports.length} reports for ${claims.length} claims`);
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
        deps,
        session,
        hold,
        own.flatMap((report) => (report.slot ? [report.slot] : [])),
      ))
    ) {
      throw new OrderFailed(index, tooExpensive());
    }
    results.push({ __typename: 'DatesHeld', hold });
  }
  const withMoney = results.flatMap((result, index) =>
    result.__typename === 'DatesHeld' && requests[index].reserve ? [{ hold: result.hold, reserve: requests[index].reserve }] : [],
  );
  // A hold whose money cannot be held must not keep the dates it claimed: the batch commits nothing and each hold runs alone.
  if ((await reserveMoney(deps.money, session, withMoney)).some((refusal) => refusal !== null)) {
    throw new PlanRefused('a hold of the batch got its dates but not its money');
  }
  const held = results.flatMap((result) => (result.__typename === 'DatesHeld' ? [result.hold] : []));
  if (held.length > 0) await deps.holds.insertMany(held, { session });
  await recordAll(
    session,
    results.map((result, index) => ({ record: requests[index].record, result })),
  );
  return results.map((value) => ({ ok: true, value }));
}
