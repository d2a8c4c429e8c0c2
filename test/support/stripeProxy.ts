import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the API made to Stripe, as the proxy saw it. */
export interface StripeRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  /** The form-encoded body, decoded (`payment_intent_data[capture_method]` → its value). */
  params: Record<string, string>;
}

/** A Stripe error answer (https://docs.stripe.com/api/errors): status and the `error` object. */
export interface StripeErrorAnswer {
  status: number;
  error: Record<string, unknown>;
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * An HTTP proxy in front of stripe-mock that records every request and answers, for the paths a
 * test chooses, the error real Stripe would (stripe-mock cannot: it answers fixtures, so it never
 * refuses a capture). Everything else is stripe-mock's answer, unchanged.
 */
export async function startStripeProxy(target: string) {
  const requests: StripeRequest[] = [];
  const refusals: { path: RegExp; answer: StripeErrorAnswer }[] = [];
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const path = request.url ?? '/';
    const key = request.headers['idempotency-key'];
    const params = Object.fromEntries(new URLSearchParams(body.toString()));
    requests.push({ method: request.method ?? 'GET', path, idempotencyKey: typeof key === 'string' ? key : undefined, params });
    const refusal = refusals.find((r) => r.path.test(path));
    if (refusal) {
      response
        .writeHead(refusal.answer.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: refusal.answer.error }));
      return;
    }
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'content-length'));
    const upstream = await fetch(new URL(path, target), {
      method: request.method,
      headers: headers as Record<string, string>,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
    });
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    /** The POSTs to a path (e.g. `/v1/payment_intents/pi_1/capture`). */
    posts: (path: string) => requests.filter((r) => r.method === 'POST' && r.path === path),
    /** From now on, requests to matching paths get this answer instead of stripe-mock's. */
    refuse(path: RegExp, answer: StripeErrorAnswer) {
      // The newest rule wins, so a test can change its mind about a path.
      refusals.unshift({ path, answer });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What Stripe answers for a capture or cancel of a payment intent not in a state that allows it. */
export function unexpectedState(paymentIntentId: string, status: string): StripeErrorAnswer {
  return {
    status: 400,
    error: {
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      message: `This PaymentIntent's status is ${status}; the operation cannot be performed.`,
      payment_intent: { id: paymentIntentId, object: 'payment_intent', status },
    },
  };
}
