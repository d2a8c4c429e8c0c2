import { requireCaller } from '../auth';
import { notFound } from '../errors';
import type { Resolvers } from '../generated/graphql';
import type { AccountUpdateMessage } from './accountUpdates';
import type { AvailabilityUpdateMessage } from './availabilityUpdates';
import type { DateAvailability } from './reader';

export const availabilityResolvers: Resolvers = {
  Query: {
    availability: (_, { resourceId, from, to }, { caller, services }) => {
      requireCaller(caller);
      return services.availability(resourceId, from, to);
    },
  },
  Subscription: {
    availabilityChanged: {
      subscribe: (_, { resourceId, from, to }, { caller, services }) => {
        requireCaller(caller);
        return services.live.subscribe(resourceId, from, to);
      },
      resolve: (change: DateAvailability) => change,
    },
    availabilityUpdates: {
      subscribe: (_, { resourceId, from, to, after }, { caller, services }) => {
        requireCaller(caller);
        return services.live.updates(resourceId, from, to, after);
      },
      resolve: (update: AvailabilityUpdateMessage) => update,
    },
    accountUpdates: {
      subscribe: async (_, { accountId, after }, { caller, services }) => {
        // Someone else's account is refused exactly like a missing one (G12).
        const account = await services.accounts.findVisible(requireCaller(caller), accountId);
        if (!account) throw notFound('accountId', 'account');
        return services.liveAccounts.subscribe(account, after);
      },
      resolve: (update: AccountUpdateMessage) => update,
    },
  },
  // Normalized caches (Apollo Client, urql) merge a pushed date into the `availability` answer by this id.
  DateAvailability: { id: (date) => `${date.resourceId}:${date.date}` },
};
