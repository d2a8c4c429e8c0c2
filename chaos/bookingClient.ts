import { setTimeout as sleep } from 'node:timers/promises';
import { HOLD_DATES, RELEASE_HOLD } from '../test/support/operations';
import { CANCEL_BOOKING, CHECKOUT_HOLD, MY_BOOKINGS } from '../test/support/payments';
import { type ClientContext, query, send } from './gql';
import { ADMIN, type World } from './setup';
import { DEPOSIT, OPEN_ACCOUNT } from '../test/support/ledger';

export const PAY_HOLD = `mutation($input: PayHoldInput!) {
  payHold(input: $input) {
    __typename
    ... on BookingConfirmed { booking { id holdId status paymentMethod amount } transfer { id amount } }
    ... on InsufficientFunds { accountId requested }
    ... on HoldExpired { hold { id status } }
  }
}`;
import type { Webhooks } from './webhooks';

/**
 * One guest: holds dates (mostly the few hot ones), releases some holds, checks out the rest, has
 * the payment arrive as webhook events (late, twice, out of order, after expiry), and cancels some
 * confirmed bookings.
 */
export async function runBookingClient(
  ctx: ClientContext,
  world: World,
  webhooks: Webhooks,
  index: number,
  stopAt: number,
  nextAmount: () => number,
) {
  const { random } = ctx;
  const userId = `guest-${index}`;
  const wallet = await openWallet(ctx, userId, index, nextAmount);
  for (let n = 0; Date.now() < stopAt; n += 1) {
    const resource = random.chance(0.7) ? random.pick(world.resources.filter((r) => r.hot)) : world.resources[2];
    const first = random.int(resource.dates.length);
    const dates = resource.dates.slice(first, first + 1 + random.int(resource.hot ? 2 : 3));
    // Some holds carry their money from the guest's wallet (an authorization with the hold's expiry).
    const reserveFrom = random.chance(0.3) ? wallet : undefined;
    const held = await send(
      ctx,
      {
        kind: 'holdDates',
        userId,
        query: HOLD_DATES,
        variables: { input: { resourceId: resource.id, dates, idempotencyKey: `hold-${index}-${n}`, reserveFrom } },
      },
      index,
    );
    const hold = held.data?.holdDates.__typename === 'DatesHeld' ? held.data.holdDates.hold : undefined;
    if (hold && random.chance(reserveFrom ? 0.85 : 0.25)) {
      // Paid from the wallet: dates, money and booking in one transaction.
      await send(
        ctx,
        {
          kind: 'payHold',
          userId,
          query: PAY_HOLD,
          variables: { input: { holdId: hold.id, accountId: wallet, idempotencyKey: `pay-${index}-${n}` } },
        },
        index,
      );
    } else if (hold && (reserveFrom || random.chance(0.1))) {
      // A hold whose money is held is paid from the wallet or released, never by card.
      await send(ctx, { kind: 'releaseHold', userId, query: RELEASE_HOLD, variables: { input: { holdId: hold.id } } }, index);
    } else if (hold) {
      const started = await send(
        ctx,
        {
          kind: 'checkoutHold',
          userId,
          query: CHECKOUT_HOLD,
          variables: { input: { holdId: hold.id, idempotencyKey: `checkout-${index}-${n}` } },
        },
        index,
      );
      if (started.data?.checkoutHold.__typename === 'CheckoutStarted') webhooks.plan(hold.id, started.data.checkoutHold.checkoutSessionId);
    }
    if (random.chance(0.15)) await cancelOne(ctx, userId, index, n);
    await sleep(random.between(50, 300));
  }
}

/** The guest's wallet, funded by the admin (the deposit is in the history like every other). */
async function openWallet(ctx: ClientContext, userId: string, index: number, nextAmount: () => number): Promise<string> {
  const opened = await query(ctx, userId, 'user', OPEN_ACCOUNT, { input: { currency: 'EUR' } });
  const accountId = opened.openAccount.id as string;
  await send(ctx, {
    kind: 'deposit',
    userId: ADMIN,
    role: 'admin',
    query: DEPOSIT,
    variables: { input: { accountId, amount: 20_000 + nextAmount(), idempotencyKey: `wallet-deposit-${index}` } },
  });
  return accountId;
}

async function cancelOne(ctx: ClientContext, userId: string, index: number, n: number) {
  const data = await query(ctx, userId, 'user', MY_BOOKINGS).catch(() => undefined);
  const confirmed = (data?.myBookings.edges ?? [])
    .map((e: { node: { id: string; status: string } }) => e.node)
    .filter((b: { status: string }) => b.status === 'CONFIRMED');
  if (confirmed.length === 0) return;
  const booking = ctx.random.pick(confirmed) as { id: string };
  await send(
    ctx,
    {
      kind: 'cancelBooking',
      userId,
      query: CANCEL_BOOKING,
      variables: { input: { bookingId: booking.id, idempotencyKey: `cancel-${index}-${n}` } },
    },
    index,
  );
}
