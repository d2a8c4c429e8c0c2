import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { collections } from './support/payments';

let a: TestApp;
beforeAll(async () => {
  a = await startTestApp();
});
afterAll(async () => {
  await a.stop();
});

/** A booking as stored before payments kept refunds in their own collection. */
function legacyBooking(refund: object | null, paymentIntentId: string | null = `pi_legacy_${new ObjectId().toHexString()}`) {
  const now = new Date('2026-10-01T00:00:00Z');
  return {
    _id: new ObjectId(),
    holdId: new ObjectId(),
    checkoutSessionId: `cs_legacy_${new ObjectId().toHexString()}`,
    paymentIntentId,
    userId: 'alice',
    resourceId: new ObjectId(),
    dates: ['2027-01-01'],
    amount: 1000,
    currency: 'EUR',
    status: 'REFUNDED',
    refund,
    createdAt: now,
    updatedAt: now,
  };
}

describe('when the database still has refunds recorded inside bookings', () => {
  it('moves each into the refunds collection at start, once, and a pending one is then sent', async () => {
    const pending = legacyBooking({
      state: 'pending',
      id: null,
      attempts: 1,
      leaseUntil: null,
      lastError: 'Stripe down',
      nextAttemptAt: null,
    });
    const done = legacyBooking({ state: 'done', id: 're_legacy', attempts: 1, leaseUntil: null });
    const none = legacyBooking(null, null);
    await a.db.collection('bookings').insertMany([pending, done, none]);

    // A second instance starting on the same database runs the migration (twice: it is idempotent).
    const b = await startTestApp({ sharing: { db: a.db, jwtSecret: a.jwtSecret, webhookSecret: a.webhookSecret, clock: a.clock } });
    const again = await startTestApp({ sharing: { db: a.db, jwtSecret: a.jwtSecret, webhookSecret: a.webhookSecret, clock: a.clock } });
    try {
      const { refunds, bookings } = collections(a);
      expect(await refunds.findOne({ _id: pending._id })).toMatchObject({
        paymentIntentId: pending.paymentIntentId,
        state: 'pending',
        attempts: 1,
        lastError: 'Stripe down',
      });
      expect(await refunds.findOne({ _id: done._id })).toMatchObject({ state: 'done', id: 're_legacy' });
      expect(await refunds.findOne({ _id: none._id })).toBeNull();
      expect(await bookings.countDocuments({ refund: { $exists: true } } as never)).toBe(0);

      await b.app.services.refundRetrier.retryOnce();
      expect(await refunds.findOne({ _id: pending._id })).toMatchObject({ state: 'done', attempts: 2, id: expect.stringMatching(/^re_/) });
    } finally {
      await again.stop();
      await b.stop();
    }
  });
});
