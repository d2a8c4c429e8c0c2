import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveClaimsOf } from '../src/capacity';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates, RELEASE_HOLD } from './support/operations';
import { authorizationOf, checkoutEvent, checkoutHold, collections, deliver, refundOf } from './support/payments';
import { random, seedFrom } from './support/random';

const HOLDS = 50;
const OPERATIONS = 1000;
const HOLD_TTL_SECONDS = 1800;
const SEED = seedFrom('INTERLEAVING_SEED');

interface TrackedHold {
  holdId: string;
  userToken: string;
  sessionId?: string;
  /** Stripe sends one event id per (session, type) and redelivers that same id. */
  eventIds: { completed: string; expired: string };
  completedDelivered: boolean;
  /** Mostly card holds (authorized, then captured or voided); some sessions opened before that (charged at once). */
  capture: 'manual' | 'automatic';
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ holdTtlSeconds: HOLD_TTL_SECONDS });
});
afterAll(() => app.stop());

describe('when holds, clock jumps and Checkout events interleave at random', () => {
  it(`keeps guarantees G1, G14, G15 and G22 (README › Guarantees) over ${OPERATIONS} operations across ${HOLDS} holds (seed ${SEED})`, async () => {
    const rng = random(SEED);
    const resources = [await createResource(app, { capacity: 1 }), await createResource(app, { capacity: 2 })];
    const dates = Array.from({ length: 20 }, (_, i) => dayFromToday(app, 5 + i));
    const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => app.token(`user-${i}`)));
    const holds: TrackedHold[] = [];
    const deliveries: { eventId: string; status: number; body: Record<string, unknown> }[] = [];
    const problems: string[] = [];
    let holdAttempts = 0;

    let holdsInFlight = 0;
    async function tryHold() {
      holdAttempts += 1;
      holdsInFlight += 1;
      const token = rng.pick(tokens);
      const resource = rng.pick(resources);
      const first = rng.int(dates.length - 1);
      const held = await holdDates(app, token, resource.id, dates.slice(first, first + 1 + rng.int(2))).finally(() => (holdsInFlight -= 1));
      // G11: losing a race is a typed answer, never an error.
      if (held.errors || !['DatesHeld', 'DatesUnavailable'].includes(held.data?.holdDates.__typename))
        problems.push(`holdDates: ${JSON.stringify(held)}`);
      if (held.data?.holdDates.__typename !== 'DatesHeld') return;
      const tracked: TrackedHold = {
        holdId: held.data.holdDates.hold.id,
        userToken: token,
        eventIds: { completed: `evt_c_${new ObjectId().toHexString()}`, expired: `evt_x_${new ObjectId().toHexString()}` },
        completedDelivered: false,
        capture: rng.next() < 0.25 ? 'automatic' : 'manual',
      };
      holds.push(tracked);
      const started = await checkoutHold(app, token, tracked.holdId);
      const typename = started.data?.checkoutHold.__typename;
      if (started.errors || !['CheckoutStarted', 'HoldExpired'].includes(typename))
        problems.push(`checkoutHold: ${JSON.stringify(started)}`);
      if (typename === 'CheckoutStarted') tracked.sessionId = started.data.checkoutHold.checkoutSessionId;
    }

    async function sendEvent(kind: 'completed' | 'expired') {
      const hold = rng.pick(holds.filter((h) => h.sessionId));
      if (!hold) return;
      const type = kind === 'completed' ? 'checkout.session.completed' : 'checkout.session.expired';
      const event = checkoutEvent(
        type,
        { holdId: hold.holdId, sessionId: hold.sessionId!, paymentIntentId: `pi_${hold.holdId}`, capture: hold.capture },
        hold.eventIds[kind],
      );
      if (kind === 'completed') hold.completedDelivered = true;
      const response = await deliver(app, event);
      deliveries.push({ eventId: event.id, ...response });
    }

    async function release() {
      const hold = rng.pick(holds);
      if (!hold) return;
      const response = await app.gql(hold.userToken, RELEASE_HOLD, { input: { holdId: hold.holdId } });
      // Releasing a hold that is no longer held is refused with BAD_USER_INPUT; anything else is a bug.
      if (response.errors && response.errors[0].extensions?.code !== 'BAD_USER_INPUT')
        problems.push(`releaseHold: ${JSON.stringify(response)}`);
    }

    async function operation() {
      const roll = rng.next();
      // Counting holds still in flight keeps a concurrent batch from overshooting HOLDS.
      if (holds.length + holdsInFlight < HOLDS && roll < 0.3) return tryHold();
      if (roll < 0.42) return app.clock.advance((1 + rng.int(15)) * 60_000);
      if (roll < 0.72) return sendEvent('completed');
      if (roll < 0.94) return sendEvent('expired');
      return release();
    }

    let done = 0;
    let checks = 0;
    while (done < OPERATIONS || holds.length < HOLDS) {
      if (done > 4 * OPERATIONS) throw new Error(`only ${holds.length} holds after ${done} operations (seed ${SEED})`);
      const batch = 1 + rng.int(8);
      await Promise.all(Array.from({ length: batch }, () => operation()));
      done += batch;
      if (rng.next() < 0.25) {
        await checkInvariantOne();
        checks += 1;
      }
    }
    await checkInvariantOne();

    expect(problems, `seed ${SEED}`).toEqual([]);
    expect(holds).toHaveLength(HOLDS);
    expect(checks).toBeGreaterThan(10);

    const { bookings, events, holds: holdDocs } = collections(app);
    // G14: every delivery was accepted, each event id took effect on exactly one delivery and is recorded once.
    expect(
      deliveries.filter((d) => d.status !== 200),
      `seed ${SEED}`,
    ).toEqual([]);
    const deliveredIds = new Set(deliveries.map((d) => d.eventId));
    for (const id of deliveredIds) {
      expect(
        deliveries.filter((d) => d.eventId === id && d.body.handled === true),
        `event ${id}, seed ${SEED}`,
      ).toHaveLength(1);
    }
    const recorded = await events.find().toArray();
    expect(recorded.map((e) => e._id).sort()).toEqual([...deliveredIds].sort());
    expect(recorded.filter((e) => e.outcome === 'processing')).toEqual([]);
    // One booking per paid session, whatever the number and order of deliveries.
    const allBookings = await bookings.find().toArray();
    const paidSessions = holds.filter((h) => h.completedDelivered).map((h) => h.sessionId!);
    expect(allBookings.map((b) => b.checkoutSessionId).sort()).toEqual([...paidSessions].sort());

    // G15/G22: a card authorization is captured exactly once when kept and voided exactly once when
    // its dates were lost, never refunded; a payment taken at once that lost its dates is refunded once.
    for (const booking of allBookings) {
      const { capture } = holds.find((h) => h.sessionId === booking.checkoutSessionId)!;
      const refund = await refundOf(app, booking._id);
      const authorization = await authorizationOf(app, booking._id);
      const seen = {
        capture,
        status: booking.status,
        refund: refund && refund.state,
        authorization: authorization && authorization.action,
      };
      // Any other pair (a manual REFUNDED, an automatic VOIDED…) finds nothing here and fails the check.
      const expected: Record<string, { refund: string | null; authorization: string | null } | undefined> = {
        'manual CONFIRMED': { refund: null, authorization: 'capture' },
        'manual VOIDED': { refund: null, authorization: 'void' },
        'automatic CONFIRMED': { refund: null, authorization: null },
        'automatic REFUNDED': { refund: 'done', authorization: null },
      };
      expect(seen, `seed ${SEED}`).toEqual({ capture, status: booking.status, ...expected[`${capture} ${booking.status}`] });
      if (refund) expect(refund, `seed ${SEED}`).toMatchObject({ attempts: 1, id: expect.stringMatching(/^re_/) });
      if (authorization) expect(authorization, `seed ${SEED}`).toMatchObject({ state: 'done', attempts: 1 });
    }
    // A confirmed hold has its one confirmed booking and vice versa.
    const confirmedHolds = await holdDocs.find({ state: 'confirmed' }).toArray();
    expect(confirmedHolds.map((h) => h._id.toHexString()).sort()).toEqual(
      allBookings
        .filter((b) => b.status === 'CONFIRMED')
        .map((b) => b.holdId.toHexString())
        .sort(),
    );
    // The run exercised every path, so the checks above were not vacuous.
    const outcomes = new Set(recorded.map((e) => e.outcome.split(':')[0]));
    expect([...outcomes].sort(), `seed ${SEED}`).toEqual(expect.arrayContaining(['confirmed', 'released', 'nothing_to_do']));
    const statuses = new Set(allBookings.map((b) => b.status));
    expect(statuses.has('VOIDED') && deliveries.some((d) => d.body.reason === 'duplicate'), `seed ${SEED}`).toBe(true);
    const count = (status: string) => allBookings.filter((b) => b.status === status).length;
    console.log(
      `interleavings seed ${SEED}: ${done} operations, ${holdAttempts} hold attempts, ${deliveries.length} deliveries, ${allBookings.length} bookings (${count('VOIDED')} voided, ${count('REFUNDED')} refunded)`,
    );
  });
});

