import { setTimeout as sleep } from 'node:timers/promises';
import { query } from './gql';
import { AVAILABILITY, type DateView, type Subscriber } from './subscribers';
import type { Topology } from './topology';

function differences(subscriber: Subscriber, final: DateView[]): string[] {
  const found: string[] = [];
  for (const date of final) {
    const seen = subscriber.view.get(date.date);
    if (!seen || seen.version !== date.version || seen.remaining !== date.remaining || seen.status !== date.status) {
      found.push(
        `${date.date}: merged ${seen ? `v${seen.version} ${seen.status} ${seen.remaining}` : 'nothing'}, final v${date.version} ${date.status} ${date.remaining}`,
      );
    }
  }
  return found;
}

/**
 * No message showed part of a transaction: every subscriber's cursors strictly increase (a commit
 * split over two messages would repeat its cursor), and a cursor names the same dates for every
 * subscriber of the same resource and range, whichever instance sent it.
 */
export function checkTransactions(subscribers: Subscriber[], violations: string[]): void {
  const datesOf = new Map<string, { by: string; dates: string }>();
  for (const subscriber of subscribers) {
    let last = '';
    for (const message of subscriber.messages) {
      if (!message.reset && message.cursor <= last) {
        violations.push(`subscriber ${subscriber.name} got cursor ${message.cursor} after ${last}: a repeated or out-of-order commit`);
      }
      last = message.cursor > last ? message.cursor : last;
      if (message.reset) continue;
      const key = `${subscriber.resourceId} ${subscriber.range.from} ${subscriber.range.to} ${message.cursor}`;
      const dates = [...message.dates].sort().join(',');
      const known = datesOf.get(key);
      if (!known) datesOf.set(key, { by: subscriber.name, dates });
      else if (known.dates !== dates) {
        violations.push(`commit ${message.cursor}: ${known.by} got dates [${known.dates}], ${subscriber.name} got [${dates}]`);
      }
    }
  }
}

/**
 * Each subscriber's view (its last reset, then every update applied) must equal the final
 * `availability` answer. Holds lapse by query but become events only when swept, so the two may differ for a few
 * seconds after the load; the check waits up to `settleMs` for them to agree and reports what is left.
 */
export async function checkSubscriptions(
  topology: Topology,
  subscribers: Subscriber[],
  violations: string[],
  settleMs: number,
): Promise<void> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const pending: string[] = [];
    for (const subscriber of subscribers) {
      const data = await query({ topology }, `watcher-${subscriber.name}`, 'user', AVAILABILITY, {
        resourceId: subscriber.resourceId,
        ...subscriber.range,
      });
      const diff = differences(subscriber, data.availability);
      if (diff.length > 0)
        pending.push(
          `subscriber ${subscriber.name} (${subscriber.connects} connects, ${subscriber.events} messages, ${subscriber.resets} resets) differs: ${diff.join('; ')}`,
        );
    }
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      violations.push(...pending);
      return;
    }
    await sleep(500);
  }
}
