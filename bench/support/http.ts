import { Agent, request } from 'node:http';

export interface GraphQLError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: GraphQLError[];
}

export interface GraphQLClient {
  /** The HTTP status and body, errors included. */
  request<T = any>(token: string | undefined, query: string, variables?: object): Promise<GraphQLResponse<T>>;
  /** `data`, or throws with the errors: a benchmark never counts a failure as done. */
  gql<T = any>(token: string | undefined, query: string, variables?: object): Promise<T>;
  close(): void;
}

/**
 * GraphQL over HTTP with `node:http` and a keep-alive agent (one socket per request in flight,
 * reused afterwards): much less client CPU per request than `fetch`, which matters when the load
 * generator shares two cores with the server and mongod.
 */
export function graphqlClient(url: string): GraphQLClient {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });

  function send<T>(token: string | undefined, query: string, variables?: object): Promise<GraphQLResponse<T>> {
    const body = JSON.stringify({ query, variables });
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (token) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const req = request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, ...(JSON.parse(text) as object) });
          } catch {
            reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    request: send,
    async gql<T>(token: string | undefined, query: string, variables?: object): Promise<T> {
      const response = await send<T>(token, query, variables);
      if (response.errors || response.status !== 200 || !response.data) {
        throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.errors ?? response).slice(0, 500)}`);
      }
      return response.data;
    },
    close: () => agent.destroy(),
  };
}

const shared = new Map<string, GraphQLClient>();

/** One client (and socket pool) per URL per process, kept across load phases so sockets stay warm. */
export function sharedGraphqlClient(url: string): GraphQLClient {
  let client = shared.get(url);
  if (!client) shared.set(url, (client = graphqlClient(url)));
  return client;
}

/** One GraphQL request with `fetch`; throws on any error. Kept for scripts that need no keep-alive pool. */
export async function postGraphQL(endpoint: string, token: string, query: string, variables?: object): Promise<any> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
