import { type DocumentNode, GraphQLError, type GraphQLSchema, parse, specifiedRules, validate } from 'graphql';
import type { QueryShapeLimits } from './limits';

const DOCUMENT_CACHE_ENTRIES = 100;
const DOCUMENT_CACHE_MAX_QUERY_LENGTH = 4_000;

/** The same error with `extensions.code` set, keeping where in the document it points. */
export const withCode = (error: GraphQLError, code: string) =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });

/** A document that parsed and validated, or the errors that refuse it (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED). */
export type PreparedDocument = DocumentNode | readonly GraphQLError[];

export const isRefused = (prepared: PreparedDocument): prepared is readonly GraphQLError[] => Array.isArray(prepared);

/**
 * Parses a query with the token limit and validates it with graphql-js's rules plus the query-shape
 * limits. Documents that passed are kept by their exact text (least recently used out first): ten
 * thousand calendars send the same few subscriptions, and each is parsed and validated once and its
 * syntax tree (with its tokens, ~10 KB) shared instead of kept per operation. Validation depends on
 * the document, the schema and the rules alone, so its answer holds for every later request; a
 * document that failed is not kept, and long ones are not kept either.
 */
export function documentPreparer(schema: GraphQLSchema, limits: QueryShapeLimits): (query: string) => PreparedDocument {
  const rules = [...specifiedRules, ...limits.validationRules];
  const valid = new Map<string, DocumentNode>();

  function keep(query: string, document: DocumentNode): void {
    if (query.length > DOCUMENT_CACHE_MAX_QUERY_LENGTH) return;
    valid.set(query, document);
    const oldest = valid.keys().next();
    if (valid.size > DOCUMENT_CACHE_ENTRIES && !oldest.done) valid.delete(oldest.value);
  }

  return (query) => {
    const known = valid.get(query);
    if (known) {
      valid.delete(query);
      valid.set(query, known);
      return known;
    }
    let document;
    try {
      document = parse(query, limits.parseOptions);
    } catch (error) {
      return [error instanceof GraphQLError ? withCode(error, 'GRAPHQL_PARSE_FAILED') : new GraphQLError(String(error))];
    }
    const invalid = validate(schema, document, rules);
    if (invalid.length > 0) return invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
    keep(query, document);
    return document;
  };
}
