// "My bookings": status of each booking and how it was paid, Cancel for a confirmed one, and its
// refund's progress.
import { gql, humanError, idempotencyKey, mutate } from './api.js';
import { PageCancelBooking, PageMyBookings } from './operations.js';
import { $, el, latestOnly, money, say } from './ui.js';

const STATUS = {
  PENDING_PAYMENT: 'awaiting payment',
  CONFIRMED: 'confirmed',
  CANCELLED: 'cancelled',
  REFUNDED: 'refunded: the dates were taken before the payment arrived',
  VOIDED: 'not booked: the dates were taken first, and the card was not charged',
};
const METHOD = { CARD: 'by card', BALANCE: 'from wallet' };
/** Statuses whose money did move (a refund may have sent it back since). */
const PAID = new Set(['CONFIRMED', 'CANCELLED', 'REFUNDED']);
const REFUND = { PENDING: 'refund on its way…', SUCCEEDED: 'refunded in full' };
const POLL_WHILE_REFUNDING_MS = 2000;

/** `resourceName(id)` names a resource; `onChange(bookings)` runs after each load. */
export function createBookings({ resourceName, onChange }) {
  let bookings = [];
  let drawn = '';
  let poll;

  function row(booking) {
    const refund = booking.refundStatus ? REFUND[booking.refundStatus] : '';
    return el(
      'li',
      {
        className: 'booking',
        data: { bookingId: booking.id, status: booking.status, paymentMethod: booking.paymentMethod, refund: booking.refundStatus ?? '' },
      },
      el('span', {
        className: 'what',
        textContent: `${resourceName(booking.resourceId)} · ${booking.dates.join(', ')} · ${money(booking.amount, booking.currency)}`,
      }),
      el('span', { className: 'status', textContent: STATUS[booking.status] ?? booking.status }),
      el('span', {
        className: 'method',
        textContent: `${PAID.has(booking.status) ? 'paid ' : ''}${METHOD[booking.paymentMethod] ?? booking.paymentMethod}`,
      }),
      refund && el('span', { className: 'refund', textContent: refund }),
      booking.status === 'CONFIRMED' &&
        el('button', { type: 'button', className: 'cancel', textContent: 'Cancel and refund', onclick: () => cancel(booking) }),
    );
  }

  function draw() {
    const signature = JSON.stringify(bookings);
    if (signature !== drawn) {
      drawn = signature;
      $('booking-list').replaceChildren(
        ...(bookings.length
          ? bookings.map(row)
          : [el('li', { className: 'empty', textContent: 'No bookings yet: pay for a hold to book it.' })]),
      );
    }
    // A refund is sent after the cancellation commits; follow it until Stripe has accepted it.
    clearTimeout(poll);
    if (bookings.some((booking) => booking.refundStatus === 'PENDING'))
      poll = setTimeout(() => refresh().catch(() => {}), POLL_WHILE_REFUNDING_MS);
    onChange(bookings);
  }

  const refresh = latestOnly(
    () => gql(PageMyBookings),
    (data) => {
      bookings = data.myBookings.edges.map((edge) => edge.node);
      draw();
    },
  );

  function replace(booking) {
    bookings = bookings.map((known) => (known.id === booking.id ? booking : known));
    draw();
  }

  async function cancel(booking) {
    say(`Cancelling your booking of ${booking.dates.join(', ')}…`);
    try {
      const input = { bookingId: booking.id, idempotencyKey: idempotencyKey() };
      const { cancelBooking } = await mutate(PageCancelBooking, { input });
      if (cancelBooking.__typename === 'BookingCancelled') {
        replace(cancelBooking.booking);
        say(`Cancelled: ${booking.dates.join(', ')} is free again and ${money(booking.amount, booking.currency)} is being refunded.`);
      } else if (cancelBooking.__typename === 'BookingNotCancellable') {
        replace(cancelBooking.booking);
        say(`This booking is ${STATUS[cancelBooking.booking.status] ?? cancelBooking.booking.status} and cannot be cancelled.`, true);
      } else {
        say('This booking is no longer yours to cancel.', true);
        await refresh();
      }
    } catch (error) {
      say(humanError(error), true);
    }
  }

  return { refresh };
}
