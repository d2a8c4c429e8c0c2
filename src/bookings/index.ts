export { type BookingService, bookingService, type RefundPort } from './bookingService';
export {
  type BookingDoc,
  type BookingDocument,
  type BookingStatus,
  bookingCollections,
  ensureBookingIndexes,
  type HoldDoc,
  type HoldCheckout,
  type HoldDocument,
} from './collections';
export { type HoldSweeper, holdSweeper, SWEEPER_LOCK } from './holdSweeper';
export { type HoldDatesResult, type HoldService, holdService } from './holds';
export { type CheckoutReport, type CheckoutSettlement, checkoutSettlement, type SettlementOutcome } from './settlement';
