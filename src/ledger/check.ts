import type { MongoClient } from 'mongodb';
import { withTransaction } from '../mongo';
import type { LedgerCollections } from './collections';

export interface LedgerCheckResult {
  ok: boolean;
  accountsChecked: number;
  problems: string[];
}

/**
 * Reconciliation on one snapshot (so concurrent transfers cannot cause false alarms): every balance
 * is non-negative and equals the sum of its entries; every transfer has one debit and one credit
 * that cancel out; and Σ balances = Σ deposits − Σ withdrawals (money neither appeared nor vanished).
 */
export function ledgerChecker(client: MongoClient, { accounts, entries }: LedgerCollections) {
  return () =>
    withTransaction(client, async (session): Promise<LedgerCheckResult> => {
      const problems: string[] = [];
      const balances = await accounts.find({}, { session, projection: { balance: 1 } }).toArray();
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
      return { ok: problems.length === 0, accountsChecked: balances.length, problems };
    });
}
