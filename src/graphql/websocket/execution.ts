import { createHash } from 'node:crypto';
import {
  type ASTNode,
  type ExecutionArgs,
  type ExecutionResult,
  Kind,
  createSourceEventStream,
  execute,
  getOperationAST,
  visit,
} from 'graphql';
import { withCode } from '../pipeline';
import type { FormatErrors } from './operations';
import { isPushable, type Outlet, pushTo, type SharedPayload } from './push';

/**
 * Subscription fields whose event results depend on nothing but the event and the client's selection:
 * not on the caller, not on the field's arguments (those only pick the events, in `subscribe`). For
 * these, one execution per event and per selection serves every subscriber; any other field is
 * executed per subscriber, as graphql-js does.
 */
const SHARED_EVENT_FIELDS = new Set(['availabilityChanged', 'availabilityUpdates', 'accountUpdates']);

/**
 * What an event's result depends on for a subscription to a shared field: the document, the operation
 * and the variables used in the selection (e.g. `@include(if: $x)`), not those only the root field's
 * arguments use. Undefined (no sharing) for any other operation.
 */
function sharedSelectionKey({ document, operationName, variableValues }: ExecutionArgs): string | undefined {
  const operation = getOperationAST(document, operationName);
  const source = document.loc?.source.body;
  const [root, ...rest] = operation?.selectionSet.selections ?? [];
  if (!operation || source === undefined || rest.length > 0 || root?.kind !== Kind.FIELD || !SHARED_EVENT_FIELDS.has(root.name.value)) {
    return undefined;
  }
  const used = new Set<string>();
  const collect = (node: ASTNode) => visit(node, { Variable: (variable) => void used.add(variable.name.value) });
  for (const node of [...(operation.directives ?? []), ...(root.directives ?? []), ...(root.selectionSet ? [root.selectionSet] : [])])
    collect(node);
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition);
  const values = variableValues ?? {};
  // [value] when given, [] when absent: a missing variable (its default applies) differs from an explicit null.
  const picked = [...used].sort().map((name) => (Object.hasOwn(values, name) ? [values[name]] : []));
  // Its digest: every subscription keeps its key, and the document's text is hundreds of bytes.
  return createHash('sha256')
    .update(JSON.stringify([source, operationName ?? null, picked]))
    .digest('base64');
}

/**
 * The subscription's event stream mapped to results, like graphql-js's `subscribe`, except that with
 * a selection key the result for one event object is computed once and shared by every subscriber
 * with that key (the fan-out hands all of them the same event object).
 */
function sharedResults(
  source: AsyncGenerator<unknown, unknown, unknown>,
  args: ExecutionArgs,
  key: string | undefined,
  cache: WeakMap<object, Map<string, ReturnType<typeof execute>>>,
): AsyncGenerator<ExecutionResult, void, void> {
  const resultFor = (event: unknown) => {
    if (key === undefined || typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
    let byKey = cache.get(event);
    if (!byKey) cache.set(event, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = execute({ ...args, rootValue: event })));
    return result;
  };
  const mapped: AsyncGenerator<ExecutionResult, void, void> = {
    async next() {
      const item = await source.next();
      if (item.done) return { done: true, value: undefined };
      try {
        return { done: false, value: await resultFor(item.value) };
      } catch (error) {
        await source.return(undefined);
        throw error;
      }
    },
    async return() {
      await source.return(undefined);
      return { done: true, value: undefined };
    },
    async throw(error) {
      await source.return(undefined);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}

/** Errors before execution (variables that do not coerce, no operation) are the client's, as Apollo treats them. */
function markRequestErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors || result.data !== undefined) return result;
  return { ...result, errors: result.errors.map((e) => (e.path || e.extensions?.code ? e : withCode(e, 'BAD_USER_INPUT'))) };
}

interface ExecutionOptions {
  /** Runs `work` in the request scope of the operation whose execution arguments these are. */
  executing: <T>(args: ExecutionArgs, work: () => T) => T;
  outletOf: (args: ExecutionArgs) => Outlet | undefined;
  format: FormatErrors;
}

/**
 * graphql-ws's `execute` and `subscribe`: graphql-js's, except that the results of a subscription to
 * a shared field are computed once per event and selection, and pushed as ready `next` frames when
 * the fan-out's stream can push.
 */
export function sharedExecution({ executing, outletOf, format }: ExecutionOptions) {
  /** Per event object: its result per selection key, computed for the first subscriber that needs it. */
  const sharedEventResults = new WeakMap<object, Map<string, ReturnType<typeof execute>>>();
  /** The same, as the serialised `payload` of a `next` message (push mode). */
  const sharedPayloads = new WeakMap<object, Map<string, SharedPayload | Promise<SharedPayload>>>();
  /** What graphql-ws would send as `payload`: the result, with errors through the pipeline's masking (as onNext does). */
  const payloadJson = (result: ExecutionResult): SharedPayload => ({
    json: JSON.stringify(result.errors ? { ...result, errors: format(result.errors) } : result),
  });

  function payloadFor(event: object, key: string, args: ExecutionArgs): SharedPayload | Promise<SharedPayload> {
    let byKey = sharedPayloads.get(event);
    if (!byKey) sharedPayloads.set(event, (byKey = new Map()));
    let payload = byKey.get(key);
    if (payload === undefined) {
      // Once per change and selection, in the request scope of the subscriber that needed it first (for logs).
      payload = executing(args, () => {
        const result = execute({ ...args, rootValue: event });
        return 'then' in result ? result.then(payloadJson) : payloadJson(result);
      });
      byKey.set(key, payload);
    }
    return payload;
  }

  return {
    execute: (args: ExecutionArgs) => executing(args, async () => markRequestErrors(await execute(args))),
    subscribe: (args: ExecutionArgs) =>
      executing(args, async () => {
        // graphql-js's `subscribe` minus the execution per subscriber: the same checks, the same resolver.
        const stream = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in stream)) return markRequestErrors(stream);
        const key = sharedSelectionKey(args);
        const outlet = outletOf(args);
        if (key !== undefined && outlet && isPushable(stream)) {
          return pushTo(stream, outlet, (event) => payloadFor(event, key, args));
        }
        return sharedResults(stream as AsyncGenerator<unknown, unknown, unknown>, args, key, sharedEventResults);
      }),
  };
}
