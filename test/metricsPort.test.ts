// METRICS_PORT (README › Deployment › The metrics port): /metrics on a port of its own, and not on the main one.
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { requireFreePort, StartupError } from '../src/startupErrors';
import { startTestApp, type TestApp } from './support/app';
import { scrape } from './support/metrics';

describe('with METRICS_PORT set', () => {
  let app: TestApp;
  let port: number;
  let metricsUrl: string;
  beforeAll(async () => {
    app = await startTestApp({ metricsPort: 0 });
    const bound = app.app.metricsPort();
    if (bound === undefined) throw new Error('no metrics port after start');
    port = bound;
    metricsUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(() => app?.stop());

  it('serves /metrics there, in Prometheus text, with the app’s metrics and the process’s', async () => {
    await app.gql(await app.token('scraped'), '{ me { id } }');
    const response = await fetch(`${metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await response.text();
    expect(body).toMatch(/^graphql_operation_duration_seconds_count\{transport="http",type="query",operation="me",outcome="ok"\} 1$/m);
    expect(body).toContain('process_cpu_seconds_total');
    const head = await fetch(`${metricsUrl}/metrics`, { method: 'HEAD' });
    expect({ status: head.status, body: await head.text() }).toEqual({ status: 200, body: '' });
  });

  it('answers 404 for /metrics on the main port, and for anything else on the metrics port', async () => {
    const main = await fetch(`${app.url}/metrics`);
    expect({ status: main.status, code: ((await main.json()) as any).errors[0].extensions.code }).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
    for (const [path, method] of [
      ['/graphql', 'POST'],
      ['/', 'GET'],
      ['/metrics', 'POST'],
    ]) {
      const other = await fetch(`${metricsUrl}${path}`, { method });
      expect({ path, method, status: other.status, code: ((await other.json()) as any).errors[0].extensions.code }).toEqual({
        path,
        method,
        status: 404,
        code: 'NOT_FOUND',
      });
    }
  });

  it('counts its scrapes as the main port counted them, route /metrics', async () => {
    const labels = { method: 'GET', route: '/metrics', status: '200' };
    const scraped = async () => (await scrape({ url: metricsUrl })).value('http_request_duration_seconds_count', labels);
    const before = await scraped();
    expect(await scraped()).toBe(before + 1);
  });

  it('listens on every interface, as the main port does', async () => {
    const addresses = Object.values(networkInterfaces())
      .flat()
      .flatMap((info) => (info?.family === 'IPv4' ? [info.address] : []));
    expect(addresses).toContain('127.0.0.1');
    for (const address of addresses)
      expect({ address, status: (await fetch(`http://${address}:${port}/metrics`)).status }).toEqual({ address, status: 200 });
  });

  it('stops with the app', async () => {
    const other = await startTestApp({ metricsPort: 0 });
    const otherPort = other.app.metricsPort();
    expect((await fetch(`http://127.0.0.1:${otherPort}/metrics`)).status).toBe(200);
    await other.stop();
    await expect(fetch(`http://127.0.0.1:${otherPort}/metrics`)).rejects.toThrow();
    expect(other.app.metricsPort()).toBeUndefined();
  });
});

describe('without METRICS_PORT', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.stop());

  it('serves /metrics on the main port, and has no port of its own for it', async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(200);
    expect(app.app.metricsPort()).toBeUndefined();
  });
});

describe('METRICS_PORT is checked at start', () => {
  const refusal = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(StartupError);
      return (error as Error).message;
    }
    return undefined;
  };

  it('takes a port, 0 for any, and nothing for the main port', () => {
    expect([loadConfig({ METRICS_PORT: '9464' }).metricsPort, loadConfig({ METRICS_PORT: '0' }).metricsPort]).toEqual([9464, 0]);
    expect([loadConfig({}).metricsPort, loadConfig({ METRICS_PORT: '' }).metricsPort]).toEqual([undefined, undefined]);
  });

  it('refuses what is no port, or PORT itself, in one line', () => {
    const range = 'must be an integer from 0 to 65535';
    const fix = 'set it to one, or unset it to serve /metrics on PORT';
    expect(refusal({ METRICS_PORT: 'nine' })).toBe(`METRICS_PORT ${range}, got "nine": ${fix}`);
    expect(refusal({ METRICS_PORT: '70000' })).toBe(`METRICS_PORT ${range}, got "70000": ${fix}`);
    expect(refusal({ METRICS_PORT: '-1' })).toBe(`METRICS_PORT ${range}, got "-1": ${fix}`);
    expect(refusal({ PORT: '4100', METRICS_PORT: '4100' })).toBe(
      'METRICS_PORT must differ from PORT (both 4100): set it to another port, or unset it to serve /metrics on PORT',
    );
    expect(refusal({ METRICS_PORT: '4000' })).toMatch(/^METRICS_PORT must differ from PORT \(both 4000\)/);
  });

  it('names METRICS_PORT when that port is taken', async () => {
    const holder: Server = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, () => resolve((holder.address() as { port: number }).port)));
    try {
      await expect(requireFreePort(port, 'METRICS_PORT')).rejects.toThrow(
        `port ${port} is in use by another process: stop it, or set METRICS_PORT to a free port (METRICS_PORT=0 lets the system pick one)`,
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
