import type { Db, ObjectId } from 'mongodb';
import type { AccountDoc, LedgerEntryDoc, TransferDoc } from '../src/ledger';
import { LEDGER_CHECK } from '../test/support/ledger';
import { query } from './gql';
import type { History, Operation } from './history';
import { ADMIN } from './setup';
import type { Topology } from './topology';

interface Effect {
  /** What the effect is keyed by: the account(s) and the run-unique amount. */
  key: string;
  id: string;
}

const inputOf = (op: Operation) => op.variables.input as Record<string, any>;

/** What an acknowledged answer says took effect (the entry or transfer id), or null for "nothing moved". */
function acknowledgedEffect(op: Operation): string | null {
  const payload = op.data?.[op.kind];
  if (payload?.__typename === 'Deposited' || payload?.__typename === 'Withdrawn') return payload.entry.id;
  if (payload?.__typename === 'TransferCompleted') return payload.transfer.id;
  return null;
}

/**
 * Each kind of money movement, matched between the history and the database by (accounts, amount),
 * which is unique per attempted operation: an acknowledged effect is present exactly once (with the
 * id the client was given); a refused or failed one is absent; an unknown one at most once; and
 * nothing is in the database that no client attempted.
 */
function matchEffects(kind: string, ops: Operation[], keyOf: (op: Operation) => string, stored: Effect[], violations: string[]) {
  const byKey = new Map<string, Effect[]>();
  for (const effect of stored) byKey.set(effect.key, [...(byKey.get(effect.key) ?? []), effect]);
  const attempted = new Set<string>();
  for (const op of ops) {
    const key = keyOf(op);
    attempted.add(key);
    const found = byKey.get(key) ?? [];
    const acknowledged = op.outcome === 'ok' ? acknowledgedEffect(op) : null;
    if (found.length > 1) violations.push(`${kind} #${op.id} (${key}) took effect ${found.length} times`);
    else if (op.outcome === 'ok' && acknowledged && found.length === 0)
      violations.push(`${kind} #${op.id} was acknowledged (${acknowledged}) but is not in the database`);
    else if (op.outcome === 'ok' && acknowledged && found[0].id !== acknowledged)
      violations.push(`${kind} #${op.id} was acknowledged as ${acknowledged} but the database has ${found[0].id}`);
    else if (op.outcome === 'ok' && !acknowledged && found.length > 0)
      violations.push(`${kind} #${op.id} answered ${op.data?.[op.kind]?.__typename} but took effect`);
    else if (op.outcome === 'failed' && found.length > 0) violations.push(`${kind} #${op.id} failed with ${op.code} but took effect`);
  }
  for (const [key, effects] of byKey)
    if (!attempted.has(key)) violations.push(`${kind} ${effects[0].id} (${key}) in the database matches no attempted operation`);
}

export interface LedgerFigures {
  accounts: number;
  totalBalance: number;
}

export async function checkLedger(db: Db, topology: Topology, history: History, violations: string[]): Promise<LedgerFigures> {
  const check = (await query({ topology }, ADMIN, 'admin', LEDGER_CHECK)).ledgerCheck as { ok: boolean; problems: string[] };
  for (const problem of check.problems) violations.push(`ledgerCheck: ${problem}`);

  const accounts = await db.collection<AccountDoc>('accounts').find().toArray();
  const entries = await db
    .collection<LedgerEntryDoc>('ledgerEntries')
    .find({ kind: { $in: ['DEPOSIT', 'WITHDRAWAL'] } })
    .toArray();
  const transfers = await db.collection<TransferDoc>('transfers').find().toArray();
  let totalBalance = 0;
  for (const account of accounts) {
    totalBalance += account.balance;
    if (account.balance < 0) violations.push(`account ${account._id} has a negative balance ${account.balance}`);
  }
  const external = entries.reduce((sum, e) => sum + e.amount, 0);
  if (totalBalance !== external) violations.push(`Σ balances ${totalBalance} != Σ deposits − Σ withdrawals ${external}`);

  const hex = (id: ObjectId) => id.toHexString();
  const entryEffects = (kind: string) =>
    entries.filter((e) => e.kind === kind).map((e) => ({ key: `${hex(e.accountId)}:${Math.abs(e.amount)}`, id: hex(e._id) }));
  const movementKey = (op: Operation) => `${inputOf(op).accountId}:${inputOf(op).amount}`;
  matchEffects('deposit', history.byKind('deposit'), movementKey, entryEffects('DEPOSIT'), violations);
  matchEffects('withdraw', history.byKind('withdraw'), movementKey, entryEffects('WITHDRAWAL'), violations);
  // Captures, balance payments and their refunds are transfers too; checkHeldMoney ties those to their requests.
  const houses = new Set(accounts.filter((a) => a.ownerId === '').map((a) => hex(a._id)));
  const plain = transfers.filter((t) => !t.authorizationId && !houses.has(hex(t.fromAccountId)) && !houses.has(hex(t.toAccountId)));
  matchEffects(
    'transfer',
    history.byKind('transfer'),
    (op) => `${inputOf(op).fromAccountId}>${inputOf(op).toAccountId}:${inputOf(op).amount}`,
    plain.map((t) => ({ key: `${hex(t.fromAccountId)}>${hex(t.toAccountId)}:${t.amount}`, id: hex(t._id) })),
    violations,
  );
  return { accounts: accounts.length, totalBalance };
}
