import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logger';
import type { AppMetrics } from '../metrics';
import { REQUEST_ID_HEADER, type RequestScope, requestIdFrom, runInRequest } from '../requestContext';

/** Metric labels: these paths as they are, everything else grouped. */
const ROUTES = new Set(['/', '/graphql', '/webhooks/stripe', '/healthz', '/readyz', '/metrics']);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Asked every few seconds by probes and scrapers: their lines are debug, not info. */
const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

function routeOf(path: string, status: number): string {
  if (ROUTES.has(path)) return path;
  if (path.startsWith('/vendor/')) return '/vendor';
  return status === 404 ? 'unmatched' : 'static';
}

/** The scope `requestIds` opened for this request, if any. */
export function requestScopeOf(res: Response): RequestScope | undefined {
  return res.locals.requestScope as RequestScope | undefined;
}

/**
 * First middleware: gives the request its id (a sane incoming `x-request-id`, else a new UUID),
 * answers it in the `x-request-id` header, runs the rest of the request in its scope (so every log
 * line written meanwhile and every GraphQL error carries it) and, when the response is done, writes
 * one access log line and the request's latency metric.
 */
export function requestIds(logger: Logger, metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const scope: RequestScope = { requestId: requestIdFrom(req.headers[REQUEST_ID_HEADER]), startedAt: performance.now() };
    const { method, path } = req;
    res.setHeader(REQUEST_ID_HEADER, scope.requestId);
    res.locals.requestScope = scope;
    let done = false;
    // At `finish` the answer is written (so a client never sees it before its metric); `close` alone when it was cut off.
    const complete = () => {
      if (done) return;
      done = true;
      const durationMs = performance.now() - scope.startedAt;
      const status = res.statusCode;
      metrics.httpRequest(METHODS.has(method) ? method : 'other', routeOf(path, status), status, durationMs / 1000);
      const line = {
        requestId: scope.requestId,
        method,
        path,
        status,
        durationMs: Math.round(durationMs),
        ...(scope.operation ? { operation: scope.operation, outcome: scope.outcome } : {}),
        ...(scope.idempotentReplayed ? { idempotentReplayed: true } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (QUIET.has(path) && status < 500) logger.debug(line, 'request');
      else logger.info(line, 'request');
    };
    res.once('finish', complete);
    res.once('close', complete);
    runInRequest(scope, next);
  };
}
