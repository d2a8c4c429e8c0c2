/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Resources($first: Int, $after: String) {\n    resources(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          capacity\n          pricePerDate\n          currency\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ResourcesDocument,
    "\n  mutation HoldDates($input: HoldDatesInput!) {\n    holdDates(input: $input) {\n      __typename\n      ... on DatesHeld {\n        hold {\n          id\n          resourceId\n          dates\n          expiresAt\n          amount\n          currency\n          status\n        }\n      }\n      ... on DatesUnavailable {\n        dates\n      }\n    }\n  }\n": typeof types.HoldDatesDocument,
    "\n  mutation CheckoutHold($input: CheckoutHoldInput!) {\n    checkoutHold(input: $input) {\n      __typename\n      ... on CheckoutStarted {\n        checkoutUrl\n        checkoutSessionId\n        hold {\n          id\n          expiresAt\n        }\n      }\n      ... on HoldExpired {\n        hold {\n          id\n          status\n        }\n      }\n      ... on HoldNotFound {\n        holdId\n      }\n    }\n  }\n": typeof types.CheckoutHoldDocument,
    "\n  query MyBookings($first: Int, $after: String) {\n    myBookings(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          holdId\n          resourceId\n          dates\n          amount\n          currency\n          status\n          refundStatus\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.MyBookingsDocument,
    "\n  mutation Transfer($input: TransferInput!) {\n    transfer(input: $input) {\n      __typename\n      ... on TransferCompleted {\n        transfer {\n          id\n          fromAccountId\n          toAccountId\n          amount\n          currency\n          memo\n          createdAt\n        }\n      }\n      ... on InsufficientFunds {\n        accountId\n        requested\n      }\n      ... on CurrencyMismatch {\n        fromCurrency\n        toCurrency\n      }\n      ... on AccountNotFound {\n        accountId\n      }\n    }\n  }\n": typeof types.TransferDocument,
};
const documents: Documents = {
    "\n  query Resources($first: Int, $after: String) {\n    resources(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          capacity\n          pricePerDate\n          currency\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ResourcesDocument,
    "\n  mutation HoldDates($input: HoldDatesInput!) {\n    holdDates(input: $input) {\n      __typename\n      ... on DatesHeld {\n        hold {\n          id\n          resourceId\n          dates\n          expiresAt\n          amount\n          currency\n          status\n        }\n      }\n      ... on DatesUnavailable {\n        dates\n      }\n    }\n  }\n": types.HoldDatesDocument,
    "\n  mutation CheckoutHold($input: CheckoutHoldInput!) {\n    checkoutHold(input: $input) {\n      __typename\n      ... on CheckoutStarted {\n        checkoutUrl\n        checkoutSessionId\n        hold {\n          id\n          expiresAt\n        }\n      }\n      ... on HoldExpired {\n        hold {\n          id\n          status\n        }\n      }\n      ... on HoldNotFound {\n        holdId\n      }\n    }\n  }\n": types.CheckoutHoldDocument,
    "\n  query MyBookings($first: Int, $after: String) {\n    myBookings(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          holdId\n          resourceId\n          dates\n          amount\n          currency\n          status\n          refundStatus\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.MyBookingsDocument,
    "\n  mutation Transfer($input: TransferInput!) {\n    transfer(input: $input) {\n      __typename\n      ... on TransferCompleted {\n        transfer {\n          id\n          fromAccountId\n          toAccountId\n          amount\n          currency\n          memo\n          createdAt\n        }\n      }\n      ... on InsufficientFunds {\n        accountId\n        requested\n      }\n      ... on CurrencyMismatch {\n        fromCurrency\n        toCurrency\n      }\n      ... on AccountNotFound {\n        accountId\n      }\n    }\n  }\n": types.TransferDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Resources($first: Int, $after: String) {\n    resources(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          capacity\n          pricePerDate\n          currency\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Resources($first: Int, $after: String) {\n    resources(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          capacity\n          pricePerDate\n          currency\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation HoldDates($input: HoldDatesInput!) {\n    holdDates(input: $input) {\n      __typename\n      ... on DatesHeld {\n        hold {\n          id\n          resourceId\n          dates\n          expiresAt\n          amount\n          currency\n          status\n        }\n      }\n      ... on DatesUnavailable {\n        dates\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation HoldDates($input: HoldDatesInput!) {\n    holdDates(input: $input) {\n      __typename\n      ... on DatesHeld {\n        hold {\n          id\n          resourceId\n          dates\n          expiresAt\n          amount\n          currency\n          status\n        }\n      }\n      ... on DatesUnavailable {\n        dates\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CheckoutHold($input: CheckoutHoldInput!) {\n    checkoutHold(input: $input) {\n      __typename\n      ... on CheckoutStarted {\n        checkoutUrl\n        checkoutSessionId\n        hold {\n          id\n          expiresAt\n        }\n      }\n      ... on HoldExpired {\n        hold {\n          id\n          status\n        }\n      }\n      ... on HoldNotFound {\n        holdId\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CheckoutHold($input: CheckoutHoldInput!) {\n    checkoutHold(input: $input) {\n      __typename\n      ... on CheckoutStarted {\n        checkoutUrl\n        checkoutSessionId\n        hold {\n          id\n          expiresAt\n        }\n      }\n      ... on HoldExpired {\n        hold {\n          id\n          status\n        }\n      }\n      ... on HoldNotFound {\n        holdId\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyBookings($first: Int, $after: String) {\n    myBookings(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          holdId\n          resourceId\n          dates\n          amount\n          currency\n          status\n          refundStatus\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyBookings($first: Int, $after: String) {\n    myBookings(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          holdId\n          resourceId\n          dates\n          amount\n          currency\n          status\n          refundStatus\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Transfer($input: TransferInput!) {\n    transfer(input: $input) {\n      __typename\n      ... on TransferCompleted {\n        transfer {\n          id\n          fromAccountId\n          toAccountId\n          amount\n          currency\n          memo\n          createdAt\n        }\n      }\n      ... on InsufficientFunds {\n        accountId\n        requested\n      }\n      ... on CurrencyMismatch {\n        fromCurrency\n        toCurrency\n      }\n      ... on AccountNotFound {\n        accountId\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Transfer($input: TransferInput!) {\n    transfer(input: $input) {\n      __typename\n      ... on TransferCompleted {\n        transfer {\n          id\n          fromAccountId\n          toAccountId\n          amount\n          currency\n          memo\n          createdAt\n        }\n      }\n      ... on InsufficientFunds {\n        accountId\n        requested\n      }\n      ... on CurrencyMismatch {\n        fromCurrency\n        toCurrency\n      }\n      ... on AccountNotFound {\n        accountId\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;