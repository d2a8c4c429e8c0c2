import { requireCaller } from '../auth/guard';
import type { Resolvers } from '../generated/graphql';

export const paymentResolvers: Resolvers = {
  Mutation: {
    checkoutHold: (_, { input }, { caller, services }) => services.checkout.checkoutHold(requireCaller(caller), input),
  },
  CheckoutHoldPayload: {
    __resolveType: (result) => result.__typename,
  },
};
