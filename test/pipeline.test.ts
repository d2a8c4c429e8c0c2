// Proves G10 (README › Guarantees): one pipeline prepares every operation, whatever its transport.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSchema, type Context, createApolloServer, operationPipeline } from '../src/graphql';
import { createLogger } from '../src/logger';
import type { Services } from '../src/services';
import { type GraphQLResponse, startTestApp, type TestApp, withoutRequestIds } from './support/app';
import { wsClient, wsRequest } from './support/subscriptions';

describe('when one operation arrives over HTTP and over WebSocket', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ mutationsPerMinute: 2 });
  });
  afterAll(() => app.stop());

  /** The same operation over both transports, as one user: the two answers' errors, request ids aside. */
  async function bothWays(token: string, query: string) {
    const ws = wsClient(app, token, { lazy: false });
    const http = await app.gql(token, query);
    const overWs = { status: 200, ...(await wsRequest(ws, query)) } as GraphQLResponse;
    await ws.dispose();
    return { http: withoutRequestIds(http), ws: withoutRequestIds(overWs) };
  }

  it('refuses a document over the query-shape limits with the same errors', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `m${i}: me { id }`).join(' ');
    const { http, ws } = await bothWays(await app.token('shape'), `{ ${aliases} ${'a { '.repeat(9)}id${' }'.repeat(9)} }`);
    expect(http?.map((e) => e.extensions?.code)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(ws).toEqual(http);
  });

  it('refuses a document over the token limit with the same GRAPHQL_PARSE_FAILED', async () => {
    const { http, ws } = await bothWays(await app.token('tokens'), `{ ${'__typename '.repeat(2001)}}`);
    expect(http?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(ws).toEqual(http);
  });

  it('counts mutations once for both, and refuses the one over the limit with the same RATE_LIMITED', async () => {
    const token = await app.token('counted');
    const open = `mutation { openAccount(input: { currency: "EUR" }) { id } }`;
    const first = await bothWays(token, open);
    expect([first.http, first.ws]).toEqual([undefined, undefined]);
    const { http, ws } = await bothWays(token, open);
    const withoutSeconds = (errors: typeof http) => JSON.stringify(errors).replace(/\d+/g, 'N');
    expect(http?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(withoutSeconds(ws)).toBe(withoutSeconds(http));
    expect(await app.db.collection('accounts').countDocuments({ ownerId: 'counted' })).toBe(2);
  });
});

describe('when Apollo serves an operation over HTTP', () => {
  const pipeline = operationPipeline({
    schema: buildSchema(),
    services: {} as Services,
    jwtSecret: randomBytes(32),
    logger: createLogger('silent'),
    production: false,
    mutationsPerMinute: 1,
  });
  const prepareDocument = vi.fn(pipeline.prepareDocument);
  let parsedByApollo = 0;
  let executed: DocumentNode | undefined;
  const watch: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async parsingDidStart() {
          parsedByApollo += 1;
        },
        async executionDidStart({ document }) {
          executed = document;
        },
      };
    },
  };
  const apollo = createApolloServer({
    httpServer: createServer(),
    pipeline: { ...pipeline, prepareDocument },
    plugins: [watch],
    disposeSubscriptions: async () => {},
  });
  beforeAll(() => apollo.start());
  afterAll(() => apollo.stop());
  const contextValue = { services: {} as Services };

  it("executes the pipeline's document, parsing nothing itself, however many requests send it at once", async () => {
    const send = () => apollo.executeOperation({ query: '{ __typename }' }, { contextValue });
    expect((await send()).body).toMatchObject({ kind: 'single', singleResult: { data: { __typename: 'Query' } } });
    expect(executed).toBe(prepareDocument.mock.results[0].value);
    const answers = await Promise.all(Array.from({ length: 20 }, send));
    expect(answers.map((answer) => answer.body)).toEqual(answers.map(() => expect.objectContaining({ kind: 'single' })));
    expect(prepareDocument).toHaveBeenCalledTimes(21);
    expect(executed).toBe(prepareDocument.mock.results[0].value);
    expect(parsedByApollo).toBe(0);
  });

  it('answers a document the pipeline refused with the errors the pipeline gave', async () => {
    const response = await apollo.executeOperation({ query: '{ nowhere }' }, { contextValue });
    const refused = prepareDocument.mock.results.at(-1)?.value;
    expect(Array.isArray(refused)).toBe(true);
    expect(response.body).toMatchObject({
      kind: 'single',
      singleResult: { errors: refused.map((e: Error) => expect.objectContaining({ message: e.message })) },
    });
  });
});
