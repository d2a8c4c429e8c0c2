/**
 * The http module's test face: what tests drive below `index.ts`, never imported by src/ (lint rule
 * `test-faces-only-for-tests`). The webhook route on its own, and the Checkout events the local
 * payment simulation signs.
 */
export { type CheckoutEventFacts, checkoutSessionEvent } from './localPayments';
export { stripeWebhookRoute } from './stripeWebhookRoute';
