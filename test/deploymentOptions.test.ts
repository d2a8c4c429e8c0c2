// TRUSTED_DOCUMENTS and METRICS_PORT on the real process (README › Deployment): read from the
// environment at start, a wrong value is one line and exit 1.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { signToken } from '../src/auth';
import { createMongoClient } from '../src/mongo';
import { type ApiProcess, FROM_SOURCE, runToExit, startApiProcess } from './support/apiProcess';
import { byHash, MANIFEST_PATH } from './support/trusted';

const PAGE: Record<string, { hash: string }> = await import(new URL('../web/operations.js', import.meta.url).href);
const DOCUMENTS = Object.keys(JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as object).length;
const DB = `deploy_${process.pid}`;
const dataDir = mkdtempSync(join(tmpdir(), 'race-free-api-deploy-'));
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  const client = await createMongoClient(inject('mongoUri')).connect();
  await client.db(DB).dropDatabase();
  await client.close();
});
const reachable = () => ({
  MONGODB_URI: inject('mongoUri'),
  MONGODB_DB: DB,
  STRIPE_API_BASE: inject('stripeApiBase'),
  JWT_SECRET: 'deploy-test-secret',
  DATA_DIR: dataDir,
});

describe('a server started with TRUSTED_DOCUMENTS and METRICS_PORT', () => {
  let api: ApiProcess;
  afterAll(async () => {
    api?.child.kill('SIGTERM');
    await api?.exited;
  });

  it('says so at start, runs only the manifest, and serves /metrics on its own port only', async () => {
    api = await startApiProcess({ ...reachable(), TRUSTED_DOCUMENTS: MANIFEST_PATH, METRICS_PORT: '0' });
    const said = () => api.lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    const metricsPort = said()
      .map((msg) => /metrics at http:\/\/localhost:(\d+)\/metrics \(METRICS_PORT\)/.exec(msg)?.[1])
      .find(Boolean);
    await expect.poll(said).toContain(`only the ${DOCUMENTS} trusted documents run (TRUSTED_DOCUMENTS)`);

    const authorization = `Bearer ${await signToken(new TextEncoder().encode('deploy-test-secret'), { id: 'deployer', role: 'user' })}`;
    const headers = { 'content-type': 'application/json', authorization };
    const post = (body: unknown) => fetch(`${api.url}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) });
    const trusted = await post(byHash(PAGE.PageResources.hash));
    expect({ status: trusted.status, body: await trusted.json() }).toMatchObject({ status: 200, body: { data: { resources: {} } } });
    expect((await post({ query: '{ __typename }' })).status).toBe(403);

    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/^graphql_operation_duration_seconds_count\{.*outcome="FORBIDDEN"\} 1$/m);
  });
});

describe('a wrong value stops the start in one line', () => {
  const oneLine = async (env: Record<string, string>) => {
    const run = await runToExit({ ...reachable(), ...env }, 30_000, FROM_SOURCE);
    const lines = run.stderr.split('\n').filter(Boolean);
    expect({ code: run.code, lines: lines.length, stack: /\n\s+at /.test(run.stderr) }).toEqual({ code: 1, lines: 1, stack: false });
    return lines[0];
  };

  it('METRICS_PORT that is no port', async () => {
    expect(await oneLine({ METRICS_PORT: 'nine' })).toBe(
      'cannot start: METRICS_PORT must be an integer from 0 to 65535, got "nine": set it to one, or unset it to serve /metrics on PORT',
    );
  });

  it('TRUSTED_DOCUMENTS naming no file', async () => {
    const path = join(dataDir, 'nowhere.json');
    expect(await oneLine({ TRUSTED_DOCUMENTS: path })).toBe(
      `cannot start: TRUSTED_DOCUMENTS names no readable file (ENOENT: ${path}): point TRUSTED_DOCUMENTS at the manifest \`npm run codegen\` writes (examples/gql/persisted-documents.json), or unset it`,
    );
  });
});
