import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { AppMetrics } from './registry';

export const METRICS_PATH = '/metrics';

/** `GET /metrics`: Prometheus's text format, this app's metrics and the process's. */
export function serveMetrics(app: Express, metrics: AppMetrics): void {
  app.get(METRICS_PATH, async (_req, res) => {
    const { contentType, body } = await metrics.scrape();
    res.set('content-type', contentType).send(body);
  });
}

/** The JSON error shape the rest of the app answers in (src/http/errorHandler.ts). */
function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * `/metrics` on a port of its own (METRICS_PORT), so the main port need not expose it: a bare
 * node:http server that answers `GET /metrics` (and HEAD) as the main port would, and 404 to
 * anything else. Its requests count in `http_request_duration_seconds` like the main port's.
 */
export function metricsServer(metrics: AppMetrics): Server {
  return createServer((req, res) => {
    const startedAt = performance.now();
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const served = path === METRICS_PATH && (method === 'GET' || method === 'HEAD');
    res.once('finish', () => {
      const label = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/.test(method) ? method : 'other';
      metrics.httpRequest(label, served ? METRICS_PATH : 'unmatched', res.statusCode, (performance.now() - startedAt) / 1000);
    });
    if (!served) return sendError(res, 404, 'NOT_FOUND', `No route for ${method} ${path}: this port serves GET ${METRICS_PATH} only`);
    metrics.scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(method === 'HEAD' ? undefined : body),
      () => sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error'),
    );
  });
}
