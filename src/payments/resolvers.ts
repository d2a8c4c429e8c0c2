import { requireCaller } from '../auth/guard';
import type { Resolvers } from '../generated/graphql';

export const paymentResolvers: Resolvers = {
  Mutation: {
    checkoutHold: (_, { input }, { caller, services }) => services.checkout.checkoutHold(requireCaller(caller), input),
    topUp: (_, { input }, { caller, services }) => services.topUps.topUp(requireCaller(caller), input),
  },
  TopUpPayload: {
    __resolveType: (result) => result.__typename,
  },
  CheckoutHoldPayload: {
    __resolveType: (result) => result.__typename,
  },
};
