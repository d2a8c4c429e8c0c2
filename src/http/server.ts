import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Db } from 'mongodb';
import { callerFromAuthorization } from '../auth';
import type { Context } from '../graphql/context';
import { buildSchema } from '../graphql';
import { asGraphQLError } from '../graphql';
import { operationPipeline } from '../graphql';
import { createApolloServer } from '../graphql';
import { DEFAULT_WEBSOCKET_LIMITS, serveGraphQLOverWebSocket, type WebSocketLimits } from '../graphql';
import type { Logger } from '../logger';
import { type AppMetrics, observeOperations, serveMetrics } from '../metrics';
import { STRIPE_WEBHOOK_PATH, stripeWebhookRoute } from './stripeWebhookRoute';
import type { Services } from '../services';
import { serveCalendarPage } from './calendarPage';
import { serveLocalPayments } from './localPayments';
import { serveProbes } from './probes';
import { jsonFallbacks } from './errorHandler';
import { requestIds } from './requestId';

export const GRAPHQL_PATH = '/graphql';
const MAX_BODY = '100kb';

export interface HttpOptions {
  db: Db;
  services: Services;
  jwtSecret: Uint8Array;
  logger: Logger;
  production: boolean;
  mutationsPerMinute: number;
  webSocketLimits?: Partial<WebSocketLimits>;
  metrics: AppMetrics;
  /** For `/readyz`: whether the availability change stream is open. */
  changeStreamOpen: () => boolean;
  /** stripe-mock only: serve `POST /dev/simulate-payment` (see localPayments.ts). */
  localPayments?: boolean;
}

export interface HttpApp {
  /** Listens on `port` (0 = any free port) and resolves with the bound port. */
  start(port: number): Promise<number>;
  /** Stops accepting, lets in-flight requests finish, closes subscriptions. */
  stop(): Promise<void>;
  server: Server;
}

/** One port: POST /graphql, graphql-ws on /graphql, GET /healthz, /readyz and /metrics, POST /webhooks/stripe, the calendar page at /. */
export async function createHttpApp(options: HttpOptions): Promise<HttpApp> {
  const { db, services, jwtSecret, logger, metrics } = options;
  const app = express();
  const server = createServer(app);
  const schema = buildSchema();
  const operations = observeOperations(schema, metrics, logger);

  const pipeline = operationPipeline({ logger, production: options.production, mutationsPerMinute: options.mutationsPerMinute });
  const recognise = async (authorization: unknown) => {
    const claims = await callerFromAuthorization(jwtSecret, authorization);
    return claims && (await services.users.recognise(claims));
  };
  const subscriptions = serveGraphQLOverWebSocket({
    server,
    path: GRAPHQL_PATH,
    schema,
    pipeline,
    logger,
    limits: { ...DEFAULT_WEBSOCKET_LIMITS, ...options.webSocketLimits },
    authenticate: recognise,
    services,
    observe: { operations, opened: metrics.webSocketOpened, closed: metrics.webSocketClosed },
  });
  const apollo = createApolloServer({
    schema,
    httpServer: server,
    pipeline,
    plugins: [operations.apolloPlugin],
    disposeSubscriptions: async () => {
      await subscriptions.dispose();
    },
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.use(requestIds(logger, metrics));
  // Raw body for the signature check: mounted before any JSON parser.
  app.post(STRIPE_WEBHOOK_PATH, ...stripeWebhookRoute(services.stripeWebhooks, logger, metrics.webhook));
  serveProbes(app, { db, logger, changeStreamOpen: options.changeStreamOpen });
  serveMetrics(app, metrics);
  serveCalendarPage(app);
  if (options.localPayments) {
    const sign = services.paymentGateway.signTestPayload;
    serveLocalPayments(app, { recognise, findHold: services.holds.findHold, sign, logger });
  }
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: MAX_BODY }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<Context> => {
        try {
          return { caller: await recognise(req.headers.authorization), services };
        } catch (error) {
          throw asGraphQLError(error);
        }
      },
    }),
  );
  // Last: unknown routes and every error Express would otherwise answer with its HTML page.
  app.use(jsonFallbacks(logger));

  return {
    server,
    start: (port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, () => resolve((server.address() as AddressInfo).port));
      }),
    stop: () => apollo.stop(),
  };
}
