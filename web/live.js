// The live connection: one graphql-ws socket (protocol graphql-transport-ws) on /graphql for every
// live view of the page, each resumed from its last cursor when the socket comes back, and the
// connection's state said in words ("live", "reconnecting…", "caught up").
import { createClient } from '/vendor/graphql-ws/client.js';
import { persisted } from './api.js';

/** How long "caught up" stays up before the state reads "live" again. */
const CAUGHT_UP_MS = 10_000;
/**
 * A resumed subscription with nothing to replay sends nothing until the next change, so a view that
 * stays quiet this long after the socket came back is taken to have missed nothing.
 */
const QUIET_MS = 2_000;

/**
 * `onState(state, text)` runs on every change of the connection's state: `connecting`, `live`,
 * `reconnecting` (the socket is down, or back and its views not yet resumed), `caught-up` (the
 * resumed views delivered what they missed), `refused`, `offline`.
 */
export function createLive({ url, token, onState }) {
  /** The views subscribed now. */
  const views = new Set();
  /** The views not heard from since the socket came back. */
  const resuming = new Set();
  let state = 'connecting';
  /** Whether the socket is open and acknowledged. */
  let up = false;
  /** Whether a resumed view delivered something since the socket came back. */
  let replayed = false;
  let timer;

  function set(next, text) {
    clearTimeout(timer);
    state = next;
    onState(next, text);
    if (next === 'caught-up') timer = setTimeout(() => set('live', 'live'), CAUGHT_UP_MS);
  }

  /** Back and resumed: "caught up" when something missed was applied, plain "live" when nothing was. */
  const resumed = () => (replayed ? set('caught-up', 'caught up') : set('live', 'live'));

  function waitQuietly() {
    clearTimeout(timer);
    timer = setTimeout(resumed, QUIET_MS);
  }

  function heard(view) {
    if (!resuming.delete(view) || !up || state !== 'reconnecting') return;
    replayed = true;
    if (resuming.size === 0) resumed();
    else waitQuietly();
  }

  function forget(view) {
    views.delete(view);
    if (resuming.delete(view) && up && state === 'reconnecting' && resuming.size === 0) resumed();
  }

  const client = createClient({
    url,
    connectionParams: () => ({ authorization: `Bearer ${token()}` }),
    retryAttempts: Infinity,
    on: {
      connecting: (isRetry) => {
        // A refused token stays said while graphql-ws keeps trying (4403 is retried): only a new token helps.
        if (state === 'refused') return;
        set(isRetry ? 'reconnecting' : 'connecting', isRetry ? 'reconnecting…' : 'connecting…');
      },
      connected: (_socket, _payload, wasRetry) => {
        up = true;
        if (!wasRetry || views.size === 0) return set('live', 'live');
        // graphql-ws now sends each view's subscribe again, with the view's newest cursor (watch).
        for (const view of views) resuming.add(view);
        replayed = false;
        waitQuietly();
      },
      closed: (event) => {
        up = false;
        resuming.clear();
        if (event?.code === 4403) return set('refused', 'token refused');
        // A socket that closed with views open is retried (retryAttempts): say so until they resumed.
        if (views.size > 0) set('reconnecting', 'reconnecting…');
        else set('offline', 'offline');
      },
    },
  });

  return {
    /**
     * Subscribes to one of web/operations.js whose root field takes `after` and answers a `cursor`
     * (`availabilityUpdates`, `accountUpdates`). Each time graphql-ws (re)sends the subscription it
     * serialises the payload anew, so `variables` is read then: after a drop, the view resumes from the
     * last message it applied and the server sends what it missed, in order (or one reset).
     * `onMessage(update)` gets the root field's value; answers an unsubscribe function.
     */
    watch(operation, variables, { onMessage, onError }) {
      let cursor = null;
      const view = {};
      views.add(view);
      if (up && state === 'reconnecting') resuming.add(view);
      const payload = {
        query: operation.query,
        extensions: persisted(operation),
        get variables() {
          return { ...variables, after: cursor };
        },
      };
      const stop = client.subscribe(payload, {
        next: ({ data, errors }) => {
          if (errors?.length) onError(new Error(errors[0].message));
          if (!data) return;
          const update = Object.values(data)[0];
          cursor = update.cursor;
          onMessage(update);
          heard(view);
        },
        error: (error) => {
          forget(view);
          onError(error instanceof Error ? error : new Error(Array.isArray(error) ? error[0]?.message : 'the live connection failed'));
        },
        complete: () => {},
      });
      return () => {
        forget(view);
        stop();
      };
    },
  };
}
