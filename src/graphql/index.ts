export type { Context } from './context';
export { asGraphQLError } from './errors';
export { loadTrustedManifest, type NamedDocument, type OperationPipeline, operationPipeline, type TrustedManifest } from './pipeline';
export { buildSchema } from './schema';
export { createApolloServer } from './server';
export {
  CLOSE_TOO_MANY_CONNECTIONS,
  DEFAULT_WEBSOCKET_LIMITS,
  FRAGMENT_AT,
  serveGraphQLOverWebSocket,
  type WebSocketLimits,
} from './websocket';
