import type { ClientSession, MongoClient } from 'mongodb';
import type { Clock } from '../clock';
import { withTransaction } from '../mongo';
import type { AccountDocument, LedgerCollections } from './collections';
import { reservedOf } from './funds';

export interface LedgerCheckResult {
  ok: boolean;
  accountsChecked: number;
  problems: string[];
}

/**
 * Authorizations against the accounts that carry them, at `now`: each account's reserved funds are
 * exactly its live (ACTIVE, unexpired) authorizations and never more than its balance; a capture
 * moved at most its authorized amount, by exactly one transfer of that amount.
 */
async function checkAuthorizations(
  { authorizations, transfers }: LedgerCollections,
  session: ClientSession,
  balances: AccountDocument[],
  now: Date,
): Promise<string[]> {
  const problems: string[] = [];
  const live = await authorizations
    .aggregate<{ _id: unknown; total: number }>(
      [{ $match: { status: 'ACTIVE', expiresAt: { $gt: now } } }, { $group: { _id: '$fromAccountId', total: { $sum: '$amount' } } }],
      { session },
    )
    .toArray();
  const liveByAccount = new Map(live.map((l) => [String(l._id), l.total]));
  for (const account of balances) {
    const id = account._id.toHexString();
    const reserved = reservedOf(account, now);
    if (reserved !== (liveByAccount.get(id) ?? 0))
      problems.push(`account ${id} reserves ${reserved} != its live authorizations ${liveByAccount.get(id) ?? 0}`);
    if (reserved > account.balance) problems.push(`account ${id} reserves ${reserved}, more than its balance ${account.balance}`);
  }
  const captured = await authorizations
    .aggregate<{ _id: unknown; amount: number; capturedAmount: number; transfers: { amount: number }[] }>(
      [
        { $match: { status: 'CAPTURED' } },
        { $lookup: { from: transfers.collectionName, localField: '_id', foreignField: 'authorizationId', as: 'transfers' } },
      ],
      { session },
    )
    .toArray();
  for (const a of captured) {
    if (a.capturedAmount > a.amount) problems.push(`authorization ${String(a._id)} captured ${a.capturedAmount} of ${a.amount}`);
    if (a.transfers.length !== 1 || a.transfers[0].amount !== a.capturedAmount) {
      problems.push(`authorization ${String(a._id)} captured ${a.capturedAmount} but has ${a.transfers.length} transfers`);
    }
  }
  return problems;
}

/**
 * Reconciliation on one snapshot (so concurrent transfers cannot cause false alarms): every balance
 * is non-negative and equals the sum of its entries; every transfer has one debit and one credit
 * that cancel out; Σ balances = Σ deposits − Σ withdrawals (money neither appeared nor vanished);
 * and authorizations agree with the accounts that carry them (`checkAuthorizations`).
 */
export function ledgerChecker(client: MongoClient, collections: LedgerCollections, clock: Clock) {
  const { accounts, entries } = collections;
  return () =>
    withTransaction(client, async (session): Promise<LedgerCheckResult> => {
      const problems: string[] = [];
      const balances = await accounts.find({}, { session, projection: { balance: 1, authorizations: 1 } }).toArray();
      const sums = await entries
        .aggregate<{ _id: unknown; total: number }>([{ $group: { _id: '$accountId', total: { $sum: '$amount' } } }], { session })
        .toArray();
      const sumByAccount = new Map(sums.map((s) => [String(s._id), s.total]));
      let totalBalance = 0;
      for (const account of balances) {
        const id = account._id.toHexString();
        totalBalance += account.balance;
        if (account.balance < 0) problems.push(`account ${id} has a negative balance ${account.balance}`);
        const entrySum = sumByAccount.get(id) ?? 0;
        if (entrySum !== account.balance) problems.push(`account ${id} balance ${account.balance} != sum of its entries ${entrySum}`);
        sumByAccount.delete(id);
      }
      for (const orphan of sumByAccount.keys()) problems.push(`ledger entries for unknown account ${orphan}`);

      const byKind = await entries
        .aggregate<{ _id: string; total: number; count: number }>(
          [{ $group: { _id: '$kind', total: { $sum: '$amount' }, count: { $sum: 1 } } }],
          { session },
        )
        .toArray();
      const kind = (k: string) => byKind.find((b) => b._id === k) ?? { total: 0, count: 0 };
      const external = kind('DEPOSIT').total + kind('WITHDRAWAL').total;
      if (totalBalance !== external) problems.push(`sum of balances ${totalBalance} != deposits - withdrawals ${external}`);
      const [debits, credits] = [kind('TRANSFER_DEBIT'), kind('TRANSFER_CREDIT')];
      if (debits.count !== credits.count || debits.total + credits.total !== 0) {
        problems.push(
          `transfer entries do not pair up: ${debits.count} debits (${debits.total}), ${credits.count} credits (${credits.total})`,
        );
      }
      problems.push(...(await checkAuthorizations(collections, session, balances, clock.now())));
      return { ok: problems.length === 0, accountsChecked: balances.length, problems };
    });
}
