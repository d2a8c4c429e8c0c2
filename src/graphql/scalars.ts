import { GraphQLScalarType, Kind } from 'graphql';
import {
  GraphQLCurrency,
  GraphQLDateTime,
  GraphQLLocalDate,
  GraphQLNonNegativeInt,
  GraphQLPositiveInt,
  GraphQLSafeInt,
} from 'graphql-scalars';

/**
 * graphql-scalars' integer scalars coerce: 1.5 becomes 1 and "5" becomes 5. For money and
 * capacity that would silently change what the client asked for, so ours accept only whole
 * numbers (up to 2^53 - 1) and refuse anything else.
 */
function strictInteger(base: GraphQLScalarType): GraphQLScalarType {
  const check = (value: unknown) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new TypeError(`${base.name} must be a whole number no larger than 2^53 - 1, got ${JSON.stringify(value)}`);
    }
    return base.parseValue(value);
  };
  return new GraphQLScalarType({
    ...base.toConfig(),
    parseValue: check,
    parseLiteral(ast) {
      if (ast.kind !== Kind.INT) throw new TypeError(`${base.name} must be a whole number`);
      return check(Number(ast.value));
    },
  });
}

export const scalarResolvers = {
  LocalDate: GraphQLLocalDate,
  DateTime: GraphQLDateTime,
  PositiveInt: strictInteger(GraphQLPositiveInt),
  NonNegativeInt: strictInteger(GraphQLNonNegativeInt),
  Currency: GraphQLCurrency,
  SafeInt: strictInteger(GraphQLSafeInt),
};
