import type { ServerOptions } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import type { OperationObservation } from '../../metrics';
import type { RequestScope } from '../../requestContext';
import type { UserView } from '../../users';
import type { Outlet } from './push';

/** What a client sends in `connection_init`. */
export type ConnectionParams = { authorization?: unknown };

/** One operation on a connection: its request scope (id `<connection id>:<operation id>`), its timing, where its messages go. */
export interface WsOperation {
  scope: RequestScope;
  observation?: OperationObservation;
  outlet: Outlet;
}

/** What this server keeps for a connection, on graphql-ws's `ctx.extra`. */
export type ConnectionState = {
  /** As read when the connection opened; a mutation reads it again (the pipeline's admission). */
  caller?: UserView;
  /** Whose connection it is, for the per-user limit: `user:<id>` or `anonymous:<address>`. */
  connectionKey?: string;
  /** The connection's operations in flight, by the client's operation id. */
  operations?: Map<string, WsOperation>;
};

export type WsServerOptions = ServerOptions<ConnectionParams, Extra & Partial<ConnectionState>>;
