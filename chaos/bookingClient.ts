import { setTimeout as sleep } from 'node:timers/promises';
import { HOLD_DATES, RELEASE_HOLD } from '../test/support/operations';
import { CANCEL_BOOKING, CHECKOUT_HOLD, MY_BOOKINGS } from '../test/support/payments';
import { type ClientContext, query, send } from './gql';
import type { World } from './setup';
import type { Webhooks } from './webhooks';

/**
 * One guest: holds dates (mostly the few hot ones), releases some holds, checks out the rest, has
 * the payment arrive as webhook events (late, twice, out of order, after expiry), and cancels some
 * confirmed bookings.
 */
export async function runBookingClient(ctx: ClientContext, world: World, webhooks: Webhooks, index: number, stopAt: number) {
  const { random } = ctx;
  const userId = `guest-${index}`;
  for (let n = 0; Date.now() < stopAt; n += 1) {
    const resource = random.chance(0.7) ? random.pick(world.resources.filter((r) => r.hot)) : world.resources[2];
    const first = random.int(resource.dates.length);
    const dates = resource.dates.slice(first, first + 1 + random.int(resource.hot ? 2 : 3));
    const held = await send(
      ctx,
      {
        kind: 'holdDates',
        userId,
        query: HOLD_DATES,
        variables: { input: { resourceId: resource.id, dates, idempotencyKey: `hold-${index}-${n}` } },
      },
      index,
    );
    const hold = held.data?.holdDates.__typename === 'DatesHeld' ? held.data.holdDates.hold : undefined;
    if (hold && random.chance(0.1)) {
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
