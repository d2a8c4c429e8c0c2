import type { ClientSession, ObjectId } from 'mongodb';
import { assert } from '../assert';
import { recordAll } from '../idempotency';
import { type Outcome, parseObjectId, PlanRefused } from '../mongo';
import type { UserService } from '../users';
import { planAuthorize, planCapture, planVoid } from './authorizationPlans';
import type { AccountDocument, AuthorizationDocument, LedgerCollections } from './collections';
import { accountIdsOf, type Order, type OrderResult } from './moneyOrders';
import { type AccountView, MoneyPlan, type Planned } from './moneyPlan';

export type { AccountView } from './moneyPlan';

export interface MoneyBatchDeps {
  collections: LedgerCollections;
  users: Pick<UserService, 'suspendedLookup' | 'suspendedError'>;
  now(): Date;
  /** How a batch reads its accounts (default `readAccounts`); tests hand it a stale view to show the writes still decide. */
  read?: AccountReader;
}

export type AccountReader = (deps: MoneyBatchDeps, session: ClientSession, ids: ObjectId[]) => Promise<Map<string, AccountView>>;

const SUSPENDED = '_ownerSuspended';

/** Every account of the batch and whether its owner is suspended: ONE aggregate, on the transaction's snapshot. */
export const readAccounts: AccountReader = async (deps, session, ids) => {
  const docs = await deps.collections.accounts
    .aggregate<AccountDocument & { [SUSPENDED]: boolean }>(
      [{ $match: { _id: { $in: ids } } }, ...deps.users.suspendedLookup('ownerId', SUSPENDED)],
      { session },
    )
    .toArray();
  return new Map(
    docs.map(({ [SUSPENDED]: ownerSuspended, ...doc }) => [doc._id.toHexString(), { doc, ownerSuspended } satisfies AccountView]),
  );
};

/** The distinct ids among `ids` that are ObjectIds, keyed by their hex. */
function objectIds(ids: string[]): ObjectId[] {
  const found = new Map<string, ObjectId>();
  for (const id of ids) {
    const _id = parseObjectId(id);
    if (_id) found.set(_id.toHexString(), _id);
  }
  return [...found.values()];
}

/** The authorizations the batch's captures and voids name: ONE find on the snapshot, none without them. */
async function readAuthorizations(deps: MoneyBatchDeps, session: ClientSession, orders: Order[]) {
  const ids = objectIds(orders.flatMap((order) => (order.kind === 'capture' || order.kind === 'void' ? [order.authorizationId] : [])));
  const docs: AuthorizationDocument[] =
    ids.length > 0 ? await deps.collections.authorizations.find({ _id: { $in: ids } }, { session }).toArray() : [];
  return new Map(docs.map((doc) => [doc._id.toHexString(), doc]));
}

function planOrder(plan: MoneyPlan, order: Order): Planned {
  switch (order.kind) {
    case 'transfer':
      return plan.transfer(order);
    case 'withdrawal':
      return plan.withdrawal(order);
    case 'authorize':
      return planAuthorize(plan, order);
    case 'capture':
      return planCapture(plan, order);
    case 'void':
      return planVoid(plan, order);
  }
}

/** Writes the plan: each collection's writes in ONE round trip, every conditional one checked to have applied. */
async function writePlan(deps: MoneyBatchDeps, session: ClientSession, plan: MoneyPlan): Promise<void> {
  const { accounts, authorizations, transfers, entries } = deps.collections;
  if (plan.accountWrites.length > 0) {
    const written = await accounts.bulkWrite(plan.accountWrites, { session, ordered: true });
    const expected = plan.accountWrites.length;
    if (written.matchedCount !== expected || written.modifiedCount !== expected) {
      throw new PlanRefused(`${expected - written.modifiedCount} of ${expected} balance changes refused`);
    }
  }
  if (plan.authorizationWrites.length > 0) {
    const written = await authorizations.bulkWrite(plan.authorizationWrites, { session, ordered: true });
    const expected = plan.authorizationWrites.length;
    if (written.insertedCount + written.modifiedCount !== expected) {
      throw new PlanRefused(`${expected - written.insertedCount - written.modifiedCount} of ${expected} authorization changes refused`);
    }
  }
  if (plan.transfers.length > 0) await transfers.insertMany(plan.transfers, { session });
  if (plan.entries.length > 0) await entries.insertMany(plan.entries, { session });
}

/**
 * One batch's transaction body, set-oriented: whatever the number of orders, it costs one read of
 * the accounts (and one of the authorizations its captures and voids name), the orders' key records,
 * one `bulkWrite` of every balance and reservation change, one of the authorizations' changes, and
 * one `insertMany` of the transfers and one of the ledger entries.
 *
 * The reads are on the transaction's snapshot; each order is then decided in arrival order against
 * what the orders before it left (moneyPlan.ts), exactly as a `findOneAndUpdate` per order would see
 * it. The plan never decides alone: every write is a conditional statement (available funds, a
 * live authorization, the 2^53 bound), and unless every one applied the batch throws `PlanRefused`
 * and nothing commits. A concurrent write to any of the documents after the snapshot is a write
 * conflict, so the transaction retries from a fresh read. Also one step of another module's
 * transaction (a hold's reservation, a hold paid from a balance), with orders that record no key.
 */
export async function moveMoney(deps: MoneyBatchDeps, session: ClientSession, orders: Order[]): Promise<Outcome<OrderResult>[]> {
  const accounts = await (deps.read ?? readAccounts)(deps, session, objectIds(orders.flatMap(accountIdsOf)));
  const plan = new MoneyPlan(deps.now(), accounts, await readAuthorizations(deps, session, orders), deps.users);
  const outcomes = orders.map((order) => planOrder(plan, order));
  assert(outcomes.length === orders.length, `${outcomes.length} outcomes planned for ${orders.length} orders`);

  // The keys first, in one insert: one already recorded (a retry's twin that committed first) fails
  // its order (OrderFailed) before anything else is written. The transaction is all or nothing either way.
  await recordAll(
    session,
    outcomes.map((outcome) => (outcome.ok && outcome.record ? { record: outcome.record, result: outcome.value } : null)),
  );
  await writePlan(deps, session, plan);
  return outcomes.map((outcome) => (outcome.ok ? { ok: true, value: outcome.value } : outcome));
}
