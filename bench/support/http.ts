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

export interface JsonResponse<T = any> {
  status: number;
  body: T;
}

export interface JsonClient {
  /** POSTs `body` as JSON, with `Authorization: Bearer <token>` when there is a token: the status and the parsed answer. */
  post<T = any>(token: string | undefined, body: object): Promise<JsonResponse<T>>;
  close(): void;
}

/**
 * JSON over HTTP with `node:http` and a keep-alive agent (one socket per request in flight,
 * reused afterwards): much less client CPU per request than `fetch`, which matters when the load
 * generator shares two cores with the server and mongod. An answer that is not JSON throws.
 */
export function jsonClient(url: string): JsonClient {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });

  function post<T>(token: string | undefined, payload: object): Promise<JsonResponse<T>> {
    const body = JSON.stringify(payload);
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
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as T });
          } catch {
            reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  return { post, close: () => agent.destroy() };
}

/** GraphQL over `jsonClient`'s keep-alive sockets. */
export function graphqlClient(url: string): GraphQLClient {
  const json = jsonClient(url);
  async function send<T>(token: string | undefined, query: string, variables?: object): Promise<GraphQLResponse<T>> {
    const { status, body } = await json.post<object>(token, { query, variables });
    return { status, ...body };
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
    close: json.close,
  };
}

/** One client (and socket pool) per URL per process, kept across load phases so sockets stay warm. */
function onePerUrl<C>(make: (url: string) => C): (url: string) => C {
  const clients = new Map<string, C>();
  return (url) => {
    let client = clients.get(url);
    if (!client) clients.set(url, (client = make(url)));
    return client;
  };
}

export const sharedGraphqlClient = onePerUrl(graphqlClient);
export const sharedJsonClient = onePerUrl(jsonClient);

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
