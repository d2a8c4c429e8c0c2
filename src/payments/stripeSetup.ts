import { join } from 'node:path';
import type Stripe from 'stripe';
import { assert } from '../assert';
import type { Logger } from '../logger';
import { fileBackedSecret } from '../secretFile';
import { createStripeClient } from './stripeClient';

export interface StripeConfig {
  /** A real `sk_test_`/`sk_live_` key; when absent `npm start` runs the provisioned stripe-mock. */
  secretKey?: string;
  /** The endpoint's signing secret (`whsec_…`); needed with a real key, generated for stripe-mock. */
  webhookSecret?: string;
  /** Where the Stripe API is, e.g. `http://127.0.0.1:12111` for a stripe-mock you run yourself. */
  apiBase?: string;
  /** Where Checkout sends the customer back to after paying or cancelling. */
  successUrl: string;
  cancelUrl: string;
}

/** The Stripe side: a client (real Stripe or stripe-mock), the endpoint's signing secret, return URLs. */
export interface PaymentOptions {
  stripe: Stripe;
  webhookSecret: string;
  successUrl: string;
  cancelUrl: string;
}

/** stripe-mock accepts any key that looks like a test key (letters and digits after `sk_test_`). */
export const MOCK_SECRET_KEY = 'sk_test_stripemock';

export interface StripeConnection {
  payments: PaymentOptions;
  /** True against stripe-mock (no real key): payments are fixtures, and may be simulated locally. */
  local: boolean;
  /** Stops the stripe-mock this process started, if any. */
  stop(): Promise<void>;
}

/**
 * A real key talks to Stripe (or to `STRIPE_API_BASE`). Without one, `STRIPE_API_BASE` names a
 * stripe-mock you run yourself, or else the provisioned stripe-mock is started here, the way the
 * embedded mongod is: payments are then fixtures, and the start-up log says so.
 */
export async function connectStripe(config: StripeConfig, dataDir: string, logger: Logger): Promise<StripeConnection> {
  const urls = { successUrl: config.successUrl, cancelUrl: config.cancelUrl };
  if (config.secretKey) {
    const stripe = createStripeClient({ secretKey: config.secretKey, apiBase: config.apiBase });
    const mode = config.secretKey.startsWith('sk_live_') ? 'live' : 'test';
    logger.info({ apiBase: config.apiBase ?? 'https://api.stripe.com', mode }, 'Stripe: using the configured key');
    assert(config.webhookSecret, 'a Stripe secret key comes with its webhook secret (loadConfig refuses one without)');
    return { payments: { stripe, webhookSecret: config.webhookSecret, ...urls }, local: false, stop: async () => {} };
  }
  const webhookSecret = config.webhookSecret ?? fileBackedSecret(dataDir, 'stripe-webhook-secret', 'whsec_');
  const secretSource = config.webhookSecret ? 'STRIPE_WEBHOOK_SECRET' : join(dataDir, 'stripe-webhook-secret');
  if (config.apiBase) {
    logger.info(
      { apiBase: config.apiBase, webhookSecret: secretSource },
      'Stripe: no STRIPE_SECRET_KEY; using the stripe-mock at STRIPE_API_BASE',
    );
    return {
      payments: { stripe: createStripeClient({ secretKey: MOCK_SECRET_KEY, apiBase: config.apiBase }), webhookSecret, ...urls },
      local: true,
      stop: async () => {},
    };
  }
  const { startStripeMock } = await import('../dev');
  const mock = await startStripeMock({ log: (line) => logger.info(line) });
  logger.info(
    { apiBase: mock.url, webhookSecret: secretSource },
    'Stripe: no STRIPE_SECRET_KEY, so started the provisioned stripe-mock (fixture responses, no real payments); sign test webhooks with the secret in the file named here',
  );
  return {
    payments: { stripe: createStripeClient({ secretKey: MOCK_SECRET_KEY, apiBase: mock.url }), webhookSecret, ...urls },
    local: true,
    stop: mock.stop,
  };
}
