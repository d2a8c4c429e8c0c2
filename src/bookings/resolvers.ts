import { requireCaller } from '../auth';
import { isHoldLive } from './holdLiveness';
import type { HoldStatus, Resolvers } from '../generated/graphql';
import type { HoldDocument } from './collections';

/** A held hold past its expiry is EXPIRED to readers, whether or not anything has swept it yet. */
function holdStatus(hold: HoldDocument, now: Date): HoldStatus {
  if (hold.state === 'held') return isHoldLive(hold, now) ? 'HELD' : 'EXPIRED';
  return ({ released: 'RELEASED', expired: 'EXPIRED', confirmed: 'CONFIRMED' } as const)[hold.state];
}

export const bookingResolvers: Resolvers = {
  Query: {
    hold: (_, { id }, { caller, services }) => services.holds.findHold(requireCaller(caller), id),
    myHolds: (_, page, { caller, services }) => services.holds.listHolds(requireCaller(caller).id, page),
    booking: (_, { id }, { caller, services }) => services.bookings.findBooking(requireCaller(caller), id),
    myBookings: (_, page, { caller, services }) => services.bookings.listBookings(requireCaller(caller).id, page),
  },
  Mutation: {
    holdDates: (_, { input }, { caller, services }) => services.holds.holdDates(requireCaller(caller), input),
    releaseHold: (_, { input }, { caller, services }) => services.holds.releaseHold(requireCaller(caller), input.holdId),
    cancelBooking: (_, { input }, { caller, services }) => services.bookings.cancelBooking(requireCaller(caller), input),
    payHold: (_, { input }, { caller, services }) => services.balancePayments.payHold(requireCaller(caller), input),
  },
  Hold: {
    id: (hold) => hold._id.toHexString(),
    resourceId: (hold) => hold.resourceId.toHexString(),
    status: (hold, _, { services }) => holdStatus(hold, services.clock.now()),
    authorization: (hold, _, { services }) =>
      hold.reservation ? services.ledger.authorizationById(hold.reservation.authorizationId) : null,
  },
  Booking: {
    id: (booking) => booking._id.toHexString(),
    holdId: (booking) => booking.holdId.toHexString(),
    resourceId: (booking) => booking.resourceId.toHexString(),
    paymentMethod: (booking) => booking.paymentMethod ?? 'CARD',
  },
};
