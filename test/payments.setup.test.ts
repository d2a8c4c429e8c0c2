import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadConfig } from '../src/config';
import { startStripeMock } from '../src/dev';
import { createStripeClient, MOCK_SECRET_KEY } from '../src/payments';

describe('when stripe-mock is started by the project', () => {
  it('runs two instances side by side on system-chosen ports and stops them', async () => {
    const [a, b] = await Promise.all([startStripeMock({ log: () => {} }), startStripeMock({ log: () => {} })]);
    try {
      expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(a.url).not.toBe(b.url);
      const balance = await createStripeClient({ secretKey: MOCK_SECRET_KEY, apiBase: b.url }).balance.retrieve();
      expect(balance.object).toBe('balance');
    } finally {
      await a.stop();
      await b.stop();
    }
    await expect(fetch(`${a.url}/v1/balance`)).rejects.toThrow();
  });
});

describe('when the Stripe client is configured', () => {
  it('points the official SDK at STRIPE_API_BASE', async () => {
    const stripe = createStripeClient({ secretKey: MOCK_SECRET_KEY, apiBase: inject('stripeApiBase') });
    const refund = await stripe.refunds.create({ payment_intent: 'pi_123' }, { idempotencyKey: 'setup-test' });
    expect(refund).toMatchObject({ object: 'refund', status: 'succeeded' });
  });

  it('refuses a real key without the webhook signing secret, and a malformed API base', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => loadConfig({ STRIPE_API_BASE: '127.0.0.1:12111' })).toThrow(/STRIPE_API_BASE/);
    expect(
      loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_API_BASE: 'http://127.0.0.1:12111' }).stripe,
    ).toMatchObject({
      secretKey: 'sk_test_abc',
      webhookSecret: 'whsec_x',
      apiBase: 'http://127.0.0.1:12111',
    });
  });
});
