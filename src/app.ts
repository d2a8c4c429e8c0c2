import type { Db, MongoClient } from 'mongodb';
import { startChangeFeed } from './availability';
import type { Clock } from './clock';
import { createHttpApp, type HttpApp } from './http/server';
import type { TrustedManifest, WebSocketLimits } from './graphql';
import type { IdempotencyHooks } from './idempotency';
import type { Logger } from './logger';
import { type AppMetrics, createMetrics } from './metrics';
import { moveInlineRefunds } from './migrations';
import { observeTransactions } from './mongo';
import type { PaymentOptions } from './payments';
import { requestAwareLogger } from './requestContext';
import type { GroupCommitOptions } from './mongo';
import { createServices, ensureIndexes, type Services } from './services';

export interface AppOptions {
  client: MongoClient;
  db: Db;
  clock: Clock;
  logger: Logger;
  jwtSecret: Uint8Array;
  holdTtlSeconds: number;
  sweepIntervalMs: number;
  refundRetryIntervalMs: number;
  slotHorizonIntervalMs: number;
  /** How long an unfinished request keeps its idempotency key before a retry may take it over. */
  idempotencyLeaseMs: number;
  /** Tests only: pause a request right after it claimed its key. */
  idempotencyHooks?: IdempotencyHooks;
  production: boolean;
  /** Per user, per instance. */
  mutationsPerMinute: number;
  payments: PaymentOptions;
  /** Only against stripe-mock, never with a real key: lets a signed-in owner simulate a Checkout payment. */
  localPayments?: boolean;
  /** WebSocket connection, operation and message-size limits; defaults in `DEFAULT_WEBSOCKET_LIMITS`. */
  webSocketLimits?: Partial<WebSocketLimits>;
  /** How holds are group-committed (default `HOLD_BATCHING`); tests bound the queue with it. */
  holdBatching?: GroupCommitOptions;
  /** TRUSTED_DOCUMENTS: only the manifest's documents run, over HTTP and WebSocket. */
  trustedDocuments?: TrustedManifest;
  /** METRICS_PORT: `/metrics` on this port only (0 = any free one), not on the main port. */
  metricsPort?: number;
}

export interface App extends HttpApp {
  services: Services;
  /** This app's own registry, served at `GET /metrics`. */
  metrics: AppMetrics;
}

/**
 * The whole service against one database, not yet listening. `main` and the tests build it the
 * same way, so tests exercise the real HTTP and GraphQL stack.
 */
export async function buildApp(appOptions: AppOptions): Promise<App> {
  // Every line logged while a request's work runs carries its request id.
  const options = { ...appOptions, logger: requestAwareLogger(appOptions.logger) };
  const metrics = createMetrics();
  observeTransactions(options.client, { attempt: metrics.transactionAttempt, finished: metrics.transactionFinished });
  await ensureIndexes(options.db);
  await moveInlineRefunds(options.db, options.logger);
  const services = createServices({ ...options, metrics });
  metrics.countSubscribersWith(services.live.subscriberCount);
  // Opened before the server listens, so every change committed from then on reaches subscribers.
  const feed = await startChangeFeed({
    slots: services.slots,
    logger: options.logger,
    onSlotChanged: services.live.publishSlot,
    onEventsLost: services.live.endAll,
    onFannedOut: metrics.changeFannedOut,
  });
  const http = await createHttpApp({ ...options, services, metrics, changeStreamOpen: feed.isOpen }).catch(async (error) => {
    await feed.stop();
    throw error;
  });
  return {
    ...http,
    services,
    metrics,
    async start(port) {
      const bound = await http.start(port);
      services.sweeper.start();
      services.refundRetrier.start();
      services.slotHorizon.start();
      return bound;
    },
    async stop() {
      await services.sweeper.stop();
      await services.refundRetrier.stop();
      await services.slotHorizon.stop();
      // HTTP drains and open subscriptions are closed first, then the stream that fed them.
      await http.stop();
      await feed.stop();
    },
  };
}
