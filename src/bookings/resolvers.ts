import { requireCaller } from '../auth/guard';
import type { HoldStatus, Resolvers } from '../generated/graphql';
import type { HoldDocument } from './collections';

/** A held hold past its expiry is EXPIRED to readers, whether or not anything has swept it yet. */
function holdStatus(hold: HoldDocument, now: Date): HoldStatus {
  if (hold.state === 'held') return hold.expiresAt > now ? 'HELD' : 'EXPIRED';
  return ({ released: 'RELEASED', expired: 'EXPIRED', confirmed: 'CONFIRMED' } as const)[hold.state];
}

export const bookingResolvers: Resolvers = {
  Query: {
    availability: (_, { resourceId, from, to }, { caller, services }) => {
      requireCaller(caller);
      return services.availability(resourceId, from, to);
    },
    hold: (_, { id }, { caller, services }) => services.holds.findHold(requireCaller(caller), id),
    myHolds: (_, page, { caller, services }) => services.holds.listHolds(requireCaller(caller).id, page),
  },
  Mutation: {
    holdDates: (_, { input }, { caller, services }) => services.holds.holdDates(requireCaller(caller), input),
    releaseHold: (_, { input }, { caller, services }) => services.holds.releaseHold(requireCaller(caller), input.holdId),
  },
  HoldDatesPayload: {
    __resolveType: (result) => result.__typename,
  },
  Hold: {
    id: (hold) => hold._id.toHexString(),
    resourceId: (hold) => hold.resourceId.toHexString(),
    status: (hold, _, { services }) => holdStatus(hold, services.clock.now()),
  },
};
