import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Db } from 'mongodb';
import type { TokenSettings } from '../auth';
import { buildSchema } from '../graphql';
import { operationPipeline, type TrustedManifest } from '../graphql';
import { createApolloServer } from '../graphql';
import { DEFAULT_WEBSOCKET_LIMITS, serveGraphQLOverWebSocket, type WebSocketLimits } from '../graphql';
import type { Logger } from '../logger';
import { type AppMetrics, metricsServer, observeOperations, serveMetrics } from '../metrics';
import { STRIPE_WEBHOOK_PATH, stripeWebhookRoute } from './stripeWebhookRoute';
import type { Services } from '../services';
import { serveCalendarPage } from './calendarPage';
import { graphqlContext } from './graphqlContext';
import { serveLocalPayments } from './localPayments';
import { serveProbes } from './probes';
import { jsonFallbacks } from './errorHandler';
import { requestIds } from './requestId';

export const GRAPHQL_PATH = '/graphql';
const MAX_BODY = '100kb';

export interface HttpOptions extends TokenSettings {
  db: Db;
  services: Services;
  logger: Logger;
  production: boolean;
  mutationsPerMinute: number;
  webSocketLimits?: Partial<WebSocketLimits>;
  metrics: AppMetrics;
  /** For `/readyz`: whether the availability change stream is open. */
  changeStreamOpen: () => boolean;
  /** stripe-mock only: serve `POST /dev/simulate-payment` (see localPayments.ts). */
  localPayments?: boolean;
  /** TRUSTED_DOCUMENTS: only these documents run, over HTTP and WebSocket. */
  trustedDocuments?: TrustedManifest;
  /** METRICS_PORT: `/metrics` only there (its own server, every interface; 0 = any free port), and 404 on the main port. */
  metricsPort?: number;
}

export interface HttpApp {
  /** Listens on `port` (0 = any free port) and resolves with the bound port. */
  start(port: number): Promise<number>;
  /** Stops accepting, lets in-flight requests finish, closes subscriptions. */
  stop(): Promise<void>;
  server: Server;
  /** The bound port of `/metrics`' own server (METRICS_PORT) once started; undefined when it is served on the main port. */
  metricsPort(): number | undefined;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Closes a server that only answers scrapes: its idle keep-alive connections are closed too, there is nothing to drain. */
function close(server: Server | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

/** Both GraphQL transports on `server`, through one pipeline: Apollo (HTTP, to be mounted) and graphql-ws on its upgrades. */
async function serveGraphQL(server: Server, options: HttpOptions) {
  const { logger, metrics } = options;
  const schema = buildSchema();
  const operations = observeOperations(schema, metrics, logger);
  const pipeline = operationPipeline({ ...options, schema });
  const subscriptions = serveGraphQLOverWebSocket({
    server,
    path: GRAPHQL_PATH,
    pipeline,
    logger,
    limits: { ...DEFAULT_WEBSOCKET_LIMITS, ...options.webSocketLimits },
    observe: { operations, opened: metrics.webSocketOpened, closed: metrics.webSocketClosed },
  });
  const apollo = createApolloServer({
    httpServer: server,
    pipeline,
    plugins: [operations.apolloPlugin],
    disposeSubscriptions: async () => {
      await subscriptions.dispose();
    },
  });
  await apollo.start();
  // HTTP reads the caller for every request (after the trusted documents' check, when they are on).
  const middleware = expressMiddleware(apollo, { context: graphqlContext(pipeline) });
  return { apollo, pipeline, middleware };
}

/**
 * One port: POST /graphql, graphql-ws on /graphql, GET /healthz, /readyz and /metrics, POST
 * /webhooks/stripe, the calendar page at /; with `metricsPort`, /metrics on that port instead.
 */
export async function createHttpApp(options: HttpOptions): Promise<HttpApp> {
  const { db, services, logger, metrics } = options;
  const app = express();
  const server = createServer(app);
  const { apollo, pipeline, middleware } = await serveGraphQL(server, options);

  app.disable('x-powered-by');
  app.use(requestIds(logger, metrics));
  // Raw body for the signature check: mounted before any JSON parser.
  app.post(STRIPE_WEBHOOK_PATH, ...stripeWebhookRoute(services.stripeWebhooks, logger, metrics.webhook));
  serveProbes(app, { db, logger, changeStreamOpen: options.changeStreamOpen });
  const { metricsPort } = options;
  const metricsOnly = metricsPort === undefined ? undefined : { server: metricsServer(metrics), port: metricsPort };
  if (!metricsOnly) serveMetrics(app, metrics);
  serveCalendarPage(app);
  if (options.localPayments) {
    const sign = services.paymentGateway.signTestPayload;
    serveLocalPayments(app, { recognise: pipeline.recognise, findHold: services.holds.findHold, sign, logger });
  }
  app.use(GRAPHQL_PATH, express.json({ limit: MAX_BODY }), middleware);
  // Last: unknown routes and every error Express would otherwise answer with its HTML page.
  app.use(jsonFallbacks(logger));

  return {
    server,
    async start(port) {
      const bound = await listen(server, port);
      if (metricsOnly) {
        await listen(metricsOnly.server, metricsOnly.port).catch(async (error: unknown) => {
          await close(server);
          throw error;
        });
      }
      return bound;
    },
    async stop() {
      await close(metricsOnly?.server);
      await apollo.stop();
    },
    metricsPort: () => (metricsOnly?.server.listening ? (metricsOnly.server.address() as AddressInfo).port : undefined),
  };
}
