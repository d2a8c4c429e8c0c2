import { addDays, todayUtc } from '../src/calendar';
import { DEPOSIT, OPEN_ACCOUNT } from '../test/support/ledger';
import { CREATE_RESOURCE } from '../test/support/operations';
import { type ClientContext, query, send } from './gql';

export const ADMIN = 'chaos-admin';
const ACCOUNTS = 50;
const OWNERS = 10;

export interface Resource {
  id: string;
  capacity: number;
  /** Hot resources get few dates and many claimants; the spread one many dates. */
  dates: string[];
  hot: boolean;
}

export interface Account {
  id: string;
  ownerId: string;
}

export interface World {
  resources: Resource[];
  accounts: Account[];
  /** The one account most transfers touch. */
  hot: Account;
  /** The range subscribers follow (every hot date). */
  watched: { from: string; to: string };
}

/** Resources, dates and funded accounts, made before any fault; the initial deposits are in the history too. */
export async function createWorld(ctx: ClientContext, nextAmount: () => number): Promise<World> {
  const today = todayUtc(new Date());
  const hotDates = [10, 11, 12].map((d) => addDays(today, d));
  const spreadDates = Array.from({ length: 60 }, (_, i) => addDays(today, 20 + i));
  const make = async (capacity: number, dates: string[], hot: boolean): Promise<Resource> => {
    const data = await query(ctx, ADMIN, 'admin', CREATE_RESOURCE, {
      input: { name: `chaos-${capacity}-${hot ? 'hot' : 'spread'}`, capacity, pricePerDate: 1000, currency: 'EUR' },
    });
    return { id: data.createResource.id, capacity, dates, hot };
  };
  const resources = [await make(1, hotDates, true), await make(2, hotDates, true), await make(3, spreadDates, false)];
  const accounts: Account[] = [];
  for (let i = 0; i < ACCOUNTS; i += 1) {
    const ownerId = `owner-${i % OWNERS}`;
    const data = await query(ctx, ownerId, 'user', OPEN_ACCOUNT, { input: { currency: 'EUR' } });
    accounts.push({ id: data.openAccount.id, ownerId });
  }
  await Promise.all(
    accounts.map((account, i) =>
      send(ctx, {
        kind: 'deposit',
        userId: ADMIN,
        role: 'admin',
        query: DEPOSIT,
        variables: { input: { accountId: account.id, amount: 100_000 + nextAmount(), idempotencyKey: `setup-deposit-${i}` } },
      }),
    ),
  );
  return { resources, accounts, hot: accounts[0], watched: { from: hotDates[0], to: hotDates[hotDates.length - 1] } };
}
