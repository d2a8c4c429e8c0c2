import type { IdentityProviderConfig } from './auth';
import { createHttpApp, type HttpApp } from './http';
import type { TrustedManifest, WebSocketLimits } from './graphql';
import { type AppMetrics, createMetrics } from './metrics';
import { moveInlineRefunds } from './migrations';
import { observeTransactions } from './mongo';
import { requestAwareLogger } from './requestContext';
import { createServices, type ServiceDeps, type Services } from './services';

export interface AppOptions extends Omit<ServiceDeps, 'metrics'> {
  jwtSecret: Uint8Array;
  production: boolean;
  /** Per user, per instance. */
  mutationsPerMinute: number;
  /** Only against stripe-mock, never with a real key: lets a signed-in owner simulate a Checkout payment. */
  localPayments?: boolean;
  /** WebSocket connection, operation and message-size limits; defaults in `DEFAULT_WEBSOCKET_LIMITS`. */
  webSocketLimits?: Partial<WebSocketLimits>;
  /** Accept only this identity provider's tokens (`AUTH_JWKS_URL`…); without it, HS256 ones signed with `jwtSecret`. */
  identityProvider?: IdentityProviderConfig;
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
  const services = createServices({ ...options, metrics });
  const { lifecycle } = services;
  await lifecycle.ensureIndexes();
  await moveInlineRefunds(options.db, options.logger);
  metrics.countSubscribersWith(services.live.subscriberCount);
  // Opened before the server listens, so every change committed from then on reaches subscribers.
  await lifecycle.open();
  const http = await createHttpApp({ ...options, services, metrics, changeStreamOpen: services.changeFeedOpen }).catch(async (error) => {
    await lifecycle.close();
    throw error;
  });
  return {
    ...http,
    services,
    metrics,
    async start(port) {
      const bound = await http.start(port);
      lifecycle.start();
      return bound;
    },
    async stop() {
      await lifecycle.stop();
      // HTTP drains and open subscriptions are closed first, then the stream that fed them.
      await http.stop();
      await lifecycle.close();
    },
  };
}
