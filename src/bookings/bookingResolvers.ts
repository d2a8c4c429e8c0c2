import { requireCaller } from '../auth/guard';
import type { Resolvers } from '../generated/graphql';

export const bookingRecordResolvers: Resolvers = {
  Query: {
    booking: (_, { id }, { caller, services }) => services.bookings.findBooking(requireCaller(caller), id),
    myBookings: (_, page, { caller, services }) => services.bookings.listBookings(requireCaller(caller).id, page),
  },
  Mutation: {
    cancelBooking: (_, { input }, { caller, services }) => services.bookings.cancelBooking(requireCaller(caller), input),
  },
  CancelBookingPayload: {
    __resolveType: (result) => result.__typename,
  },
  Booking: {
    id: (booking) => booking._id.toHexString(),
    holdId: (booking) => booking.holdId.toHexString(),
    resourceId: (booking) => booking.resourceId.toHexString(),
    refundStatus: (booking) => (booking.refund ? (booking.refund.state === 'done' ? 'SUCCEEDED' : 'PENDING') : null),
  },
};
