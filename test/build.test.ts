import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signToken } from '../src/auth';
import { type ApiProcess, FROM_BUILD, startApiProcess } from './support/apiProcess';

/** `npm run build`, then the compiled server (`node dist/main.js`) as `npm start` runs it, on the test replica set. */
const JWT_SECRET = 'build-test-secret';
let api: ApiProcess;

beforeAll(async () => {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'pipe'] });
  api = await startApiProcess(
    {
      MONGODB_URI: inject('mongoUri'),
      MONGODB_DB: `build_test_${Date.now()}`,
      STRIPE_API_BASE: inject('stripeApiBase'),
      JWT_SECRET,
      NODE_ENV: 'production',
    },
    30_000,
    FROM_BUILD,
  );
}, 60_000);

afterAll(async () => {
  if (!api || api.child.exitCode !== null) return;
  api.child.kill('SIGTERM');
  await api.exited;
});

describe('the production build', () => {
  it('is a bundle in dist/ that keeps the dev tooling (mongodb-memory-server) in a lazily loaded chunk', () => {
    expect(existsSync('dist/main.js')).toBe(true);
    const main = readFileSync('dist/main.js', 'utf8');
    expect(main).not.toMatch(/from ["']mongodb-memory-server["']/);
    expect(main).toMatch(/await import\(["']\.\/dev-[\w-]+\.js["']\)/);
  });

  it('serves readiness, GraphQL, the calendar page and the graphql-ws client', async () => {
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });

    const admin = await signToken(new TextEncoder().encode(JWT_SECRET), { id: 'build-admin', role: 'admin' });
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: 'mutation($input: CreateResourceInput!) { createResource(input: $input) { id name capacity } }',
        variables: { input: { name: 'Built', capacity: 2, pricePerDate: 100, currency: 'EUR' } },
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data?: { createResource: { id: string; name: string } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.createResource).toMatchObject({ name: 'Built', capacity: 2 });

    const page = await fetch(`${api.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const vendor = await fetch(`${api.url}/vendor/graphql-ws/client.js`);
    expect(vendor.status).toBe(200);
  });

  it('stops cleanly on SIGTERM', async () => {
    api.child.kill('SIGTERM');
    expect((await api.exited).code).toBe(0);
  });
});
