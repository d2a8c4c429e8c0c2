import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';

let development: TestApp;
let production: TestApp;
beforeAll(async () => {
  [development, production] = await Promise.all([startTestApp(), startTestApp({ production: true })]);
});
afterAll(() => Promise.all([development?.stop(), production?.stop()]));

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('GET /graphql from a browser', () => {
  it('shows Apollo Sandbox outside production', async () => {
    const response = await fetch(`${development.url}/graphql`, { headers: BROWSER });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('embeddable-sandbox');
    // The page runs against this endpoint; no telemetry is sent to Apollo.
    expect(html).toContain('"runTelemetry":false');
  });

  it('shows nothing in production: answered as a GraphQL GET without a query', async () => {
    const response = await fetch(`${production.url}/graphql`, { headers: { ...BROWSER, 'apollo-require-preflight': 'yes' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.text()).not.toMatch(/sandbox|<html/i);
  });

  it('leaves the calendar page at / alone', async () => {
    for (const app of [development, production]) {
      const response = await fetch(`${app.url}/`, { headers: BROWSER });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>Live availability</title>');
    }
  });
});

describe('CSRF prevention with the landing page on', () => {
  it('still refuses a simple cross-site POST and a GET query without a preflight header', async () => {
    const simplePost = await fetch(`${development.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(simplePost.status).toBe(400);
    expect(((await simplePost.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');

    const simpleGet = await fetch(`${development.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toMatch(/preflight/i);
  });

  it('never runs the operation a browser GET names: it gets the page, not a result', async () => {
    const response = await fetch(`${development.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: BROWSER });
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).not.toContain('"__typename"');
  });
});
