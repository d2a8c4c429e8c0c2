import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { availabilityResolvers } from '../availability/resolvers';
import { bookingResolvers } from '../bookings/resolvers';
import { capacityResolvers } from '../capacity/resolvers';
import type { Resolvers } from '../generated/graphql';
import { ledgerResolvers } from '../ledger/resolvers';
import { paymentResolvers } from '../payments/resolvers';
import { userResolvers } from '../users/resolvers';
import { scalarResolvers } from './scalars';

const SCHEMA_FILE = new URL('../../schema.graphql', import.meta.url);

/** schema.graphql (the contract) plus every module's resolvers, merged by root type. */
export function buildSchema(): GraphQLSchema {
  const modules: Resolvers[] = [
    userResolvers,
    capacityResolvers,
    bookingResolvers,
    paymentResolvers,
    ledgerResolvers,
    availabilityResolvers,
  ];
  return makeExecutableSchema({
    typeDefs: readFileSync(SCHEMA_FILE, 'utf8'),
    resolvers: [scalarResolvers, ...modules] as never,
  });
}
