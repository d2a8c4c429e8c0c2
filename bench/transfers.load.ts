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
