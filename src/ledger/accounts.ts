import { type Collection, ObjectId } from 'mongodb';
import type { Caller } from '../auth/token';
import type { Clock } from '../clock';
import { apiError } from '../graphql/errors';
import { findById } from '../mongo/ids';
import type { AccountDoc, AccountDocument } from './collections';

export function accountService(accounts: Collection<AccountDoc>, clock: Clock) {
  const find = (id: string): Promise<AccountDocument | null> => findById(accounts, id);

  return {
    find,

    async open(caller: Caller, currency: string): Promise<AccountDocument> {
      const account: AccountDocument = {
        _id: new ObjectId(),
        ownerId: caller.id,
        currency: currency.toUpperCase(),
        balance: 0,
        version: 0,
        createdAt: clock.now(),
      };
      await accounts.insertOne(account);
      return account;
    },

    /** Owner or admin; anyone else is told the account does not exist, so ids cannot be probed. */
    async findVisible(caller: Caller, id: string): Promise<AccountDocument | null> {
      const account = await find(id);
      return account && (caller.role === 'admin' || account.ownerId === caller.id) ? account : null;
    },

    /** For actions: a missing account is NOT_FOUND, someone else's is FORBIDDEN. Ownership never changes, so checking it first is safe. */
    async requireOwned(caller: Caller, id: string, field: string, allowAdmin = false): Promise<AccountDocument> {
      const account = await find(id);
      if (!account) throw apiError('NOT_FOUND', `${field}: no account has this id`, { field });
      if (account.ownerId !== caller.id && !(allowAdmin && caller.role === 'admin')) {
        throw apiError('FORBIDDEN', `${field}: this account belongs to another user`, { field });
      }
      return account;
    },

    listOwned(ownerId: string): Promise<AccountDocument[]> {
      return accounts.find({ ownerId }).sort({ _id: 1 }).limit(500).toArray();
    },
  };
}

export type AccountService = ReturnType<typeof accountService>;
