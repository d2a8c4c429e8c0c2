import Stripe from 'stripe';

export interface StripeClientOptions {
  secretKey: string;
  /** `http://127.0.0.1:12111` points the SDK at stripe-mock; omit for api.stripe.com. */
  apiBase?: string;
}

/**
 * The official SDK, optionally aimed at another host. The SDK retries network failures itself and
 * sends the same idempotency key on each retry, so a retried create never makes a second object.
 */
export function createStripeClient({ secretKey, apiBase }: StripeClientOptions): Stripe {
  const base = apiBase ? new URL(apiBase) : undefined;
  const protocol = base?.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(secretKey, {
    maxNetworkRetries: 2,
    timeout: 15_000,
    ...(base ? { host: base.hostname, port: Number(base.port) || (protocol === 'http' ? 80 : 443), protocol } : {}),
  });
}
