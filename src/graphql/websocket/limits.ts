export interface WebSocketLimits {
  /** Open connections per user (anonymous connections count per remote address); over it → close 4430. */
  maxConnectionsPerUser: number;
  /** Operations running at once on one connection; over it the new one is refused with TOO_MANY_SUBSCRIPTIONS. */
  maxSubscriptionsPerConnection: number;
  /** Largest message a client may send; over it the connection is closed with 1009 (Message Too Big). */
  maxMessageBytes: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  maxConnectionsPerUser: 20,
  maxSubscriptionsPerConnection: 50,
  maxMessageBytes: 100 * 1024,
};

export const CLOSE_TOO_MANY_CONNECTIONS = 4430;
export const CLOSE_TRY_AGAIN_LATER = 1013;
