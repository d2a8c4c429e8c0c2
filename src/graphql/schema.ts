import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { authResolvers } from '../auth/resolvers';
import { bookingRecordResolvers } from '../bookings/bookingResolvers';
import { availabilityResolvers } from '../availability/resolvers';
import { bookingResolvers } from '../bookings/resolvers';
import type { Resolvers } from '../generated/graphql';
import { ledgerResolvers } from '../ledger/resolvers';
import { paymentResolvers } from '../payments/resolvers';
import { resourceResolvers } from '../resources/resolvers';
import { userResolvers } from '../users/resolvers';
import { scalarResolvers } from './scalars';

const SCHEMA_FILE = new URL('../../schema.graphql', import.meta.url);

/** schema.graphql (the contract) plus every domain's resolvers, merged by root type. */
export function buildSchema(): GraphQLSchema {
  const domains: Resolvers[] = [
    authResolvers,
    userResolvers,
    resourceResolvers,
    bookingResolvers,
    bookingRecordResolvers,
    paymentResolvers,
    ledgerResolvers,
    availabilityResolvers,
  ];
  return makeExecutableSchema({
    typeDefs: readFileSync(SCHEMA_FILE, 'utf8'),
    resolvers: [scalarResolvers, ...domains] as never,
  });
}
