import WebSocket from 'ws';
import { CONNECTIONS_PER_USER, type FromSubscribers, type SocketMode, type ToSubscribers } from './protocol';

/** WebSocket handshakes in flight per client process: more only overflows the listen backlog. */
const HANDSHAKE_WINDOW = 64;

/** The change a frame carries, as `date@version` (or the bare floor's key); undefined for a reset. */
function keyOf(mode: SocketMode, raw: string): { key?: string; error?: string } {
  const message = JSON.parse(raw) as { type?: string; key?: string; payload?: any };
  if (mode === 'bare') return { key: message.key };
  if (message.type !== 'next') {
    return message.type === 'error' || message.type === 'complete' ? { error: `${message.type}: ${JSON.stringify(message.payload)}` } : {};
  }
  const data = message.payload?.data;
  const update = data?.availabilityUpdates as { reset: boolean; dates: { date: string; version: number }[] } | undefined;
  if (update?.reset) return {};
  const event = update ? update.dates[0] : data?.availabilityChanged;
  if (!event || (update && update.dates.length !== 1)) return { error: `unexpected next: ${JSON.stringify(message.payload)}` };
  return { key: `${event.date}@${event.version}` };
}

/**
 * A subscriber process: `count` sockets, each one subscription (or one bare socket); records each
 * subscriber's first arrival of each key with Date.now() and the order keys arrived in, and answers
 * the parent's questions over IPC. One phase at a time: `disconnect` ends it, `connect` starts the next.
 */
export function runSubscribers(): void {
  const send = (message: FromSubscribers) => process.send!(message);
  let sockets: WebSocket[] = [];
  let mode: SocketMode = 'graphql';
  /** key → arrival times, one per subscriber that got it (first arrival only). */
  let arrivals = new Map<string, number[]>();
  let frameBytes = new Map<string, number>();
  /** Per subscriber, the keys in the order they arrived. */
  let sequences: string[][] = [];
  let seen: Set<string>[] = [];
  let duplicates = 0;
  let errors: string[] = [];
  let target = 0;
  let closing = false;
  const waiters = new Map<string, () => void>();

  function onFrame(index: number, raw: WebSocket.RawData): void {
    const now = Date.now();
    const text = String(raw);
    const { key, error } = keyOf(mode, text);
    if (error) errors.push(error);
    if (!key) return;
    if (seen[index].has(key)) {
      duplicates += 1;
      return;
    }
    seen[index].add(key);
    sequences[index].push(key);
    let times = arrivals.get(key);
    if (!times) {
      arrivals.set(key, (times = []));
      frameBytes.set(key, Buffer.byteLength(text));
    }
    times.push(now);
    if (times.length === target) waiters.get(key)?.();
  }

  function open(message: Extract<ToSubscribers, { type: 'connect' }>, index: number, failed: string[]): Promise<boolean> {
    return new Promise((resolve) => {
      const socket =
        message.mode === 'bare'
          ? new WebSocket(message.url, { perMessageDeflate: false })
          : new WebSocket(message.url, 'graphql-transport-ws', { perMessageDeflate: false });
      sockets[index] = socket;
      let settled = false;
      const settle = (error?: string) => {
        if (settled) return;
        settled = true;
        if (error) failed.push(error);
        resolve(!error);
      };
      socket.on('open', () => {
        if (message.mode === 'bare') return settle();
        const token = message.tokens[Math.floor((message.first + index) / CONNECTIONS_PER_USER)];
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      });
      socket.on('message', (raw) => {
        if (settled) return onFrame(index, raw);
        const reply = JSON.parse(String(raw)) as { type: string };
        if (reply.type !== 'connection_ack') return settle(`unexpected ${String(raw)}`);
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: message.query, variables: message.variables } }));
        settle();
      });
      socket.on('error', (error) => settle(error.message));
      socket.on('close', (code, reason) => {
        if (!settled) settle(`closed ${code} ${String(reason)}`);
        else if (!closing) errors.push(`socket ${index} closed: ${code} ${String(reason)}`);
      });
    });
  }

  async function connect(message: Extract<ToSubscribers, { type: 'connect' }>): Promise<void> {
    ({ mode } = message);
    target = message.count;
    closing = false;
    sockets = new Array(message.count);
    arrivals = new Map();
    frameBytes = new Map();
    sequences = Array.from({ length: message.count }, () => []);
    seen = Array.from({ length: message.count }, () => new Set<string>());
    duplicates = 0;
    errors = [];
    const failed: string[] = [];
    let subscribed = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: HANDSHAKE_WINDOW }, async () => {
        while (next < message.count) if (await open(message, next++, failed)) subscribed += 1;
      }),
    );
    send({ type: 'up', subscribed, failed: failed.slice(0, 5).concat(failed.length > 5 ? [`… ${failed.length} in all`] : []) });
  }

  function totals(expectedKeys: string[], probeKeys: string[]): FromSubscribers {
    const expected = new Set(expectedKeys);
    const probes = new Set(probeKeys);
    let delivered = 0;
    let missing = 0;
    let others = 0;
    let outOfOrder = 0;
    for (const [index, keys] of seen.entries()) {
      for (const key of expected) if (keys.has(key)) delivered += 1;
      for (const key of keys) if (!expected.has(key) && !probes.has(key)) others += 1;
      missing += expectedKeys.filter((key) => !keys.has(key)).length;
      const order = sequences[index].filter((key) => expected.has(key));
      if (order.some((key, i) => key !== expectedKeys[i])) outOfOrder += 1;
    }
    const cpu = process.cpuUsage();
    return {
      type: 'totals',
      delivered,
      missing,
      duplicates,
      outOfOrder,
      others,
      errors: errors.slice(0, 5),
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssMb: process.memoryUsage().rss / 2 ** 20,
    };
  }

  function disconnect(): void {
    closing = true;
    for (const socket of sockets) socket?.terminate();
    sockets = [];
  }

  process.on('message', async (message: ToSubscribers) => {
    switch (message.type) {
      case 'connect':
        return connect(message);
      case 'await': {
        const reply = () => {
          waiters.delete(message.key);
          clearTimeout(timer);
          send({ type: 'arrived', key: message.key, times: arrivals.get(message.key) ?? [], frameBytes: frameBytes.get(message.key) ?? 0 });
        };
        const timer = setTimeout(reply, message.timeoutMs);
        if ((arrivals.get(message.key)?.length ?? 0) >= target) reply();
        else waiters.set(message.key, reply);
        return;
      }
      case 'totals':
        return send(totals(message.expected, message.probes));
      case 'disconnect':
        disconnect();
        return send({ type: 'disconnected' });
      case 'close':
        disconnect();
        process.disconnect();
        return;
    }
  });
}
