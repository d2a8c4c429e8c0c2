import { requireCaller } from '../auth/guard';
import type { DateAvailability } from '../bookings/availability';
import type { Resolvers } from '../generated/graphql';

export const availabilityResolvers: Resolvers = {
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
