import { ApolloArmor } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';

/** Query-shape limits, enforced at parse and validation on every transport. */
export const QUERY_LIMITS = { maxDepth: 8, maxCost: 5000, maxAliases: 15, maxDirectives: 20, maxTokens: 2000 };

export interface QueryShapeLimits {
  /** graphql-js's own token limit at parse: over it is GRAPHQL_PARSE_FAILED, like any syntax error. */
  parseOptions: { maxTokens: number };
  /** graphql-armor's depth, cost, alias and directive rules (plus no introspection in production). */
  validationRules: ValidationRule[];
  /** Apollo plugins for what is not a validation rule: hidden field suggestions. */
  apolloPlugins: ReturnType<ApolloArmor['protect']>['plugins'];
}

/** Built once per instance by the pipeline, whose document step applies them to both transports (and Apollo's refusals repeat them). */
export function queryShapeLimits(production: boolean): QueryShapeLimits {
  const armor = new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ignoreIntrospection: true },
    costLimit: { maxCost: QUERY_LIMITS.maxCost, ignoreIntrospection: true },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    // The token limit is graphql-js's own `parse(…, { maxTokens })` on both transports instead: armor's
    // Apollo plugin parses in `parsingDidStart`, where any syntax error becomes an HTTP 500.
    maxTokens: { enabled: false },
    // Suggestions ("did you mean …") help developers and attackers alike; only offer them outside production.
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return {
    parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
    validationRules: [...armor.validationRules, ...(production ? [NoSchemaIntrospectionCustomRule] : [])],
    apolloPlugins: armor.plugins,
  };
}
