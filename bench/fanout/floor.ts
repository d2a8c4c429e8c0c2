import { WebSocketServer, type WebSocket } from 'ws';
import type { FromFloor, ToFloor } from './protocol';

/** A frame of exactly `bytes` bytes (at least the key's own) that names `key`. */
function frameOf(key: string, bytes: number): string {
  const bare = JSON.stringify({ key, pad: '' });
  return JSON.stringify({ key, pad: 'x'.repeat(Math.max(bytes - bare.length, 0)) });
}

/**
 * The floor: a bare `ws` server with nothing else in the process. Told to write a frame, it
 * writes it to every open socket in one loop, as the API's fan-out does (one `send` per socket,
 * with a completion callback), and answers when it started; the subscribers' arrival times minus
 * that start are the floor latencies the API's commit → delivery times are compared with.
 */
export function runFloor(): void {
  const send = (message: FromFloor) => process.send!(message);
  const sockets = new Set<WebSocket>();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
  });
  server.on('listening', () => {
    const address = server.address();
    send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('message', (message: ToFloor) => {
    const frame = frameOf(message.key, message.bytes);
    const startedAt = Date.now();
    const written = () => undefined;
    for (const socket of sockets) socket.send(frame, written);
    send({ type: 'written', key: message.key, startedAt, sockets: sockets.size });
  });
  process.on('disconnect', () => {
    for (const socket of sockets) socket.terminate();
    server.close();
  });
}
