import type { Page, WebSocketRoute } from 'playwright-core';

/**
 * The page's WebSocket to /graphql, routed through Playwright (`page.routeWebSocket`) so a test can
 * play the network: cut it (and refuse reconnects) until `restore()`, hold what the server sends
 * until `release()`, and read every frame the page sent. `attach` before the page loads: only
 * sockets opened after it are routed.
 */
export function liveSocket() {
  const open = new Set<{ page: WebSocketRoute; server: WebSocketRoute }>();
  const held: { page: WebSocketRoute; message: string | Buffer }[] = [];
  /** Every frame the page sent on any of its sockets, in order (graphql-ws messages as JSON text). */
  const sent: string[] = [];
  let down = false;
  let holding = false;

  function route(page: WebSocketRoute): void {
    if (down) {
      // The network is out: the socket opens and drops at once, as a refused connection does.
      page.close({ code: 1006, reason: 'network down (test)' });
      return;
    }
    const server = page.connectToServer();
    const pair = { page, server };
    open.add(pair);
    page.onMessage((message) => {
      sent.push(String(message));
      server.send(message);
    });
    server.onMessage((message) => {
      if (holding) held.push({ page, message });
      else page.send(message);
    });
    page.onClose((code, reason) => {
      open.delete(pair);
      server.close({ code, reason });
    });
    server.onClose((code, reason) => {
      open.delete(pair);
      page.close({ code, reason });
    });
  }

  return {
    attach: (page: Page) => page.routeWebSocket(/\/graphql$/, route),
    sent,
    /** The `variables` of every `subscribe` the page sent for `operationName`, in order. */
    subscribes(operationName: string): Record<string, unknown>[] {
      return sent
        .map((frame) => JSON.parse(frame) as { type: string; payload?: { query?: string; variables?: Record<string, unknown> } })
        .filter((message) => message.type === 'subscribe' && message.payload?.query?.includes(` ${operationName}(`))
        .map((message) => message.payload?.variables ?? {});
    },
    /** Cuts every open socket (1006, as a lost network) and refuses new ones until `restore()`. */
    drop(): void {
      down = true;
      for (const { page, server } of [...open]) {
        server.close({ code: 1000, reason: 'client gone (test)' });
        page.close({ code: 1006, reason: 'network down (test)' });
      }
      open.clear();
    },
    restore(): void {
      down = false;
    },
    /** What the server sends waits here (the page goes stale) until `release()`. */
    hold(): void {
      holding = true;
    },
    release(): void {
      holding = false;
      for (const { page, message } of held.splice(0)) page.send(message);
    },
  };
}

export type LiveSocket = ReturnType<typeof liveSocket>;
