import { requireAdmin, requireCaller } from '../auth';
import type { Resolvers } from '../generated/graphql';
import type { Context } from '../graphql/context';
import { notFound } from '../errors';

const hex = (doc: { _id: { toHexString(): string } }) => doc._id.toHexString();

/** The account must be visible to the caller (owner or admin) before its history is. */
async function visibleAccountId(context: Context, accountId: string) {
  const account = await context.services.accounts.findVisible(requireCaller(context.caller), accountId);
  if (!account) throw notFound('accountId', 'account');
  return account._id;
}

export const ledgerResolvers: Resolvers = {
  Query: {
    account: (_, { id }, { caller, services }) => services.accounts.findVisible(requireCaller(caller), id),
    myAccounts: (_, page, { caller, services }) => services.accounts.listOwned(requireCaller(caller).id, page),
    transfers: async (_, { accountId, ...page }, context) => {
      const id = await visibleAccountId(context, accountId);
      return context.services.ledger.transfersOf(id, page);
    },
    ledgerEntries: async (_, { accountId, ...page }, context) => {
      const id = await visibleAccountId(context, accountId);
      return context.services.ledger.entriesOf(id, page);
    },
    ledgerCheck: (_, __, { caller, services }) => {
      requireAdmin(caller);
      return services.ledger.check();
    },
  },
  Mutation: {
    openAccount: (_, { input }, { caller, services }) => services.accounts.open(requireCaller(caller), input.currency),
    deposit: (_, { input }, { caller, services }) => services.ledger.deposit(requireCaller(caller), input),
    withdraw: (_, { input }, { caller, services }) => services.ledger.withdraw(requireCaller(caller), input),
    transfer: (_, { input }, { caller, services }) => services.ledger.transfer(requireCaller(caller), input),
  },
  Account: { id: hex },
  LedgerEntry: {
    id: hex,
    accountId: (entry) => entry.accountId.toHexString(),
    transferId: (entry) => entry.transferId?.toHexString() ?? null,
  },
  Transfer: {
    id: hex,
    fromAccountId: (transfer) => transfer.fromAccountId.toHexString(),
    toAccountId: (transfer) => transfer.toAccountId.toHexString(),
  },
};
