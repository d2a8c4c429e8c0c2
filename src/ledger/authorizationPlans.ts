import { ObjectId } from 'mongodb';
import { badInput } from '../errors';
import type { AccountAuthorization, AuthorizationDocument } from './collections';
import { addAuthorization, fundsFilter, holdsLive, liveAuthorizations } from './funds';
import { type MoneyPlan, planned, refused } from './moneyPlan';
import type { AuthorizeOrder, CaptureOrder, VoidOrder } from './moneyOrders';
import { balanceOverflow } from './balances';

/** ACTIVE and unexpired: the only state a capture or void acts on. */
export const isAuthorizationLive = (authorization: AuthorizationDocument, now: Date) =>
  authorization.status === 'ACTIVE' && authorization.expiresAt > now;

/** Same checks and precedence as a transfer; the funds reserved are the source's available funds. */
export function planAuthorize(plan: MoneyPlan, order: AuthorizeOrder) {
  const { amount, record } = order;
  const { now } = plan;
  const checked = plan.parties(order);
  if ('refusal' in checked) return checked.refusal;
  const { source, target } = checked;
  const currency = source.doc.currency;

  const expiresAt = 'at' in order.expiry ? order.expiry.at : new Date(now.getTime() + order.expiry.inSeconds * 1000);
  const authorization: AuthorizationDocument = {
    _id: order.authorizationId ?? new ObjectId(),
    fromAccountId: source.doc._id,
    toAccountId: target.doc._id,
    amount,
    capturedAmount: 0,
    currency,
    status: 'ACTIVE',
    expiresAt,
    memo: order.memo,
    initiatedBy: order.initiatedBy,
    holdId: order.holdId,
    transferId: null,
    createdAt: now,
    updatedAt: now,
  };
  const entry: AccountAuthorization = { authorizationId: authorization._id, amount, expiresAt };
  // The same funds check as a debit decides; the update adds the entry (and drops lapsed ones).
  plan.accountWrites.push({
    updateOne: { filter: fundsFilter(source.doc._id, currency, amount, now), update: addAuthorization(entry, now) },
  });
  plan.change(source, { authorizations: [...liveAuthorizations(source.doc, now), entry] });
  plan.authorizationWrites.push({ insertOne: { document: authorization } });
  plan.setAuthorization(authorization);
  return planned({ __typename: 'TransferAuthorized', authorization }, record);
}

/** The authorization, if the initiator owns one of its accounts (anyone else is answered as for a missing one, G12). */
function authorizationFor(plan: MoneyPlan, order: CaptureOrder | VoidOrder) {
  const authorization = plan.authorization(order.authorizationId);
  if (!authorization) return undefined;
  const source = plan.account(authorization.fromAccountId.toHexString());
  const target = plan.account(authorization.toAccountId.toHexString());
  // Its accounts are read with the batch only when the request arrived after the authorization existed.
  if (!source || !target) return undefined;
  if (source.doc.ownerId !== order.initiatedBy && target.doc.ownerId !== order.initiatedBy) return undefined;
  return { authorization, source, target };
}

/** The authorization's state change, conditional on it being live still (the write decides, not this plan). */
function settleStatement(plan: MoneyPlan, authorization: AuthorizationDocument, change: Partial<AuthorizationDocument>) {
  const updated: AuthorizationDocument = { ...authorization, ...change, updatedAt: plan.now };
  plan.authorizationWrites.push({
    updateOne: {
      filter: { _id: authorization._id, status: 'ACTIVE', expiresAt: { $gt: plan.now } },
      update: { $set: { ...change, updatedAt: plan.now } },
    },
  });
  plan.setAuthorization(updated);
  return updated;
}

/**
 * Moves the captured amount (at most the authorized one) and releases the whole authorization, once:
 * the source's statement matches only while the account still holds it live, and the authorization's
 * only while it is ACTIVE and unexpired, so of a capture, a void and the expiry exactly one wins.
 */
export function planCapture(plan: MoneyPlan, order: CaptureOrder) {
  const { record } = order;
  const { now } = plan;
  const found = authorizationFor(plan, order);
  if (!found) return planned({ __typename: 'AuthorizationNotFound', authorizationId: order.authorizationId }, record);
  const { authorization, source, target } = found;
  if (!isAuthorizationLive(authorization, now)) return planned({ __typename: 'AuthorizationNotActive', authorization }, record);
  const amount = order.amount ?? authorization.amount;
  if (amount > authorization.amount) return refused(badInput('amount', `at most the authorized ${authorization.amount}`));
  const initiator = source.doc.ownerId === order.initiatedBy ? source : target;
  if (initiator.ownerSuspended) return refused(plan.users.suspendedError());
  if (plan.overflows(source, target, amount)) return refused(balanceOverflow());

  plan.accountWrites.push({
    updateOne: {
      filter: { ...holdsLive(source.doc._id, authorization._id, now), balance: { $gte: amount } },
      update: { $pull: { authorizations: { authorizationId: authorization._id } }, $inc: { balance: -amount, version: 1 } },
    },
  });
  const remaining = (source.doc.authorizations ?? []).filter((entry) => !entry.authorizationId.equals(authorization._id));
  const debited = plan.change(source, { authorizations: remaining }, -amount);
  const transfer = plan.moveTo(debited, target, amount, { memo: authorization.memo, initiatedBy: order.initiatedBy });
  transfer.authorizationId = authorization._id;
  settleStatement(plan, authorization, { status: 'CAPTURED', capturedAmount: amount, transferId: transfer._id });
  return planned({ __typename: 'TransferCompleted', transfer }, record);
}

/** Releases the authorization's funds without moving any; conditional exactly as a capture is. */
export function planVoid(plan: MoneyPlan, order: VoidOrder) {
  const { record } = order;
  const { now } = plan;
  const found = authorizationFor(plan, order);
  if (!found) return planned({ __typename: 'AuthorizationNotFound', authorizationId: order.authorizationId }, record);
  const { authorization, source } = found;
  if (!isAuthorizationLive(authorization, now)) return planned({ __typename: 'AuthorizationNotActive', authorization }, record);
  plan.accountWrites.push({
    updateOne: {
      filter: holdsLive(source.doc._id, authorization._id, now),
      update: { $pull: { authorizations: { authorizationId: authorization._id } }, $inc: { version: 1 } },
    },
  });
  const remaining = (source.doc.authorizations ?? []).filter((entry) => !entry.authorizationId.equals(authorization._id));
  plan.change(source, { authorizations: remaining });
  const voided = settleStatement(plan, authorization, { status: 'VOIDED' });
  return planned({ __typename: 'TransferVoided', authorization: voided }, record);
}
