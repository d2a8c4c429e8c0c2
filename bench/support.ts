/**
 * The bench harness. A bench starts a world (replica set + stripe-mock + the compiled server as a
 * child process), load workers (child processes) that run operations from a load module, and
 * measures each phase against a raw-driver baseline run by the same workers:
 *
 *   const world = await startBenchWorld();            // builds dist/ if stale, spawns node dist/main.js
 *   const pool = await startLoadWorkers(1);
 *   const result = await pool.run({ module: new URL('./x.load.ts', import.meta.url), factory: 'viaGraphQL',
 *     params: { url: world.api.graphqlUrl, ... }, total: 1000, concurrency: 64, measure: world.processes() });
 *   printTable('…', [throughputRow('…', rawResult, result)]);
 *   await pool.close(); await world.stop();
 *
 * BENCH_API_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' passes node flags to the server processes only.
 */
export {
  BENCH_API_ENV,
  type ApiServer,
  type ApiServerOptions,
  type BenchWorld,
  type BenchWorldOptions,
  buildIfStale,
  startApiServer,
  startBenchWorld,
} from './support/world';
export {
  type LoadFactory,
  type LoadOp,
  type LoadPool,
  type PhaseResult,
  type PhaseSpec,
  startLoadWorkers,
  type WorkerInfo,
} from './support/load';
export {
  type GraphQLClient,
  type GraphQLResponse,
  graphqlClient,
  type JsonClient,
  jsonClient,
  type JsonResponse,
  postGraphQL,
  sharedGraphqlClient,
  sharedJsonClient,
} from './support/http';
export { sharedMongoClient, warm, warmGraphQL, warmMongo } from './support/mongo';
export { type ProcessGroups, type ProcessUsage, readProcessUsage, snapshotUsage, usageBetween, type UsageSnapshot } from './support/proc';
export { hashIndex, type LatencySummary, percentile, summarize } from './support/stats';
export { format, latencyRow, printTable, processLine, reportChecks, type Row, throughputRow, usageLine } from './support/report';
export { wholeNumberOptions } from './support/args';
