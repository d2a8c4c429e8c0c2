import { type Collection, ObjectId } from 'mongodb';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { visibleTo } from '../auth';
import { notFound } from '../errors';
import { type Page, type PageArgs, pageById } from '../mongo';
import { findById, isDuplicateKey } from '../mongo';
import { assert } from '../assert';
import type { AccountDoc, AccountDocument } from './collections';

const ownerOf = (account: AccountDocument) => account.ownerId;

/** A house account's owner: no user id is empty (`isUserId`), so no caller owns one. */
export const HOUSE_OWNER = '';

export function accountService(accounts: Collection<AccountDoc>, clock: Clock) {
  const find = (id: string): Promise<AccountDocument | null> => findById(accounts, id);
  /** House accounts never change owner or currency: once found, an instance keeps them. */
  const houses = new Map<string, AccountDocument>();

  /** The platform's account of this currency, created on first use (a unique index keeps it one, whoever creates it). */
  async function houseAccount(currency: string): Promise<AccountDocument> {
    const known = houses.get(currency);
    if (known) return known;
    const fresh: AccountDocument = { _id: new ObjectId(), ownerId: HOUSE_OWNER, currency, balance: 0, version: 0, createdAt: clock.now() };
    await accounts.updateOne({ ownerId: HOUSE_OWNER, currency }, { $setOnInsert: fresh }, { upsert: true }).catch((error: unknown) => {
      // Two first uses at once: the other one's insert won, which is just as good.
      if (!isDuplicateKey(error)) throw error;
    });
    const house = await accounts.findOne({ ownerId: HOUSE_OWNER, currency });
    assert(house, `the ${currency} house account exists once upserted`);
    houses.set(currency, house);
    return house;
  }
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

    houseAccount,

    /** Every house account, by currency. */
    houseAccounts: (): Promise<AccountDocument[]> => accounts.find({ ownerId: HOUSE_OWNER }).sort({ currency: 1 }).toArray(),

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
