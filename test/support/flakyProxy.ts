import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does to one request:
 * - `pass`: forwards it and relays the answer;
 * - `drop-answer`: forwards it, waits for the server's whole answer (so the server DID run it), then
 *   cuts the client's connection without a byte of it, as a network failure on the way back would;
 * - `503`: answers 503 with an HTML page itself, as a load balancer with no healthy upstream does;
 *   the server never sees the request.
 */
export type Fault = 'pass' | 'drop-answer' | '503';

export interface ProxiedRequest {
  fault: Fault;
  operationName?: string;
  /** `variables.input.idempotencyKey` of the request, if any. */
  idempotencyKey?: string;
  /** Set once the server answered (never for `503`): its status and body. */
  upstream?: { status: number; body: string };
  /** Set once the client's connection closed before an answer could reach it (an attempt timing out, or `drop-answer`). */
  clientGone?: boolean;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host'];

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * An HTTP proxy in front of the app that a test scripts: the next requests meet the faults queued
 * with `inject`, the rest pass. Every request is recorded (`seen`), so a test can count what a client
 * actually sent and which idempotency key each attempt carried.
 */
export async function startFlakyProxy(target: string) {
  const upstreamUrl = new URL(target);
  const queue: Fault[] = [];
  const seen: ProxiedRequest[] = [];

  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    const record: ProxiedRequest = { fault: queue.shift() ?? 'pass' };
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { operationName?: string; variables?: { input?: { idempotencyKey?: string } } };
      record.operationName = parsed.operationName;
      record.idempotencyKey = parsed.variables?.input?.idempotencyKey;
    } catch {
      // Not JSON: forwarded as it is, for the server to refuse.
    }
    seen.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.clientGone = true;
    });

    if (record.fault === '503') {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
      return;
    }
    const upstream = httpRequest({
      host: upstreamUrl.hostname,
      port: upstreamUrl.port,
      method: req.method,
      path: req.url,
      headers: { ...withoutHopByHop(req.headers), 'content-length': String(body.length) },
    });
    upstream.on('error', () => res.destroy());
    upstream.end(body);
    upstream.on('response', async (answer) => {
      const answerBody = await readAll(answer);
      record.upstream = { status: answer.statusCode ?? 0, body: answerBody.toString('utf8') };
      if (record.fault === 'drop-answer' || res.destroyed) {
        res.destroy();
        return;
      }
      res.writeHead(answer.statusCode ?? 502, { ...withoutHopByHop(answer.headers), 'content-length': String(answerBody.length) });
      res.end(answerBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    /** Queues faults for the next requests, in order. */
    inject(...faults: Fault[]) {
      queue.push(...faults);
    },
    seen,
    /** Forgets what it saw and any faults still queued. */
    reset() {
      seen.length = 0;
      queue.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FlakyProxy = Awaited<ReturnType<typeof startFlakyProxy>>;
