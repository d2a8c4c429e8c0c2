import type { Document, Filter, ObjectId } from 'mongodb';
import type { AccountAuthorization, AccountDoc } from './collections';

/**
 * Available funds: the balance minus what the account's live authorizations hold. An authorization
 * counts while `expiresAt` is ahead of `now` and for nothing the instant it passes, in the filters
 * below and in every figure shown: expiry needs no sweeper (the rule holds use for dates, G2).
 * `now` is the clock of the instance deciding, read inside the transaction's attempt.
 */
export const liveAuthorizations = (account: Pick<AccountDoc, 'authorizations'>, now: Date): AccountAuthorization[] =>
  (account.authorizations ?? []).filter((entry) => entry.expiresAt > now);

export const reservedOf = (account: Pick<AccountDoc, 'authorizations'>, now: Date): number =>
  liveAuthorizations(account, now).reduce((sum, entry) => sum + entry.amount, 0);

export const availableOf = (account: Pick<AccountDoc, 'balance' | 'authorizations'>, now: Date): number =>
  account.balance - reservedOf(account, now);

/** `liveAuthorizations` as an aggregation expression over the account document. */
const liveExpression = (now: Date): Document => ({
  $filter: { input: { $ifNull: ['$authorizations', []] }, as: 'entry', cond: { $gt: ['$$entry.expiresAt', now] } },
});

/**
 * The funds check, as a filter: the account matches only while its available funds cover `amount`
 * (and the currency is the account's). The only way available funds go down is an update with
 * this filter, so two of them can never spend the same funds: the second is evaluated against the
 * first one's result, and one that does not match changes nothing. A read never decides.
 */
export const fundsFilter = (accountId: ObjectId, currency: string, amount: number, now: Date): Filter<AccountDoc> => ({
  _id: accountId,
  currency,
  $expr: {
    $gte: [{ $subtract: ['$balance', { $sum: { $map: { input: liveExpression(now), as: 'entry', in: '$$entry.amount' } } }] }, amount],
  },
});

/** An update pipeline adding an authorization to the account and dropping the entries that have lapsed. */
export const addAuthorization = (entry: AccountAuthorization, now: Date): Document[] => [
  {
    $set: {
      authorizations: { $concatArrays: [liveExpression(now), { $literal: [entry] }] },
      version: { $add: ['$version', 1] },
    },
  },
];

/** The account still holds this authorization, live: a capture or void matches only then. */
export const holdsLive = (accountId: ObjectId, authorizationId: ObjectId, now: Date): Filter<AccountDoc> => ({
  _id: accountId,
  authorizations: { $elemMatch: { authorizationId, expiresAt: { $gt: now } } },
});
