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
