import { DomainError } from '../../errors';
import type { Logger } from '../../logger';
import type { OperationPipeline } from '../pipeline';
import { CLOSE_TOO_MANY_CONNECTIONS, CLOSE_TRY_AGAIN_LATER, type WebSocketLimits } from './limits';
import type { WsServerOptions } from './state';

interface ConnectionOptions {
  pipeline: OperationPipeline;
  logger: Logger;
  limits: WebSocketLimits;
  observe?: { opened(): void; closed(): void };
}

/**
 * Opening and closing connections: the caller is read from `connection_init`'s `authorization`
 * (a bad token refuses the connection), and each user (anonymous ones by remote address) may have
 * `maxConnectionsPerUser` open at once.
 */
export function connectionLimits({ pipeline, logger, limits, observe }: ConnectionOptions): Pick<WsServerOptions, 'onConnect' | 'onClose'> {
  const connections = new Map<string, number>();
  return {
    onConnect: async (ctx) => {
      try {
        ctx.extra.caller = await pipeline.recognise(ctx.connectionParams?.authorization);
        // Read once: the token is not kept for the connection's life (a secret held nowhere it is not needed).
        if (ctx.connectionParams) Reflect.deleteProperty(ctx.connectionParams, 'authorization');
      } catch (error) {
        if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') return false;
        logger.warn({ err: error }, 'could not accept a WebSocket connection');
        ctx.extra.socket.close(CLOSE_TRY_AGAIN_LATER, 'Service unavailable; retry shortly');
        return false;
      }
      const key = ctx.extra.caller ? `user:${ctx.extra.caller.id}` : `anonymous:${ctx.extra.request.socket.remoteAddress}`;
      const open = connections.get(key) ?? 0;
      if (open >= limits.maxConnectionsPerUser) {
        ctx.extra.socket.close(CLOSE_TOO_MANY_CONNECTIONS, `At most ${limits.maxConnectionsPerUser} connections per user`);
        return false;
      }
      connections.set(key, open + 1);
      ctx.extra.connectionKey = key;
      // Nothing reads the upgrade request from here on; letting it go frees its headers (about 1 KB per connection).
      Reflect.deleteProperty(ctx.extra, 'request');
      observe?.opened();
      return true;
    },
    onClose: (ctx) => {
      const key = ctx.extra.connectionKey;
      if (!key) return;
      observe?.closed();
      const left = (connections.get(key) ?? 1) - 1;
      if (left > 0) connections.set(key, left);
      else connections.delete(key);
    },
  };
}
