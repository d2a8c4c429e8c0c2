import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  defaultFieldResolver,
  defaultTypeResolver,
  getNullableType,
  type GraphQLFormattedError,
  type GraphQLSchema,
  isAbstractType,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import type { Logger } from '../logger';
import { currentRequest, type RequestScope } from '../requestContext';
import type { AppMetrics, OperationLabels } from './registry';

/** One GraphQL operation being timed. */
export interface OperationObservation {
  /** Once parsed and validated: its type and root field, and the context its resolvers get. */
  resolved(operation: OperationDefinitionNode, contextValue: object): void;
  /** Records the operation (the first call only) with the errors the client gets, if any. */
  finish(errors?: readonly GraphQLFormattedError[]): void;
}

export interface OperationObserver {
  begin(transport: OperationLabels['transport'], scope?: RequestScope): OperationObservation;
  /** Times GraphQL over HTTP (Apollo), including requests refused before an operation ran. */
  apolloPlugin: ApolloServerPlugin<BaseContext>;
}

/** Codes come from our code, graphql-js and Apollo (never from clients); this only guards the label's shape. */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

function outcomeOf(errors: readonly GraphQLFormattedError[]): string {
  const code = errors.map((e) => e.extensions?.code).find((c) => c !== undefined);
  return typeof code === 'string' && CODE.test(code) ? code : 'other';
}

/**
 * Times every GraphQL operation, over HTTP and WebSocket alike, labelled with its root field (from
 * the schema: `holdDates`, `me`…; `other` when a document selects several root fields) and its
 * outcome: the error code when it failed, else the `__typename` of a union result (`DatesHeld`,
 * `DatesUnavailable`…), else `ok`.
 *
 * The result's type is captured by wrapping the root fields whose type is a union or interface in
 * `schema` (in place; the schema is built for this app), using the schema's own type resolver, and
 * kept per operation context, so both transports see it without knowing about it.
 */
export function observeOperations(schema: GraphQLSchema, metrics: AppMetrics, logger: Logger): OperationObserver {
  const rootFields = {
    query: new Set(Object.keys(schema.getQueryType()?.getFields() ?? {})),
    mutation: new Set(Object.keys(schema.getMutationType()?.getFields() ?? {})),
    subscription: new Set(Object.keys(schema.getSubscriptionType()?.getFields() ?? {})),
  };
  const resultTypes = new WeakMap<object, string>();

  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const returnType = getNullableType(field.type);
      if (!isAbstractType(returnType)) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const resolveType = returnType.resolveType ?? defaultTypeResolver;
      field.resolve = async (source, args, context, info) => {
        const value = await resolve(source, args, context, info);
        if (value !== null && value !== undefined && typeof context === 'object' && context !== null) {
          const typename = await resolveType(value, context, info, returnType);
          if (typeof typename === 'string' && schema.getType(typename)) resultTypes.set(context, typename);
        }
        return value;
      };
    }
  }

  function rootFieldOf(operation: OperationDefinitionNode): string {
    const selected = operation.selectionSet.selections.filter((s) => !(s.kind === Kind.FIELD && s.name.value === '__typename'));
    const [only] = selected;
    if (selected.length !== 1 || only.kind !== Kind.FIELD) return 'other';
    return rootFields[operation.operation].has(only.name.value) ? only.name.value : 'other';
  }

  function begin(transport: OperationLabels['transport'], scope?: RequestScope): OperationObservation {
    const startedAt = scope?.startedAt ?? performance.now();
    let type: OperationLabels['type'] = 'unknown';
    let operation = 'other';
    let context: object | undefined;
    let finished = false;
    return {
      resolved(definition, contextValue) {
        type = definition.operation;
        operation = rootFieldOf(definition);
        context = contextValue;
      },
      finish(errors) {
        if (finished) return;
        finished = true;
        const outcome = errors?.length ? outcomeOf(errors) : ((context && resultTypes.get(context)) ?? 'ok');
        const durationMs = performance.now() - startedAt;
        metrics.operation({ transport, type, operation, outcome }, durationMs / 1000);
        if (scope) Object.assign(scope, { operation, outcome });
        // Over HTTP the access log line says the same; a WebSocket operation has no other line.
        if (transport === 'ws') {
          logger.info(
            { requestId: scope?.requestId, transport, type, operation, outcome, durationMs: Math.round(durationMs) },
            'graphql operation',
          );
        }
      },
    };
  }

  const failedBeforeOperation = (code: string) => begin('http', currentRequest()).finish([{ message: code, extensions: { code } }]);

  return {
    begin,
    apolloPlugin: {
      async requestDidStart({ contextValue }) {
        const observation = begin('http', currentRequest());
        return {
          async didResolveOperation({ operation }) {
            if (operation) observation.resolved(operation, contextValue);
          },
          async willSendResponse({ response }) {
            observation.finish(response.body.kind === 'single' ? response.body.singleResult.errors : undefined);
          },
        };
      },
      // No operation started: a bad token or an unreachable database while recognising the caller…
      async contextCreationDidFail({ error }) {
        const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
        failedBeforeOperation(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
      },
      // …or a request that is not GraphQL (no query, a GET mutation, CSRF prevention).
      async invalidRequestWasReceived() {
        failedBeforeOperation('BAD_REQUEST');
      },
    },
  };
}
