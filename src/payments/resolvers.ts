import { requireCaller } from '../auth';
import type { Resolvers } from '../generated/graphql';

export const paymentResolvers: Resolvers = {
  Mutation: {
    checkoutHold: (_, { input }, { caller, services }) => services.checkout.checkoutHold(requireCaller(caller), input),
    topUp: (_, { input }, { caller, services }) => services.topUps.topUp(requireCaller(caller), input),
  },
  // The refund record is payments' own; a booking shows its progress.
  Booking: {
    refundStatus: (booking, _, { services }) => services.refunds.statusOf(booking._id),
  },
};
