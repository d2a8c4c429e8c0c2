import type { Db, ObjectId } from 'mongodb';
import type { Logger } from './logger';
import type { RefundDoc } from './payments';

/** A refund as bookings stored it before payments had their own `refunds` collection. */
interface LegacyRefund {
  state: 'pending' | 'done';
  id: string | null;
  attempts: number;
  leaseUntil: Date | null;
  lastError?: string;
  nextAttemptAt?: Date | null;
}

interface LegacyBooking {
  _id: ObjectId;
  paymentIntentId: string | null;
  refund?: LegacyRefund | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Run at start, before anything serves: moves refunds that bookings recorded inline (`bookings.refund`,
 * before 2026-11) into payments' `refunds` collection, so a pending one is still sent by the retrier
 * and none is lost. Idempotent (insert-if-absent, then unset), safe with several instances starting
 * at once. The one place that writes across modules, as a data migration.
 */
export async function moveInlineRefunds(db: Db, logger: Logger): Promise<number> {
  const bookings = db.collection<LegacyBooking>('bookings');
  const refunds = db.collection<RefundDoc>('refunds');
  let moved = 0;
  for await (const booking of bookings.find({ refund: { $exists: true } })) {
    const legacy = booking.refund;
    if (legacy && booking.paymentIntentId) {
      await refunds.updateOne(
        { _id: booking._id },
        {
          $setOnInsert: {
            paymentIntentId: booking.paymentIntentId,
            state: legacy.state,
            id: legacy.id,
            attempts: legacy.attempts,
            leaseUntil: legacy.leaseUntil,
            nextAttemptAt: legacy.nextAttemptAt ?? null,
            ...(legacy.lastError ? { lastError: legacy.lastError } : {}),
            createdAt: booking.createdAt,
            updatedAt: booking.updatedAt,
          },
        },
        { upsert: true },
      );
      moved += 1;
    }
    await bookings.updateOne({ _id: booking._id }, { $unset: { refund: '' } });
  }
  if (moved > 0) logger.info({ moved }, 'moved refunds recorded inside bookings into the refunds collection');
  return moved;
}