/**
 * G1: no date carries more live claims than its capacity, every booked claim belongs to
 * exactly one CONFIRMED booking of that hold covering that date, and every CONFIRMED booking has a
 * booked claim on each of its dates.
 */
async function checkInvariantOne() {
  const { slots, bookings } = collections(app);
  const now = app.clock.now();
  const [allSlots, confirmed] = await Promise.all([slots.find().toArray(), bookings.find({ status: 'CONFIRMED' }).toArray()]);
  for (const slot of allSlots) {
    const where = `${slot.resourceId.toHexString()} ${slot.date} (seed ${SEED})`;
    expect(liveClaimsOf(slot, now).length, where).toBeLessThanOrEqual(slot.capacity);
    expect(new Set(slot.claims.map((c) => c.holdId.toHexString())).size, where).toBe(slot.claims.length);
    for (const claim of slot.claims.filter((c) => c.state === 'booked')) {
      const owners = confirmed.filter(
        (b) => b.holdId.equals(claim.holdId) && b.resourceId.equals(slot.resourceId) && b.dates.includes(slot.date),
      );
      expect(owners, where).toHaveLength(1);
    }
  }
  for (const booking of confirmed) {
    for (const date of booking.dates) {
      const slot = allSlots.find((s) => s.resourceId.equals(booking.resourceId) && s.date === date);
      expect(
        slot?.claims.some((c) => c.holdId.equals(booking.holdId) && c.state === 'booked'),
        `${booking._id} ${date} (seed ${SEED})`,
      ).toBe(true);
    }
  }
}
