import { DomainError } from '../../errors';

export interface RateLimiter {
  /** Counts one mutation for the caller; throws RATE_LIMITED once they are over the limit. */
  countMutation(callerId: string): void;
}

/**
 * At most `perMinute` mutations per user per minute on this instance (fixed one-minute windows),
 * whatever the transport: the pipeline's admission counts both. Per instance by design: it
 * protects the instance, not a global quota, and costs no database round trip.
 */
export function mutationRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    countMutation(callerId) {
      const minute = Math.floor(now() / 60_000) * 60_000;
      if (windows.size > 100_000) for (const [id, w] of windows) if (w.start < minute) windows.delete(id);
      const window = windows.get(callerId);
      if (!window || window.start !== minute) {
        windows.set(callerId, { start: minute, count: 1 });
        return;
      }
      window.count += 1;
      if (window.count > perMinute) {
        const retryAfterSeconds = Math.ceil((minute + 60_000 - now()) / 1000);
        throw new DomainError('RATE_LIMITED', `At most ${perMinute} mutations per minute; retry in ${retryAfterSeconds} s`, {
          retryable: true,
          retryAfterSeconds,
        });
      }
    },
  };
}
