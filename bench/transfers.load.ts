import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectId } from 'mongodb';
import { hashIndex, type LoadFactory, sharedGraphqlClient, sharedMongoClient, warmGraphQL, warmMongo } from './support';

/**
 * The operations of `npm run bench:transfers`, run in load workers. Transfer `i` moves
 * 1..100 minor units between two accounts derived from `i` (so every worker agrees): any two of
 * `accounts`, or, when `hot`, always from `accounts[0]`.
 */
export interface Pairs {
  accounts: string[];
  hot: boolean;
  /** Varies the pairs between phases. */
  salt: number;
}

export function transferOf({ accounts, hot, salt }: Pairs, i: number) {
  const n = accounts.length;
  const from = hot ? 0 : hashIndex(i, salt) % n;
  const to = (from + 1 + (hashIndex(i, salt + 1) % (n - 1))) % n;
  return { from, to, amount: 1 + (hashIndex(i, salt + 2) % 100) };
}

const OPEN = `mutation($input: OpenAccountInput!) { openAccount(input: $input) { id } }`;
const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { __typename } }`;
const TRANSFER = `mutation($input: TransferInput!) { transfer(input: $input) { __typename } }`;

/**
 * Setup: `owners[i]` opens an EUR account and an admin (`admins[i mod n]`) deposits `amount` into it.
 * Every admin transaction writes the admin's user document, so concurrent deposits by one admin
 * conflict; a deposit answered with a retryable error (its retries ran out of time) is retried with
 * the same key, as the API asks clients to.
 */
export const openFunded: LoadFactory<{ url: string; owners: string[]; admins: string[]; amount: number }> = async (params, worker) => {
  const client = sharedGraphqlClient(params.url);
  await warmGraphQL(client, worker.concurrency);
  return {
    async run(i) {
      const { openAccount } = await client.gql<{ openAccount: { id: string } }>(params.owners[i], OPEN, { input: { currency: 'EUR' } });
      const input = { accountId: openAccount.id, amount: params.amount, idempotencyKey: `seed-${openAccount.id}` };
      for (let attempt = 1; ; attempt += 1) {
        const response = await client.request(params.admins[i % params.admins.length], DEPOSIT, { input });
        if (response.data && !response.errors) return;
        const retryable = response.errors?.every((error) => error.extensions?.retryable === true);
        if (!retryable || attempt === 5) throw new Error(`deposit: HTTP ${response.status} ${JSON.stringify(response.errors)}`);
        await sleep(100 * attempt);
      }
    },
  };
};

/** `transfer` over HTTP by the source account's owner (`owners[from]`), a fresh idempotency key each. */
export const viaGraphQL: LoadFactory<Pairs & { url: string; owners: string[]; keyPrefix: string }> = async (params, worker) => {
  const client = sharedGraphqlClient(params.url);
  await warmGraphQL(client, worker.concurrency);
  return {
    async run(i) {
      const { from, to, amount } = transferOf(params, i);
      const data = await client.gql<{ transfer: { __typename: string } }>(params.owners[from], TRANSFER, {
        input: {
          fromAccountId: params.accounts[from],
          toAccountId: params.accounts[to],
          amount,
          idempotencyKey: `${params.keyPrefix}-${i}`,
        },
      });
      if (data.transfer.__typename !== 'TransferCompleted') throw new Error(`unexpected ${data.transfer.__typename}`);
      return 'completed';
    },
  };
};

/**
 * The raw transaction a transfer runs, with the driver directly: debit if funds, credit, the
 * transfer record and both ledger entries; snapshot reads, majority commit, the driver's retries.
 */
export const rawTransaction: LoadFactory<Pairs & { uri: string; dbName: string }> = async (params, worker) => {
  const client = await sharedMongoClient(params.uri);
  await warmMongo(client, worker.concurrency);
  const db = client.db(params.dbName);
  const accounts = db.collection('accounts');
  const entries = db.collection('ledgerEntries');
  const transfers = db.collection('transfers');
  const ids = params.accounts.map((id) => new ObjectId(id));
  const counters = { transactions: 0, attempts: 0 };
  return {
    counters,
    async run(i) {
      const { from, to, amount } = transferOf(params, i);
      counters.transactions += 1;
      await client.withSession((session) =>
        session.withTransaction(
          async () => {
            counters.attempts += 1;
            const now = new Date();
            const debited = await accounts.findOneAndUpdate(
              { _id: ids[from], currency: 'EUR', balance: { $gte: amount } },
              { $inc: { balance: -amount, version: 1 } },
              { session, returnDocument: 'after' },
            );
            if (!debited) throw new Error(`raw transfer: ${params.accounts[from]} lacks ${amount}`);
            const credited = await accounts.findOneAndUpdate(
              { _id: ids[to], currency: 'EUR', balance: { $lte: Number.MAX_SAFE_INTEGER - amount } },
              { $inc: { balance: amount, version: 1 } },
              { session, returnDocument: 'after' },
            );
            if (!credited) throw new Error(`raw transfer: ${params.accounts[to]} refused the credit`);
            const transferId = new ObjectId();
            await transfers.insertOne(
              {
                _id: transferId,
                fromAccountId: ids[from],
                toAccountId: ids[to],
                amount,
                currency: 'EUR',
                memo: null,
                initiatedBy: 'raw',
                createdAt: now,
              },
              { session },
            );
            await entries.insertMany(
              [
                {
                  _id: new ObjectId(),
                  accountId: ids[from],
                  kind: 'TRANSFER_DEBIT',
                  amount: -amount,
                  balanceAfter: debited.balance,
                  transferId,
                  createdAt: now,
                },
                {
                  _id: new ObjectId(),
                  accountId: ids[to],
                  kind: 'TRANSFER_CREDIT',
                  amount,
                  balanceAfter: credited.balance,
                  transferId,
                  createdAt: now,
                },
              ],
              { session },
            );
          },
          { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' },
        ),
      );
      return 'completed';
    },
  };
};

const AUTHORIZE = `mutation($input: AuthorizeTransferInput!) { authorizeTransfer(input: $input) { __typename ... on TransferAuthorized { authorization { id } } } }`;
const CAPTURE = `mutation($input: CaptureTransferInput!) { captureTransfer(input: $input) { __typename } }`;

/** A two-phase transfer over HTTP: `authorizeTransfer`, then `captureTransfer` of all of it (two requests, two transactions). */
export const authorizeCaptureViaGraphQL: LoadFactory<Pairs & { url: string; owners: string[]; keyPrefix: string }> = async (
  params,
  worker,
) => {
  const client = sharedGraphqlClient(params.url);
  await warmGraphQL(client, worker.concurrency);
  return {
    async run(i) {
      const { from, to, amount } = transferOf(params, i);
      const owner = params.owners[from];
      const { authorizeTransfer } = await client.gql<{ authorizeTransfer: { __typename: string; authorization?: { id: string } } }>(
        owner,
        AUTHORIZE,
        {
          input: {
            fromAccountId: params.accounts[from],
            toAccountId: params.accounts[to],
            amount,
            expiresInSeconds: 600,
            idempotencyKey: `${params.keyPrefix}-a-${i}`,
          },
        },
      );
      if (!authorizeTransfer.authorization) throw new Error(`unexpected ${authorizeTransfer.__typename}`);
      const { captureTransfer } = await client.gql<{ captureTransfer: { __typename: string } }>(owner, CAPTURE, {
        input: { authorizationId: authorizeTransfer.authorization.id, idempotencyKey: `${params.keyPrefix}-c-${i}` },
      });
      if (captureTransfer.__typename !== 'TransferCompleted') throw new Error(`unexpected ${captureTransfer.__typename}`);
      return 'completed';
    },
  };
};

const TRANSACTION = { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' } as const;

/**
 * The same two transactions with the driver directly: (1) ONE conditional update on available
 * funds that adds the reservation, and the authorization's insert; (2) the authorization
 * ACTIVE → CAPTURED, the source's conditional debit that drops the reservation, the credit, the
 * transfer and both ledger entries.
 */
export const rawAuthorizeCapture: LoadFactory<Pairs & { uri: string; dbName: string }> = async (params, worker) => {
  const client = await sharedMongoClient(params.uri);
  await warmMongo(client, worker.concurrency);
  const db = client.db(params.dbName);
  const [accounts, authorizations, transfers, entries] = ['accounts', 'authorizations', 'transfers', 'ledgerEntries'].map((n) =>
    db.collection(n),
  );
  const ids = params.accounts.map((id) => new ObjectId(id));
  const counters = { transactions: 0, attempts: 0 };
  const transaction = (work: (session: import('mongodb').ClientSession) => Promise<void>) => {
    counters.transactions += 1;
    return client.withSession((session) =>
      session.withTransaction(async () => {
        counters.attempts += 1;
        await work(session);
      }, TRANSACTION),
    );
  };
  return {
    counters,
    async run(i) {
      const { from, to, amount } = transferOf(params, i);
      const authorizationId = new ObjectId();
      const expiresAt = new Date(Date.now() + 600_000);
      await transaction(async (session) => {
        const now = new Date();
        const live = { $filter: { input: { $ifNull: ['$authorizations', []] }, as: 'a', cond: { $gt: ['$$a.expiresAt', now] } } };
        const reserved = await accounts.findOneAndUpdate(
          {
            _id: ids[from],
            currency: 'EUR',
            $expr: { $gte: [{ $subtract: ['$balance', { $sum: { $map: { input: live, as: 'l', in: '$$l.amount' } } }] }, amount] },
          },
          [
            {
              $set: {
                authorizations: { $concatArrays: [live, { $literal: [{ authorizationId, amount, expiresAt }] }] },
                version: { $add: ['$version', 1] },
              },
            },
          ],
          { session },
        );
        if (!reserved) throw new Error(`raw authorize: ${params.accounts[from]} lacks ${amount}`);
        await authorizations.insertOne(
          {
            _id: authorizationId,
            fromAccountId: ids[from],
            toAccountId: ids[to],
            amount,
            capturedAmount: 0,
            currency: 'EUR',
            status: 'ACTIVE',
            expiresAt,
            createdAt: now,
          },
          { session },
        );
      });
      await transaction(async (session) => {
        const now = new Date();
        const transferId = new ObjectId();
        const settled = await authorizations.updateOne(
          { _id: authorizationId, status: 'ACTIVE', expiresAt: { $gt: now } },
          { $set: { status: 'CAPTURED', capturedAmount: amount, transferId } },
          { session },
        );
        if (settled.modifiedCount !== 1) throw new Error('raw capture: not active');
        const debited = await accounts.findOneAndUpdate(
          { _id: ids[from], authorizations: { $elemMatch: { authorizationId, expiresAt: { $gt: now } } } },
          { $pull: { authorizations: { authorizationId } } as never, $inc: { balance: -amount, version: 1 } },
          { session, returnDocument: 'after' },
        );
        const credited = await accounts.findOneAndUpdate(
          { _id: ids[to] },
          { $inc: { balance: amount, version: 1 } },
          { session, returnDocument: 'after' },
        );
        if (!debited || !credited) throw new Error('raw capture: an account refused');
        await transfers.insertOne(
          {
            _id: transferId,
            fromAccountId: ids[from],
            toAccountId: ids[to],
            amount,
            currency: 'EUR',
            memo: null,
            initiatedBy: 'raw',
            createdAt: now,
            authorizationId,
          },
          { session },
        );
        await entries.insertMany(
          [
            { accountId: ids[from], kind: 'TRANSFER_DEBIT', amount: -amount, balanceAfter: debited.balance, transferId, createdAt: now },
            { accountId: ids[to], kind: 'TRANSFER_CREDIT', amount, balanceAfter: credited.balance, transferId, createdAt: now },
          ],
          { session },
        );
      });
      return 'completed';
    },
  };
};
