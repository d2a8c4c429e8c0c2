import type { Collection } from 'mongodb';
import { type BackgroundJobSettings, leasedJob } from '../locks';
import type { RefundDoc, RefundSender } from './refunds';

const REFUND_RETRY_LOCK = 'refund-retrier';

/** `leaseMs` is renewed before each refund, so it must outlast one send with the SDK's own retries. */
export interface RefundRetrierOptions extends BackgroundJobSettings {
  pending: Collection<RefundDoc>;
  refunds: RefundSender;
}

/**
 * Sends pending refunds whose backoff (`nextAttemptAt`) is over: left by a Stripe outage, a
 * crashed sender, or a start-up. Runs on every instance, first right at start; the lease lock has
 * one of them work at a time. The lock only spreads the work: the refund's own lease in
 * `refundSender.send` is what keeps two senders from sending one refund at once.
 */
export function refundRetrier(options: RefundRetrierOptions) {
  const { pending, refunds, clock, logger } = options;
  const batchSize = options.batchSize ?? 100;

  async function retryDue(keep: () => Promise<boolean>): Promise<number> {
    const now = clock.now();
    const due = await pending
      .find({ state: 'pending', $or: [{ nextAttemptAt: null }, { nextAttemptAt: { $lte: now } }] }, { projection: { _id: 1 } })
      .sort({ nextAttemptAt: 1 })
      .limit(batchSize)
      .toArray();
    let sent = 0;
    for (const { _id } of due) {
      // A superseded holder stops; the new one works through the same list.
      if (!(await keep())) break;
      const bookingId = _id.toHexString();
      try {
        const outcome = await refunds.send(_id);
        if (outcome === 'refunded') sent += 1;
        logger.info({ bookingId, outcome }, 'pending refund retried');
      } catch (error) {
        const refund = await pending.findOne({ _id }, { projection: { attempts: 1, nextAttemptAt: 1 } });
        logger.warn(
          { err: error, bookingId, attempts: refund?.attempts, nextAttemptAt: refund?.nextAttemptAt },
          'pending refund failed again; it is retried after its backoff',
        );
      }
    }
    return sent;
  }

  const job = leasedJob({
    lockName: REFUND_RETRY_LOCK,
    locks: options.locks,
    logger,
    intervalMs: options.intervalMs,
    onRun: options.onRun,
    leaseMs: options.leaseMs ?? 60_000,
    runAtStart: true,
    idle: 0,
    run: (_lease, keep) => retryDue(keep),
  });

  /** `retryOnce` answers how many refunds this pass sent (0 when another instance holds the lock). */
  return { owner: job.owner, retryOnce: job.runOnce, start: job.start, stop: job.stop };
}
