import type { Collection, ObjectId } from 'mongodb';
import { type BackgroundJobSettings, leasedJob } from '../locks';
import type { CallAttempt, PendingCallDoc } from './pendingCalls';

const REFUND_RETRY_LOCK = 'refund-retrier';

/** One kind of pending Stripe call the retrier works through: its collection and its sender. */
export interface PendingCallKind {
  /** For the logs: `refund`, `card authorization`. */
  name: string;
  pending: Collection<PendingCallDoc>;
  send(bookingId: ObjectId): Promise<CallAttempt>;
}

/** `leaseMs` is renewed before each call, so it must outlast one send with the SDK's own retries. */
export interface RefundRetrierOptions extends BackgroundJobSettings {
  kinds: PendingCallKind[];
}

/**
 * Sends pending Stripe calls (refunds, card captures and voids) whose backoff (`nextAttemptAt`) is
 * over: left by a Stripe outage, a crashed sender, or a start-up. Runs on every instance, first
 * right at start; the lease lock has one of them work at a time. The lock only spreads the work:
 * each call's own lease (`pendingCalls.send`) is what keeps two senders from sending it at once.
 */
export function refundRetrier(options: RefundRetrierOptions) {
  const { kinds, clock, logger } = options;
  const batchSize = options.batchSize ?? 100;

  async function retryKind(kind: PendingCallKind, keep: () => Promise<boolean>): Promise<number> {
    const now = clock.now();
    const due = await kind.pending
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
        const outcome = await kind.send(_id);
        if (outcome === 'sent') sent += 1;
        logger.info({ bookingId, outcome }, `pending ${kind.name} retried`);
      } catch (error) {
        const call = await kind.pending.findOne({ _id }, { projection: { attempts: 1, nextAttemptAt: 1 } });
        logger.warn(
          { err: error, bookingId, attempts: call?.attempts, nextAttemptAt: call?.nextAttemptAt },
          `pending ${kind.name} failed again; it is retried after its backoff`,
        );
      }
    }
    return sent;
  }

  async function retryDue(keep: () => Promise<boolean>): Promise<number> {
    let sent = 0;
    // Captures and voids first: a refund of a booking waits for its capture.
    for (const kind of kinds) sent += await retryKind(kind, keep);
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

  /** `retryOnce` answers how many calls this pass sent (0 when another instance holds the lock). */
  return { owner: job.owner, retryOnce: job.runOnce, start: job.start, stop: job.stop };
}
