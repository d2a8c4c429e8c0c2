import { setTimeout as sleep } from 'node:timers/promises';
import { createStripeClient, MOCK_SECRET_KEY } from '../src/payments';
import { checkoutEvent } from '../test/support/payments';
import type { Random } from './random';
import { HOLD_TTL_SECONDS, type Topology, WEBHOOK_SECRET } from './topology';

/** One Stripe event as Stripe would send it; redeliveries reuse its id. */
export interface PlannedEvent {
  id: string;
  type: 'checkout.session.completed' | 'checkout.session.expired';
  holdId: string;
  sessionId: string;
  paymentIntentId: string;
  body: object;
  sends: number;
  /** Answered 2xx at least once. */
  acked: boolean;
  statuses: number[];
}

interface Delivery {
  dueAt: number;
  event: PlannedEvent;
}

const CONCURRENCY = 3;

/**
 * Plays Stripe: for each Checkout a client started it decides (from the seed) whether the customer
 * pays, abandons or lets the session expire, and delivers the signed events late, twice, out of
 * order and sometimes after the hold expired. Anything not answered 2xx is redelivered with backoff.
 */
export class Webhooks {
  readonly events: PlannedEvent[] = [];
  private queue: Delivery[] = [];
  private readonly stripe = createStripeClient({ secretKey: MOCK_SECRET_KEY });
  private inFlight = 0;

  constructor(
    private readonly topology: Topology,
    private readonly random: Random,
  ) {}

  /** Sessions whose payment was reported (sent at least once), whatever the answer. */
  paidSessions(): Map<string, PlannedEvent> {
    return new Map(this.events.filter((e) => e.type === 'checkout.session.completed').map((e) => [e.sessionId, e]));
  }

  plan(holdId: string, sessionId: string): void {
    const { random } = this;
    const paymentIntentId = `pi_chaos_${sessionId.slice(-10)}_${this.events.length}`;
    const make = (type: PlannedEvent['type']): PlannedEvent => {
      const id = `evt_chaos_${this.events.length}_${type === 'checkout.session.completed' ? 'paid' : 'expired'}`;
      const body = checkoutEvent(type, { holdId, sessionId, paymentIntentId }, id);
      const event: PlannedEvent = { id, type, holdId, sessionId, paymentIntentId, body, sends: 0, acked: false, statuses: [] };
      this.events.push(event);
      return event;
    };
    const lateness = () => {
      const roll = random.next();
      // Mostly prompt, some late, some after the hold lapsed.
      if (roll < 0.7) return random.between(100, 2000);
      if (roll < 0.9) return random.between(3000, 5000);
      return random.between(HOLD_TTL_SECONDS * 1000 + 500, HOLD_TTL_SECONDS * 1000 + 4000);
    };
    const schedule = (event: PlannedEvent) => {
      this.queue.push({ dueAt: Date.now() + lateness(), event });
      if (random.chance(0.3)) this.queue.push({ dueAt: Date.now() + lateness(), event });
    };
    const roll = random.next();
    if (roll < 0.7) {
      schedule(make('checkout.session.completed'));
      if (random.chance(0.15)) schedule(make('checkout.session.expired'));
    } else if (roll < 0.85) {
      schedule(make('checkout.session.expired'));
    }
  }

  /** Delivers due events until `stopAt`. */
  async run(stopAt: number): Promise<void> {
    const running = new Set<Promise<unknown>>();
    while (Date.now() < stopAt) {
      const now = Date.now();
      this.queue.sort((a, b) => a.dueAt - b.dueAt);
      while (this.queue.length > 0 && this.queue[0].dueAt <= now && this.inFlight < CONCURRENCY) {
        const delivery = this.queue.shift()!;
        const attempt = this.deliver(delivery).finally(() => running.delete(attempt));
        running.add(attempt);
      }
      await sleep(25);
    }
    await Promise.all(running);
  }

  /**
   * After the load: every event not yet acknowledged (plus `again`, redelivered as Stripe would for a
   * refund still pending) is delivered until answered 2xx or `timeoutMs` passes; returns how many were not.
   */
  async drain(timeoutMs: number, again: PlannedEvent[] = []): Promise<number> {
    this.queue = [];
    const deadline = Date.now() + timeoutMs;
    const todo = [...new Set([...this.events.filter((e) => !e.acked), ...again])];
    let unanswered = 0;
    for (const event of todo) {
      let answered = false;
      while (!answered && Date.now() < deadline) {
        answered = await this.deliver({ dueAt: 0, event }, false);
        if (!answered) await sleep(500);
      }
      if (!answered) unanswered += 1;
    }
    return unanswered;
  }

  private async deliver(delivery: Delivery, requeue = true): Promise<boolean> {
    this.inFlight += 1;
    const { event } = delivery;
    const instances = this.topology.instances.filter((i) => i.up);
    const target = instances.length > 0 ? this.random.pick(instances) : this.topology.instances[0];
    const payload = JSON.stringify(event.body);
    const header = this.stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    event.sends += 1;
    try {
      const response = await fetch(`${target.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
        body: payload,
        signal: AbortSignal.timeout(12_000),
      });
      event.statuses.push(response.status);
      await response.text();
      if (response.ok) event.acked = true;
      else if (requeue) this.queue.push({ dueAt: Date.now() + this.random.between(500, 2000), event });
      return response.ok;
    } catch {
      event.statuses.push(0);
      if (requeue) this.queue.push({ dueAt: Date.now() + this.random.between(500, 2000), event });
      return false;
    } finally {
      this.inFlight -= 1;
    }
  }
}
