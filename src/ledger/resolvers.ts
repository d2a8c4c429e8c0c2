import { requireAdmin, requireCaller } from '../auth';
import type { Resolvers } from '../generated/graphql';
import type { Context } from '../graphql/context';
import { notFound } from '../errors';
import { authorizationStatus } from './authorizations';
import { availableOf, reservedOf } from './funds';

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
    authorization: (_, { id }, { caller, services }) => services.ledger.findAuthorization(requireCaller(caller), id),
    authorizations: async (_, { accountId, ...page }, context) => {
      const id = await visibleAccountId(context, accountId);
      return context.services.ledger.authorizationsOf(id, page);
    },
    houseAccounts: (_, __, { caller, services }) => {
      requireAdmin(caller);
      return services.accounts.houseAccounts();
    },
  },
  Mutation: {
    openAccount: (_, { input }, { caller, services }) => services.accounts.open(requireCaller(caller), input.currency),
    deposit: (_, { input }, { caller, services }) => services.ledger.deposit(requireCaller(caller), input),
    withdraw: (_, { input }, { caller, services }) => services.ledger.withdraw(requireCaller(caller), input),
    transfer: (_, { input }, { caller, services }) => services.ledger.transfer(requireCaller(caller), input),
    authorizeTransfer: (_, { input }, { caller, services }) => services.ledger.authorizeTransfer(requireCaller(caller), input),
    captureTransfer: (_, { input }, { caller, services }) => services.ledger.captureTransfer(requireCaller(caller), input),
    voidTransfer: (_, { input }, { caller, services }) => services.ledger.voidTransfer(requireCaller(caller), input),
  },
  Account: {
    id: hex,
    reserved: (account, _, { services }) => reservedOf(account, services.clock.now()),
    available: (account, _, { services }) => availableOf(account, services.clock.now()),
  },
  Authorization: {
    id: hex,
    fromAccountId: (authorization) => authorization.fromAccountId.toHexString(),
    toAccountId: (authorization) => authorization.toAccountId.toHexString(),
    status: (authorization, _, { services }) => authorizationStatus(authorization, services.clock.now()),
    transfer: (authorization, _, { services }) => services.ledger.transferOf(authorization),
  },
  LedgerEntry: {
    id: hex,
    accountId: (entry) => entry.accountId.toHexString(),
    transferId: (entry) => entry.transferId?.toHexString() ?? null,
  },
  Transfer: {
    id: hex,
    fromAccountId: (transfer) => transfer.fromAccountId.toHexString(),
    toAccountId: (transfer) => transfer.toAccountId.toHexString(),
    authorizationId: (transfer) => transfer.authorizationId?.toHexString() ?? null,
  },
};
