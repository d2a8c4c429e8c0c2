import { requireCaller } from '../auth';
import type { Resolvers } from '../generated/graphql';

export const paymentResolvers: Resolvers = {
  Mutation: {
    checkoutHold: (_, { input }, { caller, services }) => services.checkout.checkoutHold(requireCaller(caller), input),
    topUp: (_, { input }, { caller, services }) => services.topUps.topUp(requireCaller(caller), input),
  },
  // A card refund's record is payments' own; a booking shows its progress. A balance refund commits with the cancellation.
  Booking: {
    refundStatus: (booking, _, { services }) =>
      booking.paymentMethod === 'BALANCE' ? (booking.refundTransferId ? 'SUCCEEDED' : null) : services.refunds.statusOf(booking._id),
  },
};
