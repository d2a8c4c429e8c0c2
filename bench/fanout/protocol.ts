/** What the bench parent and its child processes say to each other over IPC. */

/** `graphql`: the API's graphql-transport-ws; `bare`: a plain `ws` server (the floor), frames `{"key":…}`. */
export type SocketMode = 'graphql' | 'bare';

export type ToSubscribers =
  | {
      type: 'connect';
      mode: SocketMode;
      url: string;
      /** graphql: one token per CONNECTIONS_PER_USER subscribers, numbered from `first`. */
      tokens: string[];
      first: number;
      query: string;
      variables: Record<string, string>;
      count: number;
    }
  | { type: 'await'; key: string; timeoutMs: number }
  | { type: 'totals'; expected: string[]; probes: string[] }
  | { type: 'disconnect' }
  | { type: 'close' };

export type FromSubscribers =
  | { type: 'up'; subscribed: number; failed: string[] }
  /** Each subscriber's first arrival of `key` (Date.now()), and the size of the frame that carried it. */
  | { type: 'arrived'; key: string; times: number[]; frameBytes: number }
  | {
      type: 'totals';
      delivered: number;
      missing: number;
      duplicates: number;
      /** Subscribers whose expected changes did not arrive in the order they were committed. */
      outOfOrder: number;
      others: number;
      errors: string[];
      cpuMs: number;
      rssMb: number;
    }
  | { type: 'disconnected' };

export type ToFloor = { type: 'write'; key: string; bytes: number };
export type FromFloor = { type: 'listening'; port: number } | { type: 'written'; key: string; startedAt: number; sockets: number };

/** Subscribers per user: the production per-user limit (WS_MAX_CONNECTIONS_PER_USER=20) stays on. */
export const CONNECTIONS_PER_USER = 10;
