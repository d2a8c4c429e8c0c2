import { ApolloArmor } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule, type ParseOptions, type ValidationRule } from 'graphql';

/** Query-shape limits, enforced at parse and validation on every transport. */
export const QUERY_LIMITS = { maxDepth: 8, maxCost: 5000, maxAliases: 15, maxDirectives: 20, maxTokens: 2000 };

export interface QueryShapeLimits {
  /** graphql-armor's depth, cost, alias and directive rules (plus no introspection in production). */
  validationRules: ValidationRule[];
  /** Apollo plugins for what is not a validation rule: hidden field suggestions. */
  apolloPlugins: ReturnType<ApolloArmor['protect']>['plugins'];
  /** The token limit, enforced by graphql-js's own parser: over it is a syntax error like any other. */
  parseOptions: ParseOptions;
}

/** Built once per instance; Apollo (HTTP) and graphql-ws (WebSocket) both take their rules from here. */
export function queryShapeLimits(production: boolean): QueryShapeLimits {
  const armor = new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ignoreIntrospection: true },
    costLimit: { maxCost: QUERY_LIMITS.maxCost, ignoreIntrospection: true },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    // Armor's Apollo token plugin re-parses in a plugin hook, where any syntax error (or the limit
    // itself) escapes Apollo's parse handling and is answered 500; `parseOptions` does it at parse.
    maxTokens: { enabled: false },
    // Suggestions ("did you mean …") help developers and attackers alike; only offer them outside production.
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return {
    validationRules: [...armor.validationRules, ...(production ? [NoSchemaIntrospectionCustomRule] : [])],
    apolloPlugins: armor.plugins,
    parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
  };
}
