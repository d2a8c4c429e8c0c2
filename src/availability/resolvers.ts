import { requireCaller } from '../auth';
import type { Resolvers } from '../generated/graphql';
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
  },
};
