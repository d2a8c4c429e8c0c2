export { type OperationObservation, type OperationObserver, observeOperations } from './operations';
export { type AppMetrics, createMetrics } from './registry';
export { METRICS_PATH, metricsServer, serveMetrics } from './route';
