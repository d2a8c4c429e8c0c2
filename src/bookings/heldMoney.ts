import type { ClientSession, ObjectId } from 'mongodb';
import { ObjectId as NewId } from 'mongodb';
import { assert } from '../assert';
import type { AccountDocument, AuthorizeOrder, AuthorizeResult, Ledger, VoidResult } from '../ledger';
import { PlanRefused } from '../mongo';
import type { HoldDocument } from './collections';

/** Where a hold's money comes from (`holdDates` with `reserveFrom`): read when the request arrived, as accounts never change owner or currency. */
export interface Reserve {
  account: Pick<AccountDocument, '_id' | 'currency' | 'ownerId'>;
  /** The house account of the account's currency, which receives the money when the hold is paid. */
  houseAccountId: ObjectId;
}

export type MoneySteps = Pick<Ledger, 'moveMoneyWithin' | 'accounts'>;

/** What a hold with money answers when its money cannot be held: nothing is claimed. */
export type ReserveRefusal = Exclude<AuthorizeResult, { __typename: 'TransferAuthorized' | 'AccountNotFound' }>;

/** The authorization of the hold's amount, expiring at the hold's own `expiresAt`: the two lapse at one instant by construction. */
function authorizeOrder(hold: HoldDocument, reserve: Reserve): AuthorizeOrder {
  return {
    kind: 'authorize',
    key: `hold:${hold._id.toHexString()}`,
    initiatedBy: hold.userId,
    fromAccountId: reserve.account._id.toHexString(),
    toAccountId: reserve.houseAccountId.toHexString(),
    amount: hold.amount,
    expiry: { at: hold.expiresAt },
    memo: `hold ${hold._id.toHexString()}`,
    authorizationId: new NewId(),
    holdId: hold._id,
    record: null,
  };
}

/**
 * Holds each hold's money in the hold's transaction, after its dates were claimed and priced: ONE
 * money step for all of them (the ledger's conditional updates on available funds decide). Returns,
 * per hold, null when its money is held (and the hold records its authorization) or the answer that
 * refuses it. A hold priced in another currency than its account is refused before any money moves.
 */
export async function reserveMoney(
  money: MoneySteps,
  session: ClientSession,
  holds: { hold: HoldDocument; reserve: Reserve | null }[],
): Promise<(ReserveRefusal | null)[]> {
  const answers: (ReserveRefusal | null)[] = holds.map(({ hold, reserve }) =>
    reserve && reserve.account.currency !== hold.currency
      ? { __typename: 'CurrencyMismatch', fromCurrency: reserve.account.currency, toCurrency: hold.currency }
      : null,
  );
  const orders = holds.flatMap(({ hold, reserve }, index) =>
    reserve && !answers[index] ? [{ index, hold, order: authorizeOrder(hold, reserve) }] : [],
  );
  if (orders.length === 0) return answers;
  const outcomes = await money.moveMoneyWithin(
    session,
    orders.map(({ order }) => order),
  );
  for (const [i, { index, hold, order }] of orders.entries()) {
    const outcome = outcomes[i];
    if (!outcome.ok) throw outcome.error;
    const result = outcome.value as AuthorizeResult;
    if (result.__typename === 'TransferAuthorized') {
      const { fromAccountId, toAccountId, _id } = result.authorization;
      hold.reservation = { accountId: fromAccountId, houseAccountId: toAccountId, authorizationId: _id };
      continue;
    }
    // The account was read owned by the hold's owner when the request arrived; owners never change.
    if (result.__typename === 'AccountNotFound') throw new PlanRefused(`the account ${order.fromAccountId} vanished`);
    answers[index] = result;
  }
  return answers;
}

/** The step that releases a hold's money (in the hold's release transaction): a void of its authorization, unless it lapsed already. */
export async function releaseMoney(money: MoneySteps, session: ClientSession, hold: HoldDocument): Promise<void> {
  const { reservation } = hold;
  if (!reservation) return;
  const [outcome] = await money.moveMoneyWithin(session, [
    {
      kind: 'void',
      key: `release:${hold._id.toHexString()}`,
      initiatedBy: hold.userId,
      authorizationId: reservation.authorizationId.toHexString(),
      accounts: [reservation.accountId.toHexString(), reservation.houseAccountId.toHexString()],
      record: null,
    },
  ]);
  if (!outcome.ok) throw outcome.error;
  const result = outcome.value as VoidResult;
  assert(result.__typename !== 'AuthorizationNotFound', `hold ${hold._id.toHexString()}'s authorization exists`);
}
