// The live connection: one graphql-ws socket (protocol graphql-transport-ws) on /graphql for every
// live view of the page, each resumed from its last cursor when the socket comes back, and the
// connection's state said in words ("live", "reconnecting…", "caught up").
import { createClient } from '/vendor/graphql-ws/client.js';
import { persisted } from './api.js';

/** How long "caught up" stays up after a resume before the state reads "live" again. */
const CAUGHT_UP_MS = 10_000;

/**
 * `onState(state, text)` runs on every change of the connection's state: `connecting`, `live`,
 * `reconnecting` (the socket is down and being retried), `caught-up` (every view resumed since the
 * socket came back has had its first message: what it missed is applied), `refused`, `offline`.
 */
export function createLive({ url, token, onState }) {
  /** The views subscribed now. */
  const views = new Set();
  /** The views still waiting for their first message since the socket came back. */
  const resuming = new Set();
  let state = 'connecting';
  /** Whether the socket is open and acknowledged. */
  let up = false;
  let caughtUpTimer;

  function set(next, text = next) {
    clearTimeout(caughtUpTimer);
    state = next;
    onState(next, text);
    if (next === 'caught-up') caughtUpTimer = setTimeout(() => set('live'), CAUGHT_UP_MS);
  }

  function heard(view) {
    if (!resuming.delete(view)) return;
    if (up && resuming.size === 0 && state === 'reconnecting') set('caught-up', 'caught up');
  }

  const client = createClient({
    url,
    connectionParams: () => ({ authorization: `Bearer ${token()}` }),
    retryAttempts: Infinity,
    on: {
      connecting: (isRetry) => set(isRetry ? 'reconnecting' : 'connecting', isRetry ? 'reconnecting…' : 'connecting…'),
      connected: (_socket, _payload, wasRetry) => {
        up = true;
        if (!wasRetry) return set('live');
        // graphql-ws sends each view's subscribe again on the new socket, with its newest cursor.
        for (const view of views) resuming.add(view);
        if (resuming.size === 0) set('live');
      },
      closed: (event) => {
        up = false;
        resuming.clear();
        if (event?.code === 4403) return set('refused', 'token refused');
        // A socket that closed with views open is retried: say so until they have caught up.
        set(views.size > 0 ? 'reconnecting' : 'offline', views.size > 0 ? 'reconnecting…' : 'offline');
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
      if (state === 'reconnecting') resuming.add(view);
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
          views.delete(view);
          heard(view);
          onError(error instanceof Error ? error : new Error(Array.isArray(error) ? error[0]?.message : 'the live connection failed'));
        },
        complete: () => {},
      });
      return () => {
        views.delete(view);
        heard(view);
        stop();
      };
    },

    dispose() {
      clearTimeout(caughtUpTimer);
      client.dispose();
    },
  };
}
