import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionExpiresAt } from '../src/payments/testing';
import { errorCode, startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates, RELEASE_HOLD } from './support/operations';
import { authorizationOf, checkoutEvent, checkoutHold, collections, deliver, oid, refundOf } from './support/payments';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ holdTtlSeconds: 3600 });
});
afterAll(() => app.stop());

async function newHold(token: string, days = 30) {
  const resource = await createResource(app);
  const held = await holdDates(app, token, resource.id, [dayFromToday(app, days)]);
  return held.data.holdDates.hold.id as string;
}

describe('when the owner checks out a live hold', () => {
  it('opens a Checkout Session and records it on the hold', async () => {
    const alice = await app.token('alice');
    const holdId = await newHold(alice);

    const response = await checkoutHold(app, alice, holdId);

    expect(response.errors).toBeUndefined();
    const started = response.data.checkoutHold;
    expect(started).toMatchObject({ __typename: 'CheckoutStarted', hold: { id: holdId, status: 'HELD' } });
    expect(started.checkoutSessionId).toMatch(/^cs_test_/);
    expect(started.checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    const hold = await collections(app).holds.findOne({ _id: oid(holdId) });
    expect(hold?.checkout).toMatchObject({ sessionId: started.checkoutSessionId, url: started.checkoutUrl });
  });

  it('returns the same session for a retry with the same key and for a new key', async () => {
    const alice = await app.token('alice');
    const holdId = await newHold(alice);
    const first = await checkoutHold(app, alice, holdId, 'same-key');
    const retry = await checkoutHold(app, alice, holdId, 'same-key');
    const otherKey = await checkoutHold(app, alice, holdId, 'other-key');
    expect(retry.data).toEqual(first.data);
    expect(otherKey.data.checkoutHold.checkoutSessionId).toBe(first.data.checkoutHold.checkoutSessionId);
  });

  it('records exactly one session when ten checkouts of one hold race', async () => {
    const alice = await app.token('alice');
    const holdId = await newHold(alice);
    const responses = await Promise.all(Array.from({ length: 10 }, () => checkoutHold(app, alice, holdId)));
    const ids = new Set(responses.map((r) => r.data.checkoutHold.checkoutSessionId));
    const hold = await collections(app).holds.findOne({ _id: oid(holdId) });
    // stripe-mock gives each call a fresh id (real Stripe would return one session for the shared key); all answers name the recorded one.
    expect([...ids]).toEqual([hold!.checkout!.sessionId]);
  });

  it('refuses a key reused for another hold', async () => {
    const alice = await app.token('alice');
    await checkoutHold(app, alice, await newHold(alice), 'reused-key');
    const response = await checkoutHold(app, alice, await newHold(alice, 31), 'reused-key');
    expect(errorCode(response)).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('when the hold cannot be paid for', () => {
  it('answers HoldNotFound for another user’s hold and for an unknown id', async () => {
    const holdId = await newHold(await app.token('alice'));
    const bob = await app.token('bob');
    expect((await checkoutHold(app, bob, holdId)).data.checkoutHold).toEqual({ __typename: 'HoldNotFound', holdId });
    expect((await checkoutHold(app, bob, 'nope')).data.checkoutHold).toEqual({ __typename: 'HoldNotFound', holdId: 'nope' });
    expect((await collections(app).holds.findOne({ _id: oid(holdId) }))?.checkout).toBeUndefined();
  });

  it('answers HoldExpired once the hold has lapsed, and for a released hold', async () => {
    const alice = await app.token('alice');
    const lapsing = await newHold(alice);
    const released = await newHold(alice, 32);
    await app.gql(alice, RELEASE_HOLD, { input: { holdId: released } });
    app.clock.advance(3600 * 1000);
    expect((await checkoutHold(app, alice, lapsing)).data.checkoutHold).toMatchObject({
      __typename: 'HoldExpired',
      hold: { status: 'EXPIRED' },
    });
    expect((await checkoutHold(app, alice, released)).data.checkoutHold).toMatchObject({
      __typename: 'HoldExpired',
      hold: { status: 'RELEASED' },
    });
  });

  it('refuses to check out a hold that is already paid for', async () => {
    const alice = await app.token('alice');
    const holdId = await newHold(alice, 33);
    const started = await checkoutHold(app, alice, holdId);
    await deliver(app, checkoutEvent('checkout.session.completed', { holdId, sessionId: started.data.checkoutHold.checkoutSessionId }));
    expect(errorCode(await checkoutHold(app, alice, holdId))).toBe('BAD_USER_INPUT');
  });
});

describe('when a hold with an open checkout is released', () => {
  it('releases it and voids a card authorization that still arrives for that session', async () => {
    const alice = await app.token('alice');
    const holdId = await newHold(alice, 34);
    const started = await checkoutHold(app, alice, holdId);
    const released = await app.gql(alice, RELEASE_HOLD, { input: { holdId } });
    expect(released.data.releaseHold.status).toBe('RELEASED');

    const paid = await deliver(
      app,
      checkoutEvent('checkout.session.completed', { holdId, sessionId: started.data.checkoutHold.checkoutSessionId }),
    );

    expect(paid.body.outcome).toBe('void_due');
    const booking = await collections(app).bookings.findOne({ holdId: oid(holdId) });
    expect(booking).toMatchObject({ status: 'VOIDED' });
    expect(await refundOf(app, booking!._id)).toBeNull();
    expect(await authorizationOf(app, booking!._id)).toMatchObject({ action: 'void', state: 'done', attempts: 1 });
  });
});

describe('sessionExpiresAt', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const seconds = (d: Date) => d.getTime() / 1000;
  it('uses the hold’s expiry when Stripe allows it', () => {
    const holdExpiry = new Date(now.getTime() + 2 * 3600_000);
    expect(sessionExpiresAt(holdExpiry, now)).toBe(seconds(holdExpiry));
  });
  it('never asks for less than 30 minutes or more than 24 hours', () => {
    expect(sessionExpiresAt(new Date(now.getTime() + 60_000), now)).toBe(seconds(now) + 31 * 60);
    expect(sessionExpiresAt(new Date(now.getTime() + 48 * 3600_000), now)).toBe(seconds(now) + 24 * 3600 - 60);
  });
});
