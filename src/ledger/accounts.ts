import { type Collection, ObjectId } from 'mongodb';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { visibleTo } from '../auth';
import { notFound } from '../errors';
import { type Page, type PageArgs, pageById } from '../mongo';
import { findById } from '../mongo';
import type { AccountDoc, AccountDocument } from './collections';

const ownerOf = (account: AccountDocument) => account.ownerId;

export function accountService(accounts: Collection<AccountDoc>, clock: Clock) {
  const find = (id: string): Promise<AccountDocument | null> => findById(accounts, id);
  /** Owner only, for actions; anyone else is answered as for a missing account. Ownership never changes, so checking it first is safe. */
  const findOwned = async (caller: Caller, id: string): Promise<AccountDocument | null> => visibleTo(caller, await find(id), ownerOf, true);

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

    /** Owner or admin, for reads; anyone else is told the account does not exist. */
    async findVisible(caller: Caller, id: string): Promise<AccountDocument | null> {
      return visibleTo(caller, await find(id), ownerOf);
    },

    findOwned,

    /** `findOwned`, with missing and not yours as one NOT_FOUND. */
    async requireOwned(caller: Caller, id: string, field: string): Promise<AccountDocument> {
      const account = await findOwned(caller, id);
      if (!account) throw notFound(field, 'account');
      return account;
    },

    /** Oldest first, in the order they were opened. */
    listOwned(ownerId: string, page: PageArgs): Promise<Page<AccountDocument>> {
      return pageById(accounts, { ownerId }, page, 'oldestFirst');
    },
  };
}

export type AccountService = ReturnType<typeof accountService>;
